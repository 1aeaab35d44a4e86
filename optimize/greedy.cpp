#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <queue>

#include "optimize/flow_state.hpp"
#include "optimize/solvers.hpp"

namespace avip::optimize {

namespace {
constexpr double kGainEps = 1e-9;

double ratio(double gain, double cost) {
  return cost <= 0 ? (gain > kGainEps ? std::numeric_limits<double>::infinity() : 0.0) : gain / cost;
}
/// The greedy when no capacity binds (capacities_never_bind): coverage is then a weighted set cover,
/// a node being covered once any action of any of its arcs' enablers is chosen, so an action's gain is
/// the demand of the uncovered nodes it reaches, kept per action and re-evaluated lazily in
/// O(its nodes) instead of a maximum flow per evaluation.
/// When no capacity binds (capacities_never_bind), coverage is a weighted set cover: a node is covered
/// once any action of any of its arcs' enablers is chosen, so an action's gain is the demand of the
/// uncovered nodes it reaches, counted in O(its nodes) instead of by a maximum flow.
class cover_index {
 public:
  explicit cover_index(coverage_model const& m) : m_{&m}, done_(m.nodes(), 0), value_{m.constant} {
    auto const na = m.actions();
    auto const nn = m.nodes();
    offsets_.assign(na + 1, 0);
    std::vector<std::uint32_t> last(na, UINT32_MAX);
    auto for_each_action = [&](std::uint32_t n, auto&& f) {
      for (auto a = m.arc_offsets[n]; a < m.arc_offsets[n + 1]; ++a) {
        auto const e = m.arc_enabler[a];
        for (auto i = m.enabler_offsets[e]; i < m.enabler_offsets[e + 1]; ++i) {
          auto const x = m.enabler_action[i];
          if (last[x] != n) {  // each node once per action
            last[x] = n;
            f(x);
          }
        }
      }
    };
    for (std::uint32_t n = 0; n < nn; ++n) {
      for (auto a = m.arc_offsets[n]; a < m.arc_offsets[n + 1]; ++a) {
        done_[n] = m.arc_enabler[a] == 0 ? 1 : done_[n];
      }
      if (done_[n] != 0) {
        value_ += m.demand[n];
        continue;
      }
      for_each_action(n, [&](std::uint32_t x) { ++offsets_[x + 1]; });
    }
    for (std::size_t x = 0; x < na; ++x) {
      offsets_[x + 1] += offsets_[x];
    }
    nodes_.resize(offsets_[na]);
    auto fill = offsets_;
    std::fill(last.begin(), last.end(), UINT32_MAX);
    for (std::uint32_t n = 0; n < nn; ++n) {
      if (done_[n] == 0) {
        for_each_action(n, [&](std::uint32_t x) { nodes_[fill[x]++] = n; });
      }
    }
    gains_.assign(na, 0.0);
    for (std::size_t x = 0; x < na; ++x) {
      for (auto i = offsets_[x]; i < offsets_[x + 1]; ++i) {
        gains_[x] += m.demand[nodes_[i]];
      }
    }
    seen_.assign(na, 0);
  }
  /// Demand covered now, the constant included.
  [[nodiscard]] double value() const { return value_; }
  /// What taking `x` would add (kept up to date as nodes get covered).
  [[nodiscard]] double gain(std::uint32_t x) const { return gains_[x]; }
  void take(std::uint32_t x) {
    auto const& m = *m_;
    for (auto i = offsets_[x]; i < offsets_[x + 1]; ++i) {
      auto const n = nodes_[i];
      if (done_[n] != 0) {
        continue;
      }
      done_[n] = 1;
      value_ += m.demand[n];
      ++stamp_;
      for (auto a = m.arc_offsets[n]; a < m.arc_offsets[n + 1]; ++a) {
        auto const e = m.arc_enabler[a];
        for (auto j = m.enabler_offsets[e]; j < m.enabler_offsets[e + 1]; ++j) {
          auto const y = m.enabler_action[j];
          if (seen_[y] != stamp_) {
            seen_[y] = stamp_;
            gains_[y] -= m.demand[n];
          }
        }
      }
    }
    gains_[x] = 0.0;
  }

