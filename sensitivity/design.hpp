#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace avip::sensitivity {

/// Sample points in the unit hypercube [0, 1]^factors, row-major; each coordinate is mapped to a
/// parameter value by that parameter's distribution.
struct design {
  std::size_t factors{0};
  std::vector<double> u;  ///< points × factors

  [[nodiscard]] std::size_t points() const { return factors == 0 ? 0 : u.size() / factors; }
  [[nodiscard]] double at(std::size_t point, std::size_t factor) const { return u[point * factors + factor]; }
};

/// Morris (1991) one-at-a-time trajectories, as SALib's morris.sample without optimisation: each of
/// `trajectories` trajectories has factors + 1 points on a `levels`-level grid; consecutive points
/// differ in one factor by ±Δ, Δ = levels / (2 (levels − 1)). Seeded: the same design on any machine.
struct morris_design : design {
  int levels{4};
  double delta{0.0};
  std::size_t trajectories{0};
};
morris_design morris_trajectories(std::size_t factors, std::size_t trajectories, int levels,
                                  std::uint64_t seed);

/// Saltelli (2010) design for first-order and total Sobol' indices, on a Sobol' low-discrepancy
/// sequence of dimension 2 × factors (Boost.Random): matrices A and B of `base` rows, and A_B^i (A with
/// column i taken from B). Laid out as SALib's saltelli.sample(calc_second_order=False): for each base
/// row j, the rows A_j, A_B^1_j … A_B^k_j, B_j; base × (factors + 2) points in all.
struct saltelli_design : design {
  std::size_t base{0};
};
saltelli_design saltelli_sobol(std::size_t factors, std::size_t base);

}  // namespace avip::sensitivity
