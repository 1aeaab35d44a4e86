#include "sensitivity/analysis.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace avip::sensitivity {

double parameter::value(double u) const {
  if (integer && spread.type == distribution::kind::uniform) {
    double const v = std::floor(spread.low + std::clamp(u, 0.0, 1.0) * (spread.high - spread.low + 1));
    return std::clamp(v, spread.low, spread.high);
  }
  double const v = spread.quantile(u);
  return integer ? std::round(v) : v;
}

std::string parameter::describe() const {
  if (!integer || spread.type == distribution::kind::triangular) {
    return spread.describe();
  }
  if (spread.type == distribution::kind::uniform) {
    return fmt::format("entiers équiprobables de {:.0f} à {:.0f}", spread.low, spread.high);
  }
  std::vector<std::string> v;
  for (double x : spread.values) {
    v.push_back(fmt::format("{:.0f}", x));
  }
  return fmt::format("discrète {{{}}}", fmt::join(v, " ; "));
}

void analysis::estimate(int bootstrap) {
  auto const ns = means.size();
  auto const ni = indicators.size();
  morris_indices.assign(ns, std::vector<std::vector<morris_index>>(ni));
  sobol_indices.assign(ns, std::vector<std::vector<sobol_index>>(ni));
  for (std::size_t s = 0; s < ns; ++s) {
    for (std::size_t i = 0; i < ni; ++i) {
      if (method == method::morris) {
        morris_indices[s][i] = sensitivity::morris_indices(morris, means[s][i]);
      } else {
        sobol_indices[s][i] = sensitivity::sobol_indices(sobol, means[s][i], bootstrap, 0.90, seed);
      }
    }
  }
  auto const points = sample().points();
  difference_morris.assign(ns, {});
  difference_sobol.assign(ns, {});
  for (std::size_t s = 1; s < ns && ni > 0; ++s) {
    std::vector<double> diff(points);
    for (std::size_t p = 0; p < points; ++p) {
      diff[p] = means[s][0][p] - means[0][0][p];
    }
    if (method == method::morris) {
      difference_morris[s] = sensitivity::morris_indices(morris, diff);
    } else {
      difference_sobol[s] = sensitivity::sobol_indices(sobol, diff, bootstrap, 0.90, seed);
    }
  }
  p_beats_reference.assign(ns, 0.0);
  p_rank.assign(ns, std::vector<double>(ns, 0.0));
  for (std::size_t p = 0; p < points && ns > 0 && ni > 0; ++p) {
    for (std::size_t s = 0; s < ns; ++s) {
      double const v = means[s][0][p];
      p_beats_reference[s] += v > means[0][0][p] + 1e-9 ? 1.0 : 0.0;
      std::size_t above = 0;
      for (std::size_t o = 0; o < ns; ++o) {
        above += means[o][0][p] > v + 1e-9 ? 1 : 0;
      }
      p_rank[s][above] += 1.0;
    }
  }
  for (std::size_t s = 0; s < ns && points > 0; ++s) {
    p_beats_reference[s] /= static_cast<double>(points);
    for (auto& x : p_rank[s]) {
      x /= static_cast<double>(points);
    }
  }
}

}  // namespace avip::sensitivity
