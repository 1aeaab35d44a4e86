// The set-cover form of the coverage model (capacities that never bind, e.g. a maximal covering location
// problem): a swap local search that improves a portfolio, and the Lagrangian bound of the coverage rows.
// Both read make_cover_lists; neither applies to models whose capacities can bind.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>

#include "optimize/solvers.hpp"

namespace avip::optimize {

namespace {

constexpr double kEps = 1e-9;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

portfolio improve_by_swaps(coverage_model const& m, limits const& l, portfolio const& start, double seconds) {
  auto const t0 = std::chrono::steady_clock::now();
  auto const c = make_cover_lists(m);
  auto const na = static_cast<std::uint32_t>(m.actions());
  auto const nn = m.nodes();
  std::vector<std::uint32_t> chosen = start.actions;
  std::vector<std::uint8_t> in(na, 0);
  std::vector<int> group_count(static_cast<std::size_t>(m.groups), 0);
  std::vector<std::uint32_t> count(nn, 0);  // chosen actions covering each node
  double cost = 0;
  for (auto x : chosen) {
    in[x] = 1;
    cost += m.cost[x];
    if (m.group[x] >= 0) {
      ++group_count[static_cast<std::size_t>(m.group[x])];
    }
    for (auto i = c.action_offsets[x]; i < c.action_offsets[x + 1]; ++i) {
      ++count[c.action_nodes[i]];
    }
  }
  auto place = [&](std::uint32_t x, int sign) {
    for (auto i = c.action_offsets[x]; i < c.action_offsets[x + 1]; ++i) {
      count[c.action_nodes[i]] += static_cast<std::uint32_t>(sign);
    }
    in[x] = sign > 0 ? 1 : 0;
    cost += sign * m.cost[x];
    if (m.group[x] >= 0) {
      group_count[static_cast<std::size_t>(m.group[x])] += sign;
    }
  };
  std::vector<double> gain(na, 0.0);
  std::vector<std::uint32_t> touched;
  // First improvement over the chosen actions, best replacement for each: take x out, price every action
  // by the demand only it would cover then (from the uncovered nodes' lists), put the best one in if it
  // covers more than x did alone and fits the budget and the groups; else put x back.
  bool improved = true;
  while (improved && seconds_since(t0) < seconds) {
    improved = false;
    for (std::size_t k = 0; k < chosen.size() && seconds_since(t0) < seconds; ++k) {
      auto const x = chosen[k];
      double loss = 0;
      for (auto i = c.action_offsets[x]; i < c.action_offsets[x + 1]; ++i) {
        auto const n = c.action_nodes[i];
        loss += count[n] == 1 ? m.demand[n] : 0.0;
      }
      place(x, -1);
      for (std::uint32_t n = 0; n < nn; ++n) {
        if (count[n] != 0 || c.base_covered[n] != 0) {
          continue;
        }
        for (auto i = c.node_offsets[n]; i < c.node_offsets[n + 1]; ++i) {
          auto const y = c.node_actions[i];
          if (gain[y] == 0.0) {
            touched.push_back(y);
          }
          gain[y] += m.demand[n];
        }
      }
      std::uint32_t best = x;
      double best_gain = loss + kEps * std::max(1.0, loss);
      for (auto y : touched) {
        if (in[y] == 0 && y != x && gain[y] > best_gain && cost + m.cost[y] <= l.budget + 1e-6 &&
            (m.group[y] < 0 || group_count[static_cast<std::size_t>(m.group[y])] == 0)) {
          best = y;
          best_gain = gain[y];
        }
      }
      for (auto y : touched) {
        gain[y] = 0.0;
      }
      touched.clear();
      place(best, +1);
      if (best != x) {
        chosen[k] = best;
        improved = true;
      }
    }
  }
  auto p = order_by_gain(m, chosen);
  return p.covered > start.covered + kEps ? p : start;
}

lagrangian_result lagrangian_bound(coverage_model const& m, limits const& l, double lower, double seconds,
                                   int max_iterations) {
  auto const t0 = std::chrono::steady_clock::now();
  auto const c = make_cover_lists(m);
  auto const na = m.actions();
  auto const nn = m.nodes();
  // Relaxing y_n ≤ Σ_{a covers n} x_a with multipliers λ_n in [0, w_n] leaves, for any λ, the upper bound
  //   L(λ) = base + Σ_n max(0, w_n − λ_n) + max { Σ_a v_a x_a : budget, count, groups },  v_a = Σ_{n ∈ a}
  //   λ_n,
  // the inner maximum itself bounded from above by the smaller of its two relaxations: the fractional
  // knapsack of the budget (groups dropped), and the count's best values (one per group). Every L(λ) is
  // a valid bound; a subgradient descent (Polyak steps towards `lower`) makes it tight.
  lagrangian_result r;
  double base = m.constant;
  std::vector<double> w(nn, 0.0);
  for (std::size_t n = 0; n < nn; ++n) {
    if (c.base_covered[n] != 0) {
      base += m.demand[n];
    } else if (c.node_offsets[n + 1] > c.node_offsets[n]) {
      w[n] = m.demand[n];  // nodes no action reaches are never covered: they add nothing
    }
  }
  std::vector<double> lambda(nn);
  for (std::size_t n = 0; n < nn; ++n) {
    lambda[n] = 0.5 * w[n];
  }
  std::vector<double> v(na);
  std::vector<double> xs(na);
  std::vector<std::uint32_t> order(na);
  std::vector<double> subgradient(nn);
  std::vector<double> best_in_group(static_cast<std::size_t>(m.groups));
  std::vector<std::int64_t> best_of_group(static_cast<std::size_t>(m.groups));
  double step = 1.0;
  int since_better = 0;
  r.bound = std::numeric_limits<double>::infinity();
  for (r.iterations = 0; r.iterations < max_iterations && seconds_since(t0) < seconds; ++r.iterations) {
    std::fill(v.begin(), v.end(), 0.0);
    double value = base;
    for (std::size_t n = 0; n < nn; ++n) {
      value += std::max(0.0, w[n] - lambda[n]);
      for (auto i = c.node_offsets[n]; i < c.node_offsets[n + 1]; ++i) {
        v[c.node_actions[i]] += lambda[n];
      }
    }
    // The budget's fractional knapsack.
    std::iota(order.begin(), order.end(), 0U);
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      return v[a] * m.cost[b] > v[b] * m.cost[a] || (v[a] * m.cost[b] == v[b] * m.cost[a] && a < b);
    });
    std::fill(xs.begin(), xs.end(), 0.0);
    double knapsack = 0;
    double room = l.budget;
    for (auto a : order) {
      if (v[a] <= 0) {
        continue;
      }
      double const take = m.cost[a] <= 0 ? 1.0 : std::min(1.0, room / m.cost[a]);
      if (take <= 0) {
        break;
      }
      xs[a] = take;
      knapsack += take * v[a];
      room -= take * m.cost[a];
    }
    double inner = knapsack;
    if (l.max_actions >= 0) {
      // The count's best values, one per exclusive group.
      std::fill(best_in_group.begin(), best_in_group.end(), 0.0);
      std::fill(best_of_group.begin(), best_of_group.end(), -1);
      std::vector<std::uint32_t> pool;
      for (std::uint32_t a = 0; a < na; ++a) {
        if (v[a] <= 0 || m.cost[a] > l.budget + 1e-6) {
          continue;
        }
        if (auto const g = m.group[a]; g >= 0) {
          auto& b = best_of_group[static_cast<std::size_t>(g)];
          if (b < 0 || v[a] > best_in_group[static_cast<std::size_t>(g)]) {
            b = a;
            best_in_group[static_cast<std::size_t>(g)] = v[a];
          }
        } else {
          pool.push_back(a);
        }
      }
      for (auto b : best_of_group) {
        if (b >= 0) {
          pool.push_back(static_cast<std::uint32_t>(b));
        }
      }
      auto const k = std::min(pool.size(), static_cast<std::size_t>(l.max_actions));
      std::partial_sort(
          pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(k), pool.end(),
          [&](std::uint32_t a, std::uint32_t b) { return v[a] > v[b] || (v[a] == v[b] && a < b); });
      double top = 0;
      for (std::size_t i = 0; i < k; ++i) {
        top += v[pool[i]];
      }
      if (top < inner) {
        inner = top;
        std::fill(xs.begin(), xs.end(), 0.0);
        for (std::size_t i = 0; i < k; ++i) {
          xs[pool[i]] = 1.0;
        }
      }
    }
    value += inner;
    if (r.iterations == 0 || value < r.bound - 1e-9 * std::max(1.0, r.bound)) {
      r.bound = value;
      since_better = 0;
    } else if (++since_better >= 30) {
      step *= 0.5;
      since_better = 0;
    }
    if (step < 1e-5 || r.bound <= lower * (1 + 1e-12)) {
      ++r.iterations;
      break;
    }
    // Subgradient of L at λ: the covering actions' x minus whether y_n was taken.
    double norm = 0;
    for (std::size_t n = 0; n < nn; ++n) {
      double s = w[n] > lambda[n] ? -1.0 : 0.0;
      for (auto i = c.node_offsets[n]; i < c.node_offsets[n + 1]; ++i) {
        s += xs[c.node_actions[i]];
      }
      subgradient[n] = w[n] > 0 ? s : 0.0;
      norm += subgradient[n] * subgradient[n];
    }
    if (norm <= 0) {
      ++r.iterations;
      break;  // λ is optimal: L(λ) is the linear relaxation's value
    }
    double const t = step * std::max(r.bound - lower, 1e-9 * std::max(1.0, r.bound)) / norm;
    for (std::size_t n = 0; n < nn; ++n) {
      lambda[n] = std::clamp(lambda[n] - t * subgradient[n], 0.0, w[n]);
    }
  }
  r.seconds = seconds_since(t0);
  return r;
}

}  // namespace avip::optimize
