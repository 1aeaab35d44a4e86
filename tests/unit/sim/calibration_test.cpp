#include <catch2/catch.hpp>

#include "mini_world.hpp"
#include "sim/calibration.hpp"

using namespace avip::sim;
using avip::sim::testing::mini_world;

TEST_CASE("the fit recovers the awareness and job-finding rates that produced the targets",
          "[sim][calibration]") {
  // Targets made by the model itself with known rates; starting far from them, the fit must find them
  // again. This checks the fitting machinery, not the model (that is `avipsim validate`'s job).
  mini_world m{2};
  m.facility("a", facility_kind::creche, 60, "Mo-Fr 07:00-18:30", 1000, true, 0.5);
  m.facility("b", facility_kind::creche, 40, "Mo-Fr 07:00-18:30", 9000, true, 0.5);
  for (int i = 0; i < 400; ++i) {
    m.family((i * 37) % 10000, "Mo-Fr 08:00-17:00", mobility::car, -1, i % 2 == 0, i % 30);
  }
  params truth;
  truth.awareness_rate = 0.3;
  truth.monthly_job_finding_probability = 0.12;
  run_options const o{150, 11, false};
  auto const r = run(m.w, truth, o);
  fit_targets targets;
  targets.parents = r.validation.parents.mean();
  targets.exit_share_seeking = r.validation.exit_share_seeking.mean();
  params p = truth;
  p.awareness_rate = 0.8;
  p.monthly_job_finding_probability = 0.02;
  auto const fitted = fit(m.w, p, targets, o);
  REQUIRE(fitted.size() == 2);
  CHECK(p.awareness_rate == Approx(0.3).margin(0.02));
  CHECK(p.monthly_job_finding_probability == Approx(0.12).margin(0.02));
  CHECK(fitted[0].simulated == Approx(targets.parents).epsilon(0.03));
  CHECK(fitted[1].simulated == Approx(targets.exit_share_seeking).margin(0.02));
}
