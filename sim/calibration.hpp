#pragma once

#include <string>
#include <vector>

#include "sim/engine.hpp"
#include "sim/params.hpp"
#include "sim/world.hpp"

namespace avip::sim {

/// The observed figures the model is fitted to (inputs of the fit); every other observed figure is
/// kept apart to validate it (DESIGN: validate outputs, not inputs).
struct fit_targets {
  double parents{39.0};             ///< AVIP parents in the evaluated structures (seed 000, 2023)
  double exit_share_seeking{0.63};  ///< of exits, parents still seeking a job (seed 000, 2023)
};

/// One fitted parameter: its name (as in scenario params), the value found, the observed figure it was
/// fitted to, and what the model gives with the value found.
struct fitted_param {
  std::string name;
  double value{0.0};
  std::string target;
  double observed{0.0};
  double simulated{0.0};
};

/// Fits `awareness_rate` (the funnel's unknown share) to the parents observed and
/// `monthly_job_finding_probability` to the share of exits still seeking, by bisection on the means
/// over `options.replications` replications (common random numbers: the same seed at every step, so
/// the means move monotonically), alternating twice since each parameter moves both figures a little.
/// Returns the fitted parameters; `p` is updated with them.
std::vector<fitted_param> fit(world const& w, params& p, fit_targets const& targets, run_options options);

}  // namespace avip::sim
