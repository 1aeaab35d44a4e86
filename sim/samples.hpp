#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <vector>

namespace avip::sim {

/// One indicator's value in each replication, in replication order. Kept whole so that `compare`
/// can pair replications of two scenarios (common random numbers) before summarising.
struct samples {
  std::vector<double> values;

  [[nodiscard]] double mean() const {
    return values.empty()
               ? 0.0
               : std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
  }
  /// Empirical quantile (linear interpolation between order statistics, R type 7).
  [[nodiscard]] double quantile(double q) const {
    if (values.empty()) {
      return 0.0;
    }
    std::vector<double> v = values;
    std::sort(v.begin(), v.end());
    auto const h = (static_cast<double>(v.size()) - 1.0) * q;
    auto const lo = static_cast<std::size_t>(std::floor(h));
    auto const hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
  }
  /// The 90 % interval: 5th and 95th percentiles over replications.
  [[nodiscard]] double lo() const { return quantile(0.05); }
  [[nodiscard]] double hi() const { return quantile(0.95); }
};

}  // namespace avip::sim
