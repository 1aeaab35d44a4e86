#include "sim/equity.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace avip::sim {

double gini(std::vector<double> values) {
  auto const n = values.size();
  if (n == 0) {
    return 0.0;
  }
  std::sort(values.begin(), values.end());
  double const sum = std::accumulate(values.begin(), values.end(), 0.0);
  if (sum <= 0) {
    return 0.0;
  }
  double acc = 0;
  for (std::size_t i = 0; i < n; ++i) {
    acc += (2.0 * static_cast<double>(i + 1) - static_cast<double>(n) - 1.0) * values[i];
  }
  return acc / (static_cast<double>(n) * sum);
}

double palma(std::vector<double> values) {
  auto const n = values.size();
  if (n < 10) {
    return 0.0;
  }
  std::sort(values.begin(), values.end());
  auto const bottom = static_cast<std::size_t>(std::floor(0.4 * static_cast<double>(n)));
  auto const top = static_cast<std::size_t>(std::ceil(0.9 * static_cast<double>(n)));
  double const low =
      std::accumulate(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(bottom), 0.0) /
      static_cast<double>(bottom);
  double const high = std::accumulate(values.begin() + static_cast<std::ptrdiff_t>(top), values.end(), 0.0) /
                      static_cast<double>(n - top);
  return low > 0 ? high / low : 0.0;
}

}  // namespace avip::sim
