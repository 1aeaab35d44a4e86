// Sensitivity estimators on reference functions, with the sample matrices written for a side-by-side
// run of SALib (bench/sensitivity-vs-salib): the Ishigami function (Saltelli design, N base rows) and
// Sobol's G-function, and Morris on the Ishigami function. Prints avipsim's indices and the analytical
// ones; `--out DIR` writes X (unit hypercube), Y and the indices as CSV.
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <numbers>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sensitivity/design.hpp"
#include "sensitivity/estimators.hpp"

namespace fs = std::filesystem;
using namespace avip::sensitivity;

namespace {

double ishigami(design const& d, std::size_t p) {
  auto x = [&](std::size_t j) { return -std::numbers::pi + 2 * std::numbers::pi * d.at(p, j); };
  return std::sin(x(0)) + 7.0 * std::pow(std::sin(x(1)), 2) + 0.1 * std::pow(x(2), 4) * std::sin(x(0));
}

double g_function(design const& d, std::size_t p) {
  static double const a[] = {0, 1, 4.5, 9, 99, 99, 99, 99};
  double g = 1;
  for (std::size_t i = 0; i < d.factors; ++i) {
    g *= (std::abs(4 * d.at(p, i) - 2) + a[i]) / (1 + a[i]);
  }
  return g;
}

void write(fs::path const& dir, std::string const& name, design const& d, std::vector<double> const& y) {
  std::ofstream x{dir / (name + "_X.csv")};
  for (std::size_t p = 0; p < d.points(); ++p) {
    for (std::size_t j = 0; j < d.factors; ++j) {
      x << (j ? "," : "") << fmt::format("{:.17g}", d.at(p, j));
    }
    x << '\n';
  }
  std::ofstream out{dir / (name + "_Y.csv")};
  for (double v : y) {
    out << fmt::format("{:.17g}\n", v);
  }
}

void sobol_case(std::string const& name, std::size_t k, std::size_t n,
                double (*f)(design const&, std::size_t), fs::path const& dir) {
  auto const t0 = std::chrono::steady_clock::now();
  auto const d = saltelli_sobol(k, n);
  std::vector<double> y(d.points());
  for (std::size_t p = 0; p < d.points(); ++p) {
    y[p] = f(d, p);
  }
  auto const idx = sobol_indices(d, y, 1000, 0.90, 1);
  double const s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  fmt::print("{} (Saltelli, N = {}, {} points, {:.3f} s with 1,000 bootstrap resamples)\n", name, n,
             d.points(), s);
  std::ofstream csv;
  if (!dir.empty()) {
    write(dir, name, d, y);
    csv.open(dir / (name + "_avipsim.csv"));
    csv << "factor,S1,ST\n";
  }
  for (std::size_t i = 0; i < k; ++i) {
    fmt::print("  x{}: S1 {:.4f} [{:.4f}, {:.4f}]  ST {:.4f} [{:.4f}, {:.4f}]\n", i + 1, idx[i].s1,
               idx[i].s1_low, idx[i].s1_high, idx[i].st, idx[i].st_low, idx[i].st_high);
    if (csv) {
      csv << fmt::format("{},{:.17g},{:.17g}\n", i, idx[i].s1, idx[i].st);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir;
  std::size_t n = 1024;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string const a = argv[i];
    if (a == "--out") {
      dir = argv[i + 1];
      fs::create_directories(dir);
    } else if (a == "--samples") {
      n = std::stoul(argv[i + 1]);
    }
  }
  sobol_case("ishigami", 3, n, ishigami, dir);
  fmt::print("  analytical: S1 0.3139 0.4424 0.0000, ST 0.5576 0.4424 0.2437\n");
  sobol_case("gfunction", 8, n, g_function, dir);
  auto const m = morris_trajectories(3, 100, 4, 1);
  std::vector<double> y(m.points());
  for (std::size_t p = 0; p < m.points(); ++p) {
    y[p] = ishigami(m, p);
  }
  auto const mi = morris_indices(m, y);
  fmt::print("ishigami (Morris, 100 trajectories, 4 levels)\n");
  for (std::size_t i = 0; i < 3; ++i) {
    fmt::print("  x{}: mu* {:.4f}  mu {:.4f}  sigma {:.4f}\n", i + 1, mi[i].mu_star, mi[i].mu, mi[i].sigma);
  }
  if (!dir.empty()) {
    write(dir, "morris", m, y);
    std::ofstream csv{dir / "morris_avipsim.csv"};
    csv << "factor,mu_star,mu,sigma\n";
    for (std::size_t i = 0; i < 3; ++i) {
      csv << fmt::format("{},{:.17g},{:.17g},{:.17g}\n", i, mi[i].mu_star, mi[i].mu, mi[i].sigma);
    }
  }
  return 0;
}
