#pragma once

#include <optional>
#include <vector>

namespace avip::sim {

/// Gini index of `values` (non-negative), as the R `accessibility` package's gini_index: the
/// mean absolute difference over all pairs ÷ (2 × mean), computed from the sorted values:
/// G = Σ (2i − n − 1) x_(i) ÷ (n Σ x). 0 when all equal or the sum is 0.
double gini(std::vector<double> values);

/// Gini index of `values` (non-negative) where value i stands for `weights[i]` people (e.g. the
/// coverage of a commune weighted by its children under 3). Equal to gini() with unit weights.
double weighted_gini(std::vector<double> const& values, std::vector<double> const& weights);

/// Palma ratio with units ranked by income, as the accessibility literature does (Pereira et al.):
/// the units are sorted from the poorest (highest `poverty_rate`) to the richest; the ratio is
/// the mean value (weighted) of the richest 10 % of the weight ÷ that of the poorest 40 %. Units
/// straddling a boundary are split by weight. nullopt when the poorest 40 % have a mean of 0, or
/// when the weights sum to 0 or a poverty rate is NaN.
std::optional<double> palma_by_income(std::vector<double> const& values, std::vector<double> const& weights,
                                      std::vector<double> const& poverty_rate);

}  // namespace avip::sim
