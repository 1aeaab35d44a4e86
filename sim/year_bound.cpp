#include "sim/year_bound.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include <lemon/lp.h>

namespace avip::sim {

namespace {

/// One variable x[f,k,t] of the time-indexed LP: the request enters `facility` in month `start` and
/// holds its places up to month `end` (exclusive, cut at the horizon).
struct option {
  std::uint32_t facility;
  std::int32_t start;
  std::int32_t end;
};

/// The options of every request, CSR over requests. Options at one facility are contiguous, with
/// starts and ends increasing: entering in month t is dropped when a later entry month's stay ends no
/// later (same weight, a subset of the months held), which no optimum needs.
struct option_table {
  std::vector<std::uint32_t> offsets;
  std::vector<option> options;
};

/// Places the request holds while it stays (a request always has at least one child).
std::int64_t places_of(bound_request const& q) {
  return std::max(1, q.children);
}

int stay_of(bound_request const& q, int t) {
  auto const i = static_cast<std::size_t>(t - q.first_month);
  return i < q.stay_months.size() ? std::max<int>(1, q.stay_months[i]) : 1;
}

option_table build_options(candidates const& c, std::vector<bound_request> const& requests,
                           std::vector<std::int32_t> const& capacity, int months) {
  option_table out;
  out.offsets.reserve(requests.size() + 1);
  out.offsets.push_back(0);
  std::vector<option> at_k;
  for (auto const& q : requests) {
    int const t0 = std::max(0, q.first_month);
    int const t1 = std::min(months - 1, q.last_month);
    auto const f = q.family.index();
    // A request of weight ≤ 0 adds nothing: x = 0 is optimal for it, so it gets no option.
    if (t0 <= t1 && q.weight > 0.0 && q.family.valid() && f + 1 < c.offsets.size()) {
      for (auto j = c.offsets[f]; j < c.offsets[f + 1]; ++j) {
        auto const k = c.facility[j].index();
        if (k >= capacity.size() || capacity[k] < places_of(q)) {
          continue;  // the family's children never fit there
        }
        // From the last entry month back: keep t only if its stay ends before every later one's.
        at_k.clear();
        int earliest_end = std::numeric_limits<int>::max();
        for (int t = t1; t >= t0; --t) {
          int const end = std::min(months, t + stay_of(q, t));
          if (end < earliest_end) {
            at_k.push_back({static_cast<std::uint32_t>(k), t, end});
            earliest_end = end;
          }
        }
        out.options.insert(out.options.end(), at_k.rbegin(), at_k.rend());
      }
    }
    out.offsets.push_back(static_cast<std::uint32_t>(out.options.size()));
  }
  return out;
}

/// The most children that could ever be at each (facility, month), row-major: every option of every
/// request counted in full, a request once per month at a facility whatever its entry month.
class potential_load {
 public:
  potential_load(std::size_t facilities, int months)
      : months_{static_cast<std::size_t>(months)}, load_(facilities * months_, 0) {}

  /// Adds request `r`'s places over the months its options at each facility cover (`places` < 0
  /// removes them).
  void add_request(option_table const& o, std::size_t r, std::int64_t places) {
    std::uint32_t facility = std::numeric_limits<std::uint32_t>::max();
    int covered = 0;
    for (auto j = o.offsets[r]; j < o.offsets[r + 1]; ++j) {
      auto const& x = o.options[j];
      if (x.facility != facility) {
        facility = x.facility;
        covered = 0;
      }
      add_option(option{x.facility, std::max(covered, x.start), x.end}, places);
      covered = std::max(covered, x.end);
    }
  }
  void add_option(option const& x, std::int64_t places) {
    for (auto i = index(x.facility, x.start); i < index(x.facility, x.end); ++i) {
      load_[i] += places;
    }
  }
  /// Whether the children at (k, s) may exceed its capacity, i.e. whether its row can bind.
  [[nodiscard]] bool may_overflow(std::size_t i, std::int32_t capacity) const { return load_[i] > capacity; }
  [[nodiscard]] std::size_t index(std::uint32_t facility, int month) const {
    return static_cast<std::size_t>(facility) * months_ + static_cast<std::size_t>(month);
  }
  [[nodiscard]] std::size_t size() const { return load_.size(); }

