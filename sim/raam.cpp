#include "sim/raam.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>

#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include "core/error.hpp"

namespace avip::sim {

namespace {

/// The demand points that take part (demand > 0 and at least one facility with places in reach), with
/// their usable pairs, travel already divided by τ.
struct raam_problem {
  std::vector<std::uint32_t> point;    ///< row → demand point
  std::vector<std::uint32_t> offsets;  ///< row → its pairs
  flat_vector<std::uint32_t> supply;
  flat_vector<double> travel;
};

/// Takes the pair list over: travel = cost / τ in place of the costs, the weights dropped, and the pairs
/// of facilities without places (or of demand points without demand) compacted away, so that RAAM needs no
/// second copy of the pairs.
raam_problem usable_pairs(std::vector<double> const& demand, std::vector<double> const& supply,
                          fca_pairs pairs, double tau) {
  auto usable = [&](std::uint32_t k) { return supply[pairs.supply[k]] > 0; };
  std::size_t const n = pairs.demand_count();
  std::vector<std::uint32_t> count(n, 0);
  tbb::parallel_for(std::size_t{0}, n, [&](std::size_t i) {
    if (demand[i] > 0) {
      for (auto k = pairs.offsets[i]; k < pairs.offsets[i + 1]; ++k) {
        count[i] += usable(k) ? 1U : 0U;
      }
    }
  });
  raam_problem q;
  q.offsets.push_back(0);
  for (std::size_t i = 0; i < n; ++i) {
    if (count[i] > 0) {
      q.point.push_back(static_cast<std::uint32_t>(i));
      q.offsets.push_back(q.offsets.back() + count[i]);
    }
  }
  pairs.weight = {};
  if (q.offsets.back() == pairs.size()) {  // every pair is usable: divide in place, in parallel
    tbb::parallel_for(tbb::blocked_range<std::size_t>{0, pairs.size(), 1U << 16U}, [&](auto const& r) {
      for (auto k = r.begin(); k != r.end(); ++k) {
        pairs.cost[k] /= tau;
      }
    });
  } else {  // compact in place, in order (each pair moves to a position ≤ its own)
    std::uint32_t at = 0;
    for (auto i : q.point) {
      for (auto k = pairs.offsets[i]; k < pairs.offsets[i + 1]; ++k) {
        if (usable(k)) {
          pairs.supply[at] = pairs.supply[k];
          pairs.cost[at] = pairs.cost[k] / tau;
          ++at;
        }
      }
    }
    pairs.supply.resize(at);
    pairs.cost.resize(at);
  }
  q.supply = std::move(pairs.supply);
  q.travel = std::move(pairs.cost);
  return q;
}

/// A demand point's assignment: the (pair, amount) entries that are not zero, in the order they appeared.
struct share {
  std::uint32_t pair;
  double amount;
};

struct move {
  std::uint32_t to{0};    ///< pair of the cheapest facility
  std::uint32_t from{0};  ///< pair of the costliest facility in use
  double amount{0};
};

/// The first pair of [begin, end) with the least total cost (congestion + travel), as numpy's argmin.
/// Two scans with no data-dependent branch in the long one: the least cost with four independent running
/// minima (no chain of dependent comparisons), then the first pair at that cost.
std::uint32_t cheapest(raam_problem const& q, std::vector<double> const& congestion, std::uint32_t begin,
                       std::uint32_t end) {
  constexpr std::uint32_t lanes = 4;
  std::array<double, lanes> best;
  best.fill(std::numeric_limits<double>::infinity());
  auto k = begin;
  for (; k + lanes <= end; k += lanes) {
    for (std::uint32_t l = 0; l < lanes; ++l) {
      best[l] = std::min(best[l], congestion[q.supply[k + l]] + q.travel[k + l]);
    }
  }
  for (; k < end; ++k) {
    best[0] = std::min(best[0], congestion[q.supply[k]] + q.travel[k]);
  }
  double const least = std::min(std::min(best[0], best[1]), std::min(best[2], best[3]));
  for (k = begin; k < end; ++k) {
    if (congestion[q.supply[k]] + q.travel[k] == least) {
      return k;
    }
  }
  return begin;  // not reached with finite costs
}

}  // namespace

std::vector<double> raam(std::vector<double> const& demand, std::vector<double> const& supply,
                         fca_pairs pairs, raam_params const& p) {
  if (p.max_cycles < 1 || !(p.tau > 0) || !(p.half_life > 0)) {
    throw data_error{
        fmt::format("RAAM: max_cycles ≥ 1, tau > 0 and half_life > 0 are required (got {}, {}, {})",
                    p.max_cycles, p.tau, p.half_life)};
  }
  std::vector<double> result(demand.size(), std::numeric_limits<double>::quiet_NaN());
  auto const q = usable_pairs(demand, supply, std::move(pairs), p.tau);
  std::size_t const rows = q.point.size();
  if (rows == 0) {
    return result;
  }
  double rho = p.rho;
  if (!(rho > 0)) {
    double total_demand = 0;
    double total_supply = 0;
    for (double d : demand) {
      total_demand += d > 0 ? d : 0.0;
    }
    for (double s : supply) {
      total_supply += s > 0 ? s : 0.0;
    }
    rho = total_demand / total_supply;
  }
  std::vector<double> scaled(supply.size());
  for (std::size_t j = 0; j < supply.size(); ++j) {
    scaled[j] = supply[j] * rho;
  }

  // Everyone starts at the nearest facility (the first of equal travel costs).
  std::vector<std::vector<share>> assignment(rows);
  tbb::parallel_for(std::size_t{0}, rows, [&](std::size_t r) {
    auto best = q.offsets[r];
    for (auto k = q.offsets[r] + 1; k < q.offsets[r + 1]; ++k) {
      if (q.travel[k] < q.travel[best]) {
        best = k;
      }
    }
    assignment[r] = {{best, demand[q.point[r]]}};
  });

  std::vector<double> at_supply(supply.size());
  std::vector<double> congestion(supply.size());
  std::vector<double> into(supply.size());
  std::vector<move> moves(rows);
  for (int cycle = 0; cycle < p.max_cycles; ++cycle) {
    std::fill(at_supply.begin(), at_supply.end(), 0.0);
    for (std::size_t r = 0; r < rows; ++r) {
      for (auto const& s : assignment[r]) {
        at_supply[q.supply[s.pair]] += s.amount;
      }
    }
    for (std::size_t j = 0; j < supply.size(); ++j) {
      congestion[j] = scaled[j] > 0 ? at_supply[j] / scaled[j] : 0.0;
    }
    double step = p.initial_step * std::pow(0.5, cycle / p.half_life);
    step = std::max(step, p.min_step);

    tbb::parallel_for(tbb::blocked_range<std::size_t>{0, rows, 256}, [&](auto const& range) {
      for (auto r = range.begin(); r != range.end(); ++r) {
        auto const lmin = cheapest(q, congestion, q.offsets[r], q.offsets[r + 1]);
        auto const& held = assignment[r];
        std::uint32_t lmax = held.front().pair;
        double cmax = -std::numeric_limits<double>::infinity();
        double drlmax = 0;
        double drlmin = 0;
        for (auto const& s : held) {
          double const c = congestion[q.supply[s.pair]] + q.travel[s.pair];
          if (c > cmax || (c == cmax && s.pair < lmax)) {
            cmax = c;
            lmax = s.pair;
            drlmax = s.amount;
          }
          if (s.pair == lmin) {
            drlmin = s.amount;
          }
        }
        move m{lmin, lmax, 0.0};
        if (lmin != lmax) {
          auto const jmin = q.supply[lmin];
          auto const jmax = q.supply[lmax];
          double const slmin = scaled[jmin];
          double const slmax = scaled[jmax];
          double const dr = drlmin + drlmax;
          double const other_min = at_supply[jmin] - drlmin;
          double const other_max = at_supply[jmax] - drlmax;
          double const target =
              ((slmin * slmax) / (slmin + slmax)) *
              ((q.travel[lmax] - q.travel[lmin]) + (dr + other_max) / slmax - other_min / slmin);
          double delta = std::min(target - drlmin, drlmax);
          delta = std::trunc(std::min(delta, step * demand[q.point[r]]));
          m.amount = delta;
        }
        moves[r] = m;
      }
    });

    if (cycle < p.limit_initial) {
      // "We don't want attractive locations getting mobbed": moves into a facility beyond its (scaled)
      // size are scaled down to it.
      std::fill(into.begin(), into.end(), 0.0);
      for (std::size_t r = 0; r < rows; ++r) {
        into[q.supply[moves[r].to]] += moves[r].amount;
      }
      tbb::parallel_for(std::size_t{0}, rows, [&](std::size_t r) {
        double const scale = std::max(into[q.supply[moves[r].to]] / scaled[q.supply[moves[r].to]], 1.0);
        moves[r].amount = std::nearbyint(moves[r].amount / scale);
      });
    }

    if (p.bar != nullptr) {
      p.bar->advance();
    }
    bool const last = cycle + 1 == p.max_cycles;
    tbb::parallel_for(std::size_t{0}, rows, [&](std::size_t r) {
      auto const& m = moves[r];
      auto& held = assignment[r];
      if (m.amount != 0) {
        auto to = std::find_if(held.begin(), held.end(), [&](share const& s) { return s.pair == m.to; });
        if (to == held.end()) {
          held.push_back({m.to, m.amount});
        } else {
          to->amount += m.amount;
        }
        auto from = std::find_if(held.begin(), held.end(), [&](share const& s) { return s.pair == m.from; });
        from->amount -= m.amount;
        held.erase(std::remove_if(held.begin(), held.end(), [](share const& s) { return s.amount == 0; }),
                   held.end());
      }
      if (last) {
        // The cost of the final assignment at the congestion of this cycle's start, as PySAL reports it.
        double cost = 0;
        double total = 0;
        for (auto const& s : held) {
          cost += (congestion[q.supply[s.pair]] + q.travel[s.pair]) * s.amount;
          total += s.amount;
        }
        result[q.point[r]] = cost / total;
      }
    });
  }
  return result;
}

}  // namespace avip::sim
