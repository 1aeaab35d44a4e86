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
/// When no capacity binds (capacities_never_bind), coverage is a weighted set cover: a node is covered
/// once any action of any of its arcs' enablers is chosen, so an action's gain is the demand of the
/// uncovered nodes it reaches, counted in O(its nodes) instead of by a maximum flow.
class cover_index {
 public:
  explicit cover_index(coverage_model const& m) : m_{&m}, lists_{make_cover_lists(m)}, value_{m.constant} {
    auto const na = m.actions();
    done_ = lists_.base_covered;
    for (std::size_t n = 0; n < m.nodes(); ++n) {
      value_ += done_[n] != 0 ? m.demand[n] : 0.0;
    }
    gains_.assign(na, 0.0);
    for (std::size_t x = 0; x < na; ++x) {
      for (auto i = lists_.action_offsets[x]; i < lists_.action_offsets[x + 1]; ++i) {
        gains_[x] += m.demand[lists_.action_nodes[i]];
      }
    }
  }
  /// Demand covered now, the constant included.
  [[nodiscard]] double value() const { return value_; }
  /// What taking `x` would add (kept up to date as nodes get covered).
  [[nodiscard]] double gain(std::uint32_t x) const { return gains_[x]; }
  void take(std::uint32_t x) {
    auto const& m = *m_;
    for (auto i = lists_.action_offsets[x]; i < lists_.action_offsets[x + 1]; ++i) {
      auto const n = lists_.action_nodes[i];
      if (done_[n] != 0) {
        continue;
      }
      done_[n] = 1;
      value_ += m.demand[n];
      for (auto j = lists_.node_offsets[n]; j < lists_.node_offsets[n + 1]; ++j) {
        gains_[lists_.node_actions[j]] -= m.demand[n];
      }
    }
    gains_[x] = 0.0;
  }

 private:
  coverage_model const* m_;
  cover_lists lists_;
  std::vector<std::uint8_t> done_;
  double value_;
  std::vector<double> gains_;  ///< per action: the demand of its nodes not yet covered
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
