#include "sim/equity.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.hpp"

namespace avip::sim {

double gini(std::vector<double> values) {
  auto const n = values.size();
  if (n == 0) {
    return 0.0;
  }
  std::sort(values.begin(), values.end());
  double const sum = std::accumulate(values.begin(), values.end(), 0.0);
  if (sum <= 0) {
    return 0.0;
  }
  double acc = 0;
  for (std::size_t i = 0; i < n; ++i) {
    acc += (2.0 * static_cast<double>(i + 1) - static_cast<double>(n) - 1.0) * values[i];
  }
  return acc / (static_cast<double>(n) * sum);
}

double weighted_gini(std::vector<double> const& values, std::vector<double> const& weights) {
  if (values.size() != weights.size()) {
    throw error{"weighted_gini: values and weights differ in length"};
  }
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  double total_weight = 0;
  double total_value = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    total_weight += weights[i];
    total_value += weights[i] * values[i];
  }
  if (total_weight <= 0 || total_value <= 0) {
    return 0.0;
  }
  // Σ_i Σ_j w_i w_j |x_i − x_j| ÷ (2 W² μ), μ = Σ w x ÷ W. Over the sorted values, with C_i the weight up
  // to and including i, unit i is above C_(i−1) of the weight and below W − C_i of it:
  // G = Σ_i w_i x_i (C_(i−1) + C_i − W) ÷ (W Σ w x). With unit weights, C_i = i and this is gini().
  double below = 0;
  double acc = 0;
  for (auto const i : order) {
    double const upto = below + weights[i];
    acc += weights[i] * values[i] * (below + upto - total_weight);
    below = upto;
  }
  return acc / (total_weight * total_value);
}

std::optional<double> palma_by_income(std::vector<double> const& values, std::vector<double> const& weights,
                                      std::vector<double> const& poverty_rate) {
  if (values.size() != weights.size() || values.size() != poverty_rate.size()) {
    throw error{"palma_by_income: values, weights and poverty rates differ in length"};
  }
  if (std::any_of(poverty_rate.begin(), poverty_rate.end(), [](double r) { return std::isnan(r); })) {
    return std::nullopt;
  }
  // Poorest first. Units with the same poverty rate cannot be ranked against each other: they are
  // merged into one (their weighted mean), so the ratio does not depend on the order they come in.
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return poverty_rate[a] > poverty_rate[b]; });
  struct unit {
    double weight;
    double weighted_value;  ///< Σ w x of the merged units
  };
  std::vector<unit> units;
  double total_weight = 0;
  for (std::size_t k = 0; k < order.size(); ++k) {
    auto const i = order[k];
    if (k > 0 && poverty_rate[i] == poverty_rate[order[k - 1]]) {
      units.back().weight += weights[i];
      units.back().weighted_value += weights[i] * values[i];
    } else {
      units.push_back({weights[i], weights[i] * values[i]});
    }
    total_weight += weights[i];
  }
  if (!(total_weight > 0)) {
    return std::nullopt;
  }
  // The share of [lo, hi] of the cumulated weight that each unit covers, times its mean value.
  auto const segment_mean = [&](double lo, double hi) {
    double start = 0;
    double sum = 0;
    for (auto const& u : units) {
      double const end = start + u.weight;
      double const overlap = std::min(end, hi) - std::max(start, lo);
      if (overlap > 0 && u.weight > 0) {
        sum += overlap * u.weighted_value / u.weight;
      }
      start = end;
    }
    return sum / (hi - lo);
  };
  double const poorest = segment_mean(0.0, 0.4 * total_weight);
  double const richest = segment_mean(0.9 * total_weight, total_weight);
  if (!(poorest > 0)) {
    return std::nullopt;
  }
  return richest / poorest;
}

}  // namespace avip::sim
