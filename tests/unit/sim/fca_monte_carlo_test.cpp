#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include <tbb/global_control.h>

#include "core/error.hpp"
#include "core/random.hpp"
#include "sim/fca_monte_carlo.hpp"
#include "three_by_three.hpp"

using namespace avip::sim;
using avip::sim::testing::three_by_three;

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

/// Equal element by element, NaN equal to NaN (a facility never in reach has no catchment share).
bool same(std::vector<double> const& a, std::vector<double> const& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](double x, double y) {
           return x == y || (std::isnan(x) && std::isnan(y));
         });
}

/// The 3 × 3 example with a weight of 1 within 10 minutes and 0 beyond: each demand point reaches one
/// facility only (i0 → j0, i1 → j1, i2 → j2), so no facility shares its demand with another.
fca_pairs isolated_three_by_three() {
  return three_by_three([](double cost) { return cost <= 10 ? 1.0 : 0.0; });
}

}  // namespace

TEST_CASE("fca_monte_carlo: identical results for any thread count and seeded", "[sim][fca][mc]") {
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
  CHECK(same(one.avip_children_mean, two.avip_children_mean));
  CHECK(same(one.avip_share_mean, two.avip_share_mean));
  CHECK(same(one.avip_share_reaching, two.avip_share_reaching));
  CHECK(same(one.zone_priority_share_mean, two.zone_priority_share_mean));
  CHECK(one.labelled_reaching.mean == two.labelled_reaching.mean);
  o.seed = 975;
  auto const other = fca_monte_carlo(c.in, c.pairs, o);
  CHECK(other.access_mean != one.access_mean);
}

// The expected AVIP children on the 3 × 3 example of fca_test.cpp (E2SFCA weights
//   i0: j0 1, j1 0.68     i1: j0 0.22, j1 1, j2 0.68     i2: j1 0.22, j2 1;   places S = 10, 20, 5).
// Places in reach, Σ_k W_ik S_k: i0 = 10 + 0.68·20 = 23.6; i1 = 0.22·10 + 20 + 0.68·5 = 25.6;
//   i2 = 0.22·20 + 5 = 9.4.
// Children of parents in insertion P = 10, 5, 1; facility j receives Σ_i P_i W_ij S_j / Σ_k W_ik S_k:
//   j0 = 10 · (10/23.6 + 5·0.22/25.6)             = 10 · 0.4666976 = 4.666976
//   j1 = 20 · (10·0.68/23.6 + 5/25.6 + 0.22/9.4)  = 20 · 0.5068523 = 10.137047
//   j2 =  5 · (5·0.68/25.6 + 1/9.4)               =  5 · 0.2391955 = 1.195977
// (4.666976 + 10.137047 + 1.195977 = 16 = Σ P: every child has a place in reach, none capped), so the
// shares ÷ places are 0.4666976, 0.5068523 and 0.2391955.
// With P = 20, 10, 5 (twice as many at i0 and i1, five times at i2) j1 would receive 21.678349 > 20 places:
// capped at 20, share 1; j0 = 9.333951, j2 = 3.987699.
TEST_CASE("fca_monte_carlo: expected AVIP children on the hand-computed 3 × 3 example", "[sim][fca][mc]") {
  auto const pairs = three_by_three(e2sfca_weight);
  std::vector<double> const places{10, 20, 5};
  auto const a = expected_avip_children({10, 5, 1}, places, pairs);
  REQUIRE(a.size() == 3);
  CHECK(a[0] == Approx(4.666976).epsilon(1e-6));
  CHECK(a[1] == Approx(10.137047).epsilon(1e-6));
  CHECK(a[2] == Approx(1.195977).epsilon(1e-6));
  CHECK(a[0] + a[1] + a[2] == Approx(16.0).epsilon(1e-12));
  CHECK(a[0] / places[0] == Approx(0.4666976).epsilon(1e-6));
  CHECK(a[1] / places[1] == Approx(0.5068523).epsilon(1e-6));
  CHECK(a[2] / places[2] == Approx(0.2391955).epsilon(1e-6));

  auto const capped = expected_avip_children({20, 10, 5}, places, pairs);
  CHECK(capped[0] == Approx(9.333951).epsilon(1e-6));
  CHECK(capped[1] == 20.0);
  CHECK(capped[2] == Approx(3.987699).epsilon(1e-6));

  // A yearly turnover multiplies the stock, after the cap: j1 welcomes 2 × 20 over the year.
  auto const yearly = expected_avip_children({20, 10, 5}, places, pairs, 2.0);
  CHECK(yearly[0] == Approx(2 * 9.333951).epsilon(1e-6));
  CHECK(yearly[1] == 40.0);
  CHECK(yearly[2] == Approx(2 * 3.987699).epsilon(1e-6));

  // Plain 2SFCA (no weights stored): places in reach 30, 35, 25; j2 = 5 · (5/35 + 1/25) = 0.9142857.
  auto unweighted = three_by_three([](double) { return 1.0; });
  unweighted.weight.clear();
  CHECK(expected_avip_children({10, 5, 1}, places, unweighted)[2] == Approx(0.9142857).epsilon(1e-6));
}

