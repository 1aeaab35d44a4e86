#pragma once

#include <cstdint>
#include <vector>

#include "sensitivity/design.hpp"

namespace avip::sensitivity {

/// Morris elementary effects of one factor over the trajectories, in output units per unit of the
/// factor's [0, 1] scale (as SALib's morris.analyze): μ (mean), μ* (mean of absolute values,
/// Campolongo et al. 2007) and σ (standard deviation, n − 1).
struct morris_index {
  double mu{0.0};
  double mu_star{0.0};
  double sigma{0.0};
};

/// `y` holds the model output at every point of `d` (same order).
std::vector<morris_index> morris_indices(morris_design const& d, std::vector<double> const& y);

/// First-order (S1, Saltelli 2010) and total (ST, Jansen 1999) Sobol' indices with percentile bootstrap
/// intervals (resampling the base rows; `level` 0.90 gives the 5th and 95th percentiles).
struct sobol_index {
  double s1{0.0}, s1_low{0.0}, s1_high{0.0};
  double st{0.0}, st_low{0.0}, st_high{0.0};
};

/// `y` holds the model output at every point of `d` (same order). With a constant output (zero
/// variance) every index is 0.
std::vector<sobol_index> sobol_indices(saltelli_design const& d, std::vector<double> const& y,
                                       int bootstrap = 1000, double level = 0.90, std::uint64_t seed = 1);

}  // namespace avip::sensitivity