 private:
  coverage_model const* m_;
  std::vector<std::uint8_t> done_;
  double value_;
  std::vector<std::uint32_t> offsets_;  ///< action → its nodes (CSR)
  std::vector<std::uint32_t> nodes_;
  std::vector<double> gains_;  ///< per action: the demand of its nodes not yet covered
  std::vector<std::uint32_t> seen_;
  std::uint32_t stamp_{0};
};

/// The cost-benefit greedy in its set-cover form (see cover_index): gains are exact at every step, so
/// each step scans the actions once (no lazy heap needed).
portfolio set_cover_greedy(coverage_model const& m, limits const& l) {
  auto const na = static_cast<std::uint32_t>(m.actions());
  cover_index cover{m};
  double const base = cover.value();
  portfolio best_single;
  best_single.covered = base;
  std::vector<std::uint8_t> out(na, 0);  // chosen, or can no longer fit
  for (std::uint32_t x = 0; x < na; ++x) {
    if (m.cost[x] > l.budget + 1e-6 || l.max_actions == 0) {
      out[x] = 1;
    } else if (cover.gain(x) > best_single.covered - base + kGainEps) {
      best_single = {{x}, {cover.gain(x)}, m.cost[x], base + cover.gain(x)};
    }
  }
  portfolio p;
  p.covered = base;
  std::vector<std::uint8_t> group_used(static_cast<std::size_t>(m.groups), 0);
  while (l.max_actions < 0 || static_cast<int>(p.actions.size()) < l.max_actions) {
    std::uint32_t best = na;
    double best_ratio = -1;
    for (std::uint32_t x = 0; x < na; ++x) {
      if (out[x] != 0) {
        continue;
      }
      if (p.cost + m.cost[x] > l.budget + 1e-6 ||
          (m.group[x] >= 0 && group_used[static_cast<std::size_t>(m.group[x])] != 0)) {
        out[x] = 1;  // the remaining budget only shrinks: it never fits again
        continue;
      }
      double const r = ratio(cover.gain(x), m.cost[x]);
      if (r > best_ratio) {
        best_ratio = r;
        best = x;
      }
    }
    if (best == na || cover.gain(best) <= kGainEps) {
      break;  // nothing left fits or adds coverage
    }
    double const gain = cover.gain(best);
    cover.take(best);
    out[best] = 1;
    p.actions.push_back(best);
    p.marginal.push_back(gain);
    p.cost += m.cost[best];
    p.covered = cover.value();
    if (m.group[best] >= 0) {
      group_used[static_cast<std::size_t>(m.group[best])] = 1;
    }
  }
  return best_single.covered > p.covered + kGainEps ? best_single : p;
}

}  // namespace

bool feasible(coverage_model const& m, std::vector<std::uint32_t> const& actions, limits const& l) {
  double cost = 0;
  std::vector<int> used(static_cast<std::size_t>(m.groups), 0);
  for (auto a : actions) {
    cost += m.cost[a];
    if (m.group[a] >= 0 && ++used[static_cast<std::size_t>(m.group[a])] > 1) {
      return false;
    }
  }
  return cost <= l.budget * (1 + 1e-12) + 1e-6 &&
         (l.max_actions < 0 || static_cast<int>(actions.size()) <= l.max_actions);
}

portfolio greedy(coverage_model const& m, limits const& l, std::vector<std::uint32_t> const& start) {
  if (start.empty() && capacities_never_bind(m)) {
    return set_cover_greedy(m, l);
  }
  flow_state state{m};
  portfolio p;
  p.covered = state.value();
  std::vector<std::uint8_t> group_used(static_cast<std::size_t>(m.groups), 0);
  for (auto const a : start) {  // the given actions first, in their order
    double const before = state.value();
    state.add(a);
    p.actions.push_back(a);
    p.marginal.push_back(state.value() - before);
    p.cost += m.cost[a];
    p.covered = state.value();
    if (m.group[a] >= 0) {
      group_used[static_cast<std::size_t>(m.group[a])] = 1;
    }
  }
  double const base = state.value();
  struct entry {
    double key;
    double gain;
    std::uint32_t action;
    int round;
    bool operator<(entry const& o) const { return key < o.key || (key == o.key && action > o.action); }
  };
  std::priority_queue<entry> heap;
  portfolio best_single;
  best_single.covered = base;
  for (std::uint32_t a = 0; a < m.actions(); ++a) {
    if (m.cost[a] > l.budget + 1e-6 || l.max_actions == 0 || state.has(a)) {
      continue;
    }
    double const gain = state.value_with(a) - base;
    heap.push({ratio(gain, m.cost[a]), gain, a, 0});
    if (!start.empty()) {
      continue;  // the best single action is the unconstrained greedy's alternative only
    }
    if (gain > best_single.covered - base + kGainEps ||
        (std::abs(gain - (best_single.covered - base)) <= kGainEps && !best_single.actions.empty() &&
         m.cost[a] < best_single.cost)) {
      if (gain > kGainEps) {
        best_single = {{a}, {gain}, m.cost[a], base + gain};
      }
    }
  }
  int round = 0;
  while (!heap.empty()) {
    auto e = heap.top();
    heap.pop();
    bool const fits =
        p.cost + m.cost[e.action] <= l.budget + 1e-6 &&
        (m.group[e.action] < 0 || group_used[static_cast<std::size_t>(m.group[e.action])] == 0) &&
        (l.max_actions < 0 || static_cast<int>(p.actions.size()) < l.max_actions);
    if (!fits) {
      continue;  // the remaining budget only shrinks: it never fits again
    }
    if (e.round != round) {  // stale: re-evaluate against the current portfolio
      double const gain = state.value_with(e.action) - state.value();
      heap.push({ratio(gain, m.cost[e.action]), gain, e.action, round});
      continue;
    }
    if (e.gain <= kGainEps) {
      break;  // nothing left adds coverage
    }
    double const before = state.value();
    state.add(e.action);
    p.actions.push_back(e.action);
    p.marginal.push_back(state.value() - before);
    p.cost += m.cost[e.action];
    p.covered = state.value();
    if (m.group[e.action] >= 0) {
      group_used[static_cast<std::size_t>(m.group[e.action])] = 1;
    }
    ++round;
  }
  if (best_single.covered > p.covered + kGainEps) {
    return best_single;
  }
  return p;
}

namespace {

/// Every action in turn, the one with the best gain per euro first, on any coverage state that can say
/// an action's gain (`gain(a)`), take it (`take(a)`) and its value (`value()`).
template <class State>
portfolio rank_all(coverage_model const& m, std::vector<std::uint32_t> left, State& state) {
  portfolio p;
  while (!left.empty()) {
    std::size_t best = 0;
    double best_ratio = -1;
    double best_gain = 0;
    for (std::size_t i = 0; i < left.size(); ++i) {
      double const gain = state.gain(left[i]);
      double const r = ratio(gain, m.cost[left[i]]);
      if (r > best_ratio) {
        best_ratio = r;
        best = i;
        best_gain = gain;
      }
    }
    state.take(left[best]);
    p.actions.push_back(left[best]);
    p.marginal.push_back(best_gain);
    p.cost += m.cost[left[best]];
    left.erase(left.begin() + static_cast<std::ptrdiff_t>(best));
  }
  p.covered = state.value();
  return p;
}

/// flow_state seen through the interface rank_all reads.
struct flow_gains {
  flow_state state;
  double gain(std::uint32_t a) { return state.value_with(a) - state.value(); }
  void take(std::uint32_t a) { state.add(a); }
  double value() { return state.value(); }
};

}  // namespace

portfolio order_by_gain(coverage_model const& m, std::vector<std::uint32_t> const& actions) {
  if (capacities_never_bind(m)) {
    cover_index cover{m};
    return rank_all(m, actions, cover);
  }
  flow_gains flow{flow_state{m}};
  return rank_all(m, actions, flow);
}

}  // namespace avip::optimize
