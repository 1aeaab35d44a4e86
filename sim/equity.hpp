#pragma once

#include <vector>

namespace avip::sim {

/// Gini index of `values` (non-negative), as the R `accessibility` package's gini_index: the
/// mean absolute difference over all pairs ÷ (2 × mean), computed from the sorted values:
/// G = Σ (2i − n − 1) x_(i) ÷ (n Σ x). 0 when all equal or the sum is 0.
double gini(std::vector<double> values);

/// Palma ratio as the `accessibility` package's palma_ratio: the mean value of the richest 10 % ÷ the
/// mean of the poorest 40 % (here: the best- and worst-covered cells). 0 when the poorest 40 % have 0.
double palma(std::vector<double> values);

}  // namespace avip::sim