TEST_CASE("fca_monte_carlo: doubling a facility's places halves its expected AVIP share when demand binds",
          "[sim][fca][mc]") {
  std::vector<double> const priority{10, 5, 1};
  std::vector<double> const places{100, 200, 50};  // far more places than children: demand binds
  auto share = [&](std::vector<double> const& s, fca_pairs const& pairs) {
    auto a = expected_avip_children(priority, s, pairs);
    for (std::size_t j = 0; j < a.size(); ++j) {
      a[j] /= s[j];
    }
    return a;
  };
  SECTION("a facility alone in its catchment: its intake is unchanged, its share exactly halves") {
    auto const pairs = isolated_three_by_three();
    auto const before = share(places, pairs);
    CHECK(before[2] == Approx(1.0 / 50).epsilon(1e-12));
    for (std::size_t j = 0; j < 3; ++j) {
      auto doubled = places;
      doubled[j] *= 2;
      auto const after = share(doubled, pairs);
      CHECK(after[j] == Approx(before[j] / 2).epsilon(1e-12));
    }
  }
  SECTION("the same in the Monte Carlo, replicate by replicate, on the same draws") {
    fca_mc_input in;
    in.children = {100, 50, 10};
    in.priority_share = {0.2, 0.2, 0.2};
    in.in_qpv = {0, 0, 0};
    in.places = places;
    in.labelled = {1, 1, 1};
    fca_mc_options o;
    o.replications = 50;
    auto const pairs = isolated_three_by_three();
    auto const before = fca_monte_carlo(in, pairs, o);
    for (std::size_t j = 0; j < 3; ++j) {
      auto doubled = in;
      doubled.places[j] *= 2;
      auto const after = fca_monte_carlo(doubled, pairs, o);
      CHECK(after.avip_children_mean[j] == Approx(before.avip_children_mean[j]).epsilon(1e-12));
      CHECK(after.avip_share_mean[j] == Approx(before.avip_share_mean[j] / 2).epsilon(1e-12));
      // The catchment share does not see the places at all.
      CHECK(after.zone_priority_share_mean[j] == before.zone_priority_share_mean[j]);
    }
  }
  SECTION(
      "shared catchments: the facility draws more of its neighbours' children, so its share falls by "
      "less than half; doubling every facility's places halves every share") {
    auto const pairs = three_by_three(e2sfca_weight);
    auto const before = share(places, pairs);
    for (std::size_t j = 0; j < 3; ++j) {
      auto doubled = places;
      doubled[j] *= 2;
      auto const after = share(doubled, pairs);
      CHECK(after[j] < before[j]);
      CHECK(after[j] > before[j] / 2);
    }
    auto const all = share({200, 400, 100}, pairs);
    for (std::size_t j = 0; j < 3; ++j) {
      CHECK(all[j] == Approx(before[j] / 2).epsilon(1e-12));
    }
  }
}