 private:
  std::size_t months_;
  std::vector<std::int64_t> load_;
};

/// Places outright every request that has an option none of whose months may overflow: whatever the
/// others do, moving all its weight onto that option keeps the LP feasible and loses nothing, so some
/// optimum places it there. Its other options are dropped, which only lowers the potentials, so the
/// decisions taken stay valid; repeats until nothing changes. Returns, per request, whether it is
/// still open (left to the LP).
std::vector<std::uint8_t> place_uncontested(option_table const& o, std::vector<bound_request> const& requests,
                                            std::vector<std::int32_t> const& capacity, potential_load& load,
                                            bound_result& out) {
  std::vector<std::uint8_t> open(requests.size(), 0);
  for (std::size_t r = 0; r < requests.size(); ++r) {
    open[r] = o.offsets[r + 1] > o.offsets[r] ? 1 : 0;
  }
  auto uncontested = [&](option const& x) {
    for (auto i = load.index(x.facility, x.start); i < load.index(x.facility, x.end); ++i) {
      if (load.may_overflow(i, capacity[x.facility])) {
        return false;
      }
    }
    return true;
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t r = 0; r < requests.size(); ++r) {
      if (open[r] == 0) {
        continue;
      }
      auto const* begin = o.options.data() + o.offsets[r];
      auto const* end = o.options.data() + o.offsets[r + 1];
      if (auto const* x = std::find_if(begin, end, uncontested); x != end) {
        load.add_request(o, r, -places_of(requests[r]));
        load.add_option(*x, places_of(requests[r]));
        open[r] = 0;
        out.value += requests[r].weight;
        out.families += 1.0;
        changed = true;
      }
    }
  }
  return open;
}

/// The LP over the open requests, solved by column generation: start from one option per request, then
/// add, per request, the option of largest positive reduced cost (weight − π_request − children × Σ
/// μ_(k,s) over its months) until none is left: the restricted LP is then optimal over all options.
/// Rows are made when a column first needs them: a request's "at most once" row with its second
/// column (one column is held by its bound x ≤ 1), a (k, s) row only if it may overflow. A missing row
/// has dual 0, as it would have in the restricted LP.
class column_generation {
 public:
  column_generation(option_table const& o, std::vector<bound_request> const& requests,
                    std::vector<std::int32_t> const& capacity, int months, potential_load const& load,
                    std::vector<std::uint8_t> const& open)
      : o_{o},
        requests_{requests},
        capacity_{capacity},
        months_{static_cast<std::size_t>(months)},
        load_{load},
        open_{open},
        once_row_(requests.size(), kNone),
        first_col_(requests.size(), kNone),
        capacity_row_(load.size(), kNone),
        in_lp_(o.options.size(), 0),
        mu_before_(capacity.size() * (months_ + 1), 0.0) {
    lp_.messageLevel(lemon::Lp::MESSAGE_NOTHING);
    lp_.max();
  }

  /// Adds the LP optimum to `out`; false when the solver fails.
  bool solve(bound_result& out) {
    for (std::size_t r = 0; r < requests_.size(); ++r) {
      if (open_[r] != 0) {
        add_column(r, first_option(r));
      }
    }
    do {
      if (lp_.solve() != lemon::Lp::SOLVED || lp_.primalType() != lemon::Lp::OPTIMAL) {
        return false;
      }
    } while (price() > 0);
    out.value += lp_.primal();
    for (auto const& x : cols_) {
      out.families += lp_.primal(x);
    }
    return true;
  }

 private:
  static constexpr int kNone = -1;
  static constexpr double kTolerance = 1e-9;

  int add_row(double upper) {
    rows_.push_back(lp_.addRow());
    lp_.rowUpperBound(rows_.back(), upper);
    return static_cast<int>(rows_.size() - 1);
  }

  lemon::Lp::Row const& row(int i) const { return rows_[static_cast<std::size_t>(i)]; }

  void add_column(std::size_t r, std::size_t j) {
    auto const& x = o_.options[j];
    lemon::Lp::DualExpr e;
    if (first_col_[r] != kNone) {
      if (once_row_[r] == kNone) {
        once_row_[r] = add_row(1.0);
        lp_.coeff(rows_.back(), cols_[static_cast<std::size_t>(first_col_[r])], 1.0);
      }
      e[row(once_row_[r])] = 1.0;
    }
    for (auto i = load_.index(x.facility, x.start); i < load_.index(x.facility, x.end); ++i) {
      if (load_.may_overflow(i, capacity_[x.facility])) {
        if (capacity_row_[i] == kNone) {
          capacity_row_[i] = add_row(static_cast<double>(capacity_[x.facility]));
        }
        e[row(capacity_row_[i])] = static_cast<double>(places_of(requests_[r]));
      }
    }
    cols_.push_back(lp_.addCol(e, requests_[r].weight));
    lp_.colBounds(cols_.back(), 0.0, 1.0);
    if (first_col_[r] == kNone) {
      first_col_[r] = static_cast<int>(cols_.size() - 1);
    }
    in_lp_[j] = 1;
  }

