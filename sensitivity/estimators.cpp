#include "sensitivity/estimators.hpp"

#include <algorithm>
#include <cmath>

#include "core/random.hpp"

namespace avip::sensitivity {

std::vector<morris_index> morris_indices(morris_design const& d, std::vector<double> const& y) {
  std::size_t const k = d.factors;
  std::size_t const rows = k + 1;
  std::vector<std::vector<double>> effects(k);
  for (std::size_t t = 0; t < d.trajectories; ++t) {
    for (std::size_t i = 0; i + 1 < rows; ++i) {
      auto const a = t * rows + i;
      for (std::size_t j = 0; j < k; ++j) {
        double const step = d.at(a + 1, j) - d.at(a, j);
        if (step != 0.0) {
          effects[j].push_back((y[a + 1] - y[a]) / step);
        }
      }
    }
  }
  std::vector<morris_index> out(k);
  for (std::size_t j = 0; j < k; ++j) {
    auto const& e = effects[j];
    if (e.empty()) {
      continue;
    }
    double sum = 0, abs_sum = 0;
    for (double x : e) {
      sum += x;
      abs_sum += std::abs(x);
    }
    auto const n = static_cast<double>(e.size());
    out[j].mu = sum / n;
    out[j].mu_star = abs_sum / n;
    double ss = 0;
    for (double x : e) {
      ss += (x - out[j].mu) * (x - out[j].mu);
    }
    out[j].sigma = e.size() > 1 ? std::sqrt(ss / (n - 1)) : 0.0;
  }
  return out;
}

namespace {

/// S1 and ST of every factor from the base rows `rows` (indices into the design's base rows).
void estimate(saltelli_design const& d, std::vector<double> const& y, std::vector<std::size_t> const& rows,
              std::vector<double>& s1, std::vector<double>& st) {
  std::size_t const k = d.factors;
  std::size_t const step = k + 2;
  double mean = 0;
  for (auto j : rows) {
    mean += y[j * step] + y[j * step + k + 1];
  }
  auto const n = static_cast<double>(rows.size());
  mean /= 2 * n;
  double var = 0;
  for (auto j : rows) {
    var += (y[j * step] - mean) * (y[j * step] - mean) +
           (y[j * step + k + 1] - mean) * (y[j * step + k + 1] - mean);
  }
  var /= 2 * n;  // population variance of A and B together, as SALib
  s1.assign(k, 0.0);
  st.assign(k, 0.0);
  if (!(var > 0)) {
    return;
  }
  for (std::size_t i = 0; i < k; ++i) {
    double first = 0, total = 0;
    for (auto j : rows) {
      double const a = y[j * step], b = y[j * step + k + 1], ab = y[j * step + 1 + i];
      first += b * (ab - a);
      total += (a - ab) * (a - ab);
    }
    s1[i] = first / n / var;
    st[i] = 0.5 * total / n / var;
  }
}

double percentile(std::vector<double>& v, double q) {
  if (v.empty()) {
    return 0.0;
  }
  std::sort(v.begin(), v.end());
  double const pos = q * static_cast<double>(v.size() - 1);
  auto const lo = static_cast<std::size_t>(std::floor(pos));
  auto const hi = std::min(v.size() - 1, lo + 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

}  // namespace

std::vector<sobol_index> sobol_indices(saltelli_design const& d, std::vector<double> const& y, int bootstrap,
                                       double level, std::uint64_t seed) {
  std::size_t const k = d.factors;
  std::vector<std::size_t> rows(d.base);
  for (std::size_t j = 0; j < d.base; ++j) {
    rows[j] = j;
  }
  // Outputs centred on their mean, as SALib does: the first-order estimator is not shift-invariant, and
  // centring lowers its variance (the total and the variance are unchanged).
  double mean = 0;
  for (double v : y) {
    mean += v;
  }
  mean /= y.empty() ? 1.0 : static_cast<double>(y.size());
  std::vector<double> centred(y.size());
  for (std::size_t i = 0; i < y.size(); ++i) {
    centred[i] = y[i] - mean;
  }
  std::vector<double> s1, st;
  estimate(d, centred, rows, s1, st);
  std::vector<std::vector<double>> b1(k), bt(k);
  random_stream r{seed, {0xB0075}};
  for (int b = 0; b < bootstrap; ++b) {
    for (auto& j : rows) {
      j = r.below(d.base);
    }
    std::vector<double> x1, xt;
    estimate(d, centred, rows, x1, xt);
    for (std::size_t i = 0; i < k; ++i) {
      b1[i].push_back(x1[i]);
      bt[i].push_back(xt[i]);
    }
  }
  double const tail = (1 - level) / 2;
  std::vector<sobol_index> out(k);
  for (std::size_t i = 0; i < k; ++i) {
    out[i] = {s1[i], percentile(b1[i], tail), percentile(b1[i], 1 - tail),
              st[i], percentile(bt[i], tail), percentile(bt[i], 1 - tail)};
  }
  return out;
}

}  // namespace avip::sensitivity
