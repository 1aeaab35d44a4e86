#include "sim/calibration.hpp"

#include <cmath>
#include <functional>

namespace avip::sim {

namespace {

/// Bisection of an increasing (or decreasing) mean response on [lo, hi] to reach `target`.
double bisect(double lo, double hi, double target, bool increasing, int steps,
              std::function<double(double)> const& response) {
  for (int i = 0; i < steps; ++i) {
    double const mid = 0.5 * (lo + hi);
    bool const below = response(mid) < target;
    if (below == increasing) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return 0.5 * (lo + hi);
}

}  // namespace

std::vector<fitted_param> fit(world const& w, params& p, fit_targets const& targets, run_options options) {
  options.progress = false;
  auto parents = [&](params const& q) { return run(w, q, options).validation.parents.mean(); };
  auto seeking = [&](params const& q) { return run(w, q, options).validation.exit_share_seeking.mean(); };
  for (int round = 0; round < 2; ++round) {
    p.awareness_rate = bisect(0.0, 1.0, targets.parents, true, 14, [&](double x) {
      auto q = p;
      q.awareness_rate = x;
      return parents(q);
    });
    // More jobs found, fewer parents still seeking when they leave.
    p.monthly_job_finding_probability =
        bisect(0.0, 0.5, targets.exit_share_seeking, false, 12, [&](double x) {
          auto q = p;
          q.monthly_job_finding_probability = x;
          return seeking(q);
        });
  }
  auto const r = run(w, p, options);
  return {{"awareness_rate", p.awareness_rate, "AVIP parents in the evaluated structures (2023)",
           targets.parents, r.validation.parents.mean()},
          {"monthly_job_finding_probability", p.monthly_job_finding_probability,
           "share of exits still seeking a job (2023)", targets.exit_share_seeking,
           r.validation.exit_share_seeking.mean()}};
}

}  // namespace avip::sim