  /// The request's option with the fewest months that may overflow.
  [[nodiscard]] std::size_t first_option(std::size_t r) const {
    std::size_t best = o_.offsets[r];
    std::size_t best_months = std::numeric_limits<std::size_t>::max();
    for (auto j = o_.offsets[r]; j < o_.offsets[r + 1]; ++j) {
      auto const& x = o_.options[j];
      std::size_t n = 0;
      for (auto i = load_.index(x.facility, x.start); i < load_.index(x.facility, x.end); ++i) {
        n += load_.may_overflow(i, capacity_[x.facility]) ? 1 : 0;
      }
      if (n < best_months) {
        best_months = n;
        best = j;
      }
    }
    return best;
  }

  /// Adds the columns that price out; returns how many.
  std::size_t price() {
    // μ summed over months, per facility: mu_before_[k × (months + 1) + s] = Σ_{s' < s} μ_(k,s').
    for (std::size_t k = 0; k < capacity_.size(); ++k) {
      for (std::size_t s = 0; s < months_; ++s) {
        auto const i = capacity_row_[k * months_ + s];
        mu_before_[k * (months_ + 1) + s + 1] =
            mu_before_[k * (months_ + 1) + s] + (i != kNone ? lp_.dual(row(i)) : 0.0);
      }
    }
    std::size_t added = 0;
    for (std::size_t r = 0; r < requests_.size(); ++r) {
      if (open_[r] != 0) {
        added += price_request(r) ? 1 : 0;
      }
    }
    return added;
  }

  bool price_request(std::size_t r) {
    auto const& q = requests_[r];
    double const pi = once_row_[r] != kNone ? lp_.dual(row(once_row_[r])) : 0.0;
    // A column of the request at its upper bound (x = 1) has a positive reduced cost that its bound
    // holds; moving that amount onto π_request gives another optimal dual (the request is placed in
    // full, so "at most once" is tight) under which its other options price lower.
    double held = 0.0;
    double best_cost = -std::numeric_limits<double>::infinity();
    std::size_t best = 0;
    for (auto j = o_.offsets[r]; j < o_.offsets[r + 1]; ++j) {
      auto const& x = o_.options[j];
      auto const at = x.facility * (months_ + 1);
      double const reduced =
          q.weight - pi -
          static_cast<double>(places_of(q)) * (mu_before_[at + static_cast<std::size_t>(x.end)] -
                                               mu_before_[at + static_cast<std::size_t>(x.start)]);
      if (in_lp_[j] != 0) {
        held = std::max(held, reduced);
      } else if (reduced > best_cost) {
        best_cost = reduced;
        best = j;
      }
    }
    if (best_cost - held > kTolerance * std::max(1.0, q.weight)) {
      add_column(r, best);
      return true;
    }
    return false;
  }

  option_table const& o_;
  std::vector<bound_request> const& requests_;
  std::vector<std::int32_t> const& capacity_;
  std::size_t months_;
  potential_load const& load_;
  std::vector<std::uint8_t> const& open_;
  lemon::Lp lp_;
  std::vector<lemon::Lp::Row> rows_;
  std::vector<lemon::Lp::Col> cols_;
  std::vector<int> once_row_;
  std::vector<int> first_col_;
  std::vector<int> capacity_row_;
  std::vector<std::uint8_t> in_lp_;
  std::vector<double> mu_before_;
};

}  // namespace

bound_result year_bound(candidates const& c, std::vector<bound_request> const& requests,
                        std::vector<std::int32_t> const& capacity, int months) {
  bound_result out;
  out.solved = true;
  if (requests.empty() || months <= 0 || capacity.empty()) {
    return out;
  }
  auto const o = build_options(c, requests, capacity, months);
  potential_load load(capacity.size(), months);
  for (std::size_t r = 0; r < requests.size(); ++r) {
    load.add_request(o, r, places_of(requests[r]));
  }
  auto const open = place_uncontested(o, requests, capacity, load, out);
  if (std::none_of(open.begin(), open.end(), [](std::uint8_t a) { return a != 0; })) {
    return out;
  }
  if (!column_generation{o, requests, capacity, months, load, open}.solve(out)) {
    return bound_result{};
  }
  return out;
}

}  // namespace avip::sim