TEST_CASE("fca_monte_carlo: expected AVIP children never exceed the places (× the yearly turnover)",
          "[sim][fca][mc]") {
  auto c = random_case(0.6, 0.3);  // more children of parents in insertion than places: supply binds
  fca_mc_options o;
  o.replications = 24;
  for (double turnover : {1.0, 1.5}) {
    o.yearly_turnover = turnover;
    auto const r = fca_monte_carlo(c.in, c.pairs, o);
    for (std::size_t j = 0; j < c.in.places.size(); ++j) {
      CHECK(r.avip_children_mean[j] <= c.in.places[j] * turnover * (1 + 1e-12));
      CHECK(r.avip_share_mean[j] <= turnover * (1 + 1e-12));
      CHECK(r.avip_share_reaching[j] >= 0.0);
      CHECK(r.avip_share_reaching[j] <= 1.0);
    }
  }
  o.yearly_turnover = 0.5;
  CHECK_THROWS_AS(fca_monte_carlo(c.in, c.pairs, o), avip::data_error);
}

TEST_CASE("fca_monte_carlo: the catchment share follows the demand, not the places, the AVIP share both",
          "[sim][fca][mc]") {
  fca_mc_options o;
  o.replications = 200;
  auto const none = fca_monte_carlo(random_case(0.0, 0.0).in, random_case(0.0, 0.0).pairs, o);
  CHECK(none.labelled_reaching.mean == 0.0);
  auto const all = fca_monte_carlo(random_case(1.0, 1.0).in, random_case(1.0, 1.0).pairs, o);
  CHECK(all.labelled_reaching.mean == 1.0);
  auto c = random_case(0.25, 0.25);
  auto const r = fca_monte_carlo(c.in, c.pairs, o);
  for (auto& s : c.in.places) {
    s *= 10;
  }
  auto const more = fca_monte_carlo(c.in, c.pairs, o);
  for (std::size_t j = 0; j < c.in.places.size(); ++j) {
    if (!std::isnan(r.zone_priority_share_mean[j])) {
      CHECK(r.zone_priority_share_mean[j] == Approx(0.25).margin(0.02));
    }
    CHECK(more.zone_priority_share_mean[j] == r.zone_priority_share_mean[j]);
    CHECK(more.avip_share_mean[j] < r.avip_share_mean[j]);
    CHECK(more.avip_share_reaching[j] <= r.avip_share_reaching[j]);
  }
  CHECK(more.labelled_reaching.mean < r.labelled_reaching.mean);
  CHECK(r.access_qpv.p05 <= r.access_qpv.mean);
  CHECK(r.access_qpv.mean <= r.access_qpv.p95);
}

TEST_CASE(
    "fca_monte_carlo: mean access and expected AVIP children match the deterministic ones on the "
    "expected demand when draws are large",
    "[sim][fca][mc]") {
  auto c = random_case(0.2, 0.2);
  for (auto& d : c.in.children) {
    d *= 200;  // Poisson noise of a few per cent
  }
  for (auto& s : c.in.places) {
    s *= 1000;  // demand binds: the cap, not linear in the draws, stays out of the way
  }
  fca_mc_options o;
  o.replications = 40;
  auto const r = fca_monte_carlo(c.in, c.pairs, o);
  auto const expected = two_step_fca(c.in.children, c.in.places, c.pairs);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK(r.access_mean[i] == Approx(expected[i]).epsilon(0.03).margin(1e-12));
  }
  std::vector<double> priority;
  for (std::size_t i = 0; i < c.in.children.size(); ++i) {
    priority.push_back(c.in.children[i] * c.in.priority_share[i]);
  }
  auto const avip = expected_avip_children(priority, c.in.places, c.pairs);
  for (std::size_t j = 0; j < avip.size(); ++j) {
    CHECK(avip[j] < c.in.places[j]);
    CHECK(r.avip_children_mean[j] == Approx(avip[j]).epsilon(0.03));
  }
}
