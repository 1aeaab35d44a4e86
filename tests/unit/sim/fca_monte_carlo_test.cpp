#include <catch2/catch.hpp>

#include <cmath>

#include <tbb/global_control.h>

#include "core/random.hpp"
#include "sim/fca_monte_carlo.hpp"

using namespace avip::sim;

namespace {

struct case_data {
  fca_mc_input in;
  fca_pairs pairs;
};

case_data random_case(double share_in_qpv, double share_outside) {
  avip::random_stream rs{11, {}};
  std::size_t const n = 300;
  std::size_t const m = 30;
  std::vector<point> dp(n);
  std::vector<point> sp(m);
  case_data c;
  for (std::size_t i = 0; i < n; ++i) {
    dp[i] = {rs.uniform(0, 20000), rs.uniform(0, 20000)};
    bool const qpv = i % 5 == 0;
    c.in.children.push_back(rs.uniform(2, 40));
    c.in.priority_share.push_back(qpv ? share_in_qpv : share_outside);
    c.in.in_qpv.push_back(qpv ? 1 : 0);
  }
  for (std::size_t j = 0; j < m; ++j) {
    sp[j] = {rs.uniform(0, 20000), rs.uniform(0, 20000)};
    c.in.places.push_back(static_cast<double>(10 + rs.below(40)));
    c.in.labelled.push_back(j % 3 == 0 ? 1 : 0);
  }
  c.pairs = catchment_pairs(dp, sp, 20, 60, 1.2, decay::stepped());
  return c;
}

}  // namespace

TEST_CASE("Monte Carlo: identical results for any thread count and seeded", "[sim][fca][mc]") {
  auto const c = random_case(0.3, 0.1);
  fca_mc_options o;
  o.replications = 37;  // not a multiple of the batch
  fca_mc_results one;
  {
    tbb::global_control gc{tbb::global_control::max_allowed_parallelism, 1};
    one = fca_monte_carlo(c.in, c.pairs, o);
  }
  auto const two = fca_monte_carlo(c.in, c.pairs, o);
  CHECK(one.access_mean == two.access_mean);
  CHECK(one.reach_target == two.reach_target);
  CHECK(one.labelled_reaching.mean == two.labelled_reaching.mean);
  o.seed = 975;
  auto const other = fca_monte_carlo(c.in, c.pairs, o);
  CHECK(other.access_mean != one.access_mean);
}

TEST_CASE("Monte Carlo: the facilities' priority share follows the demand's, and the 20 % check with it",
          "[sim][fca][mc]") {
  fca_mc_options o;
  o.replications = 200;
  auto const none = fca_monte_carlo(random_case(0.0, 0.0).in, random_case(0.0, 0.0).pairs, o);
  CHECK(none.labelled_reaching.mean == 0.0);
  auto const all = fca_monte_carlo(random_case(1.0, 1.0).in, random_case(1.0, 1.0).pairs, o);
  CHECK(all.labelled_reaching.mean == 1.0);
  auto const c = random_case(0.25, 0.25);
  auto const r = fca_monte_carlo(c.in, c.pairs, o);
  for (std::size_t j = 0; j < c.in.places.size(); ++j) {
    if (!std::isnan(r.priority_share_mean[j])) {
      CHECK(r.priority_share_mean[j] == Approx(0.25).margin(0.02));
      CHECK(r.reach_target[j] >= 0.5);  // centred above 20 %
    }
  }
  CHECK(r.access_qpv.p05 <= r.access_qpv.mean);
  CHECK(r.access_qpv.mean <= r.access_qpv.p95);
}

TEST_CASE("Monte Carlo: mean access matches the two-step index on the expected demand when draws are large",
          "[sim][fca][mc]") {
  auto c = random_case(0.2, 0.2);
  for (auto& d : c.in.children) {
    d *= 200;  // Poisson noise of a few per cent
  }
  fca_mc_options o;
  o.replications = 40;
  auto const r = fca_monte_carlo(c.in, c.pairs, o);
  auto const expected = two_step_fca(c.in.children, c.in.places, c.pairs);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK(r.access_mean[i] == Approx(expected[i]).epsilon(0.03).margin(1e-12));
  }
}
