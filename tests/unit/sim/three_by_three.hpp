#pragma once

#include <cstdint>

#include "sim/fca.hpp"

namespace avip::sim::testing {

/// The hand-computed example of the accessibility tests: demand points i (D = 100, 50, 10), facilities j
/// (S = 10, 20, 5), travel costs in minutes
///            j0   j1   j2
///   i0        5   15   40
///   i1       25    8   12
///   i2       35   28    3
/// as the pairs within 30 minutes, with their costs and the weights `w(cost)`.
template <typename Weight>
fca_pairs three_by_three(Weight w) {
  double const cost[3][3] = {{5, 15, 40}, {25, 8, 12}, {35, 28, 3}};
  fca_pairs p;
  p.offsets = {0};
  for (auto const& row : cost) {
    for (std::uint32_t j = 0; j < 3; ++j) {
      if (row[j] <= 30) {
        p.supply.push_back(j);
        p.cost.push_back(row[j]);
        p.weight.push_back(w(row[j]));
      }
    }
    p.offsets.push_back(static_cast<std::uint32_t>(p.supply.size()));
  }
  return p;
}

}  // namespace avip::sim::testing
