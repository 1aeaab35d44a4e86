#pragma once

#include <string>
#include <vector>

namespace avip::sensitivity {

/// How an uncertain parameter is spread over its plausible values: uniform on [low, high], triangular
/// (low, mode, high), or a discrete list of equally likely values. Samples are drawn in the unit
/// hypercube and mapped through `quantile`, so that every design and estimator works on [0, 1]^k.
struct distribution {
  enum class kind { uniform, triangular, discrete };
  kind type{kind::uniform};
  double low{0.0};
  double mode{0.0};
  double high{1.0};
  std::vector<double> values;  ///< discrete

  /// Inverse cumulative distribution at u ∈ [0, 1].
  [[nodiscard]] double quantile(double u) const;
  [[nodiscard]] double min() const;
  [[nodiscard]] double max() const;
  /// "uniforme [0.03 ; 0.06]", "triangulaire (…)", "discrète {…}": for the report.
  [[nodiscard]] std::string describe() const;
};

}  // namespace avip::sensitivity
