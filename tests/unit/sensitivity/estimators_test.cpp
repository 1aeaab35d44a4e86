#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>
#include <vector>

#include "sensitivity/design.hpp"
#include "sensitivity/distribution.hpp"
#include "sensitivity/estimators.hpp"

using namespace avip::sensitivity;

namespace {

double ishigami(double x1, double x2, double x3) {
  return std::sin(x1) + 7.0 * std::sin(x2) * std::sin(x2) + 0.1 * std::pow(x3, 4) * std::sin(x1);
}

std::vector<double> run_ishigami(design const& d) {
  distribution const range{distribution::kind::uniform, -std::numbers::pi, 0.0, std::numbers::pi, {}};
  std::vector<double> y(d.points());
  for (std::size_t i = 0; i < d.points(); ++i) {
    y[i] = ishigami(range.quantile(d.at(i, 0)), range.quantile(d.at(i, 1)), range.quantile(d.at(i, 2)));
  }
  return y;
}

}  // namespace

TEST_CASE("Sobol indices of the Ishigami function match the analytical values within their intervals") {
  auto const d = saltelli_sobol(3, 4096);
  REQUIRE(d.points() == 4096 * 5);
  auto const idx = sobol_indices(d, run_ishigami(d), 500, 0.99);
  double const s1[] = {0.3139, 0.4424, 0.0};
  double const st[] = {0.5576, 0.4424, 0.2437};
  for (int i = 0; i < 3; ++i) {
    INFO("factor " << i << " S1 " << idx[i].s1 << " [" << idx[i].s1_low << ", " << idx[i].s1_high << "] ST "
                   << idx[i].st << " [" << idx[i].st_low << ", " << idx[i].st_high << "]");
    CHECK(idx[i].s1_low <= s1[i] + 1e-3);
    CHECK(idx[i].s1_high >= s1[i] - 1e-3);
    CHECK(idx[i].st_low <= st[i] + 1e-3);
    CHECK(idx[i].st_high >= st[i] - 1e-3);
    CHECK(idx[i].s1 == Approx(s1[i]).margin(0.03));
    CHECK(idx[i].st == Approx(st[i]).margin(0.03));
  }
}

TEST_CASE("Sobol indices of the G-function match the analytical values") {
  std::vector<double> const a{0, 1, 4.5, 9, 99, 99, 99, 99};
  auto const k = a.size();
  std::vector<double> vi(k);
  double prod = 1;
  for (std::size_t i = 0; i < k; ++i) {
    vi[i] = 1.0 / (3.0 * (1 + a[i]) * (1 + a[i]));
    prod *= 1 + vi[i];
  }
  double const v = prod - 1;
  auto const d = saltelli_sobol(k, 8192);
  std::vector<double> y(d.points());
  for (std::size_t p = 0; p < d.points(); ++p) {
    double g = 1;
    for (std::size_t i = 0; i < k; ++i) {
      g *= (std::abs(4 * d.at(p, i) - 2) + a[i]) / (1 + a[i]);
    }
    y[p] = g;
  }
  auto const idx = sobol_indices(d, y, 300, 0.99);
  for (std::size_t i = 0; i < k; ++i) {
    double const s1 = vi[i] / v;
    double const st = vi[i] * (prod / (1 + vi[i])) / v;
    INFO("factor " << i << " S1 " << idx[i].s1 << " vs " << s1 << ", ST " << idx[i].st << " vs " << st);
    CHECK(idx[i].s1 == Approx(s1).margin(0.03));
    CHECK(idx[i].st == Approx(st).margin(0.03));
    CHECK(idx[i].st_low <= st + 0.01);
    CHECK(idx[i].st_high >= st - 0.01);
  }
}

TEST_CASE("Morris on a linear model returns its coefficients and zero for an ignored factor") {
  std::vector<double> const coef{3.0, -2.0, 0.5, 0.0};
  auto const d = morris_trajectories(coef.size(), 20, 4, 7);
  REQUIRE(d.points() == 20 * 5);
  std::vector<double> y(d.points());
  for (std::size_t p = 0; p < d.points(); ++p) {
    for (std::size_t i = 0; i < coef.size(); ++i) {
      y[p] += coef[i] * d.at(p, i);
    }
  }
  auto const idx = morris_indices(d, y);
  for (std::size_t i = 0; i < coef.size(); ++i) {
    CHECK(idx[i].mu == Approx(coef[i]).margin(1e-12));
    CHECK(idx[i].mu_star == Approx(std::abs(coef[i])).margin(1e-12));
    CHECK(idx[i].sigma == Approx(0.0).margin(1e-12));
  }
}

TEST_CASE("Morris trajectories move one factor at a time by delta on the level grid") {
  auto const d = morris_trajectories(5, 10, 4, 3);
  double const delta = 4.0 / 6.0;
  for (std::size_t t = 0; t < 10; ++t) {
    std::vector<int> moved(5, 0);
    for (std::size_t i = 0; i < 5; ++i) {
      int changes = 0;
      for (std::size_t j = 0; j < 5; ++j) {
        double const step = d.at(t * 6 + i + 1, j) - d.at(t * 6 + i, j);
        if (step != 0) {
          ++changes;
          ++moved[j];
          CHECK(std::abs(step) == Approx(delta));
        }
        CHECK(d.at(t * 6 + i, j) >= 0.0);
        CHECK(d.at(t * 6 + i, j) <= 1.0 + 1e-12);
      }
      CHECK(changes == 1);
    }
    for (int m : moved) {
      CHECK(m == 1);
    }
  }
}

TEST_CASE("A constant model has zero Sobol indices") {
  auto const d = saltelli_sobol(2, 64);
  auto const idx = sobol_indices(d, std::vector<double>(d.points(), 5.0), 50);
  for (auto const& x : idx) {
    CHECK(x.s1 == 0.0);
    CHECK(x.st == 0.0);
  }
}

TEST_CASE("Distributions map the unit interval onto their ranges") {
  distribution const tri{distribution::kind::triangular, 1.0, 2.0, 4.0, {}};
  CHECK(tri.quantile(0.0) == Approx(1.0));
  CHECK(tri.quantile(1.0) == Approx(4.0));
  CHECK(tri.quantile(1.0 / 3.0) == Approx(2.0));  // F(mode) = (mode − low) / (high − low)
  distribution const disc{distribution::kind::discrete, 0, 0, 0, {974, 975, 976}};
  CHECK(disc.quantile(0.0) == 974);
  CHECK(disc.quantile(0.5) == 975);
  CHECK(disc.quantile(1.0) == 976);
  distribution const uni{distribution::kind::uniform, 0.02, 0.0, 0.06, {}};
  CHECK(uni.quantile(0.5) == Approx(0.04));
}
