#include <algorithm>
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

portfolio greedy(coverage_model const& m, limits const& l) {
  flow_state state{m};
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
    if (m.cost[a] > l.budget + 1e-6 || l.max_actions == 0) {
      continue;
    }
    double const gain = state.value_with(a) - base;
    heap.push({ratio(gain, m.cost[a]), gain, a, 0});
    if (gain > best_single.covered - base + kGainEps ||
        (std::abs(gain - (best_single.covered - base)) <= kGainEps && !best_single.actions.empty() &&
         m.cost[a] < best_single.cost)) {
      if (gain > kGainEps) {
        best_single = {{a}, {gain}, m.cost[a], base + gain};
      }
    }
  }
  portfolio p;
  p.covered = base;
  std::vector<std::uint8_t> group_used(static_cast<std::size_t>(m.groups), 0);
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

portfolio order_by_gain(coverage_model const& m, std::vector<std::uint32_t> const& actions) {
  flow_state state{m};
  portfolio p;
  p.covered = state.value();
  std::vector<std::uint32_t> left = actions;
  while (!left.empty()) {
    std::size_t best = 0;
    double best_ratio = -1;
    double best_gain = 0;
    for (std::size_t i = 0; i < left.size(); ++i) {
      double const gain = state.value_with(left[i]) - state.value();
      double const r = ratio(gain, m.cost[left[i]]);
      if (r > best_ratio) {
        best_ratio = r;
        best = i;
        best_gain = gain;
      }
    }
    state.add(left[best]);
    p.actions.push_back(left[best]);
    p.marginal.push_back(best_gain);
    p.cost += m.cost[left[best]];
    left.erase(left.begin() + static_cast<std::ptrdiff_t>(best));
  }
  p.covered = state.value();
  return p;
}

}  // namespace avip::optimize
