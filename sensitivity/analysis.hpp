#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sensitivity/design.hpp"
#include "sensitivity/distribution.hpp"
#include "sensitivity/estimators.hpp"

namespace avip::sensitivity {

/// One uncertain parameter: a scenario parameter by name, the distribution of its plausible values
/// and why.
struct parameter {
  std::string name;
  distribution spread;
  std::string justification;
  bool integer{false};  ///< values rounded to whole numbers (e.g. max_wait_weeks)
  std::string pointer;  ///< where it was given (JSON pointer), for messages

  /// The value at unit coordinate `u`. A uniform whole-number range [low, high] gives each of its
  /// high − low + 1 values the same probability (rounding would give the ends half of it).
  [[nodiscard]] double value(double u) const;
  /// The distribution for the report: whole numbers written in full (a seed of 10 digits, not 1e+09).
  [[nodiscard]] std::string describe() const;
};

enum class method { morris, sobol };

/// An indicator followed by the analysis.
struct indicator {
  std::string key;    ///< e.g. priority_matched
  std::string label;  ///< French
};

/// Mean and 90 % interval of an indicator over every replication of every point: parameter and
/// Monte Carlo uncertainty together.
struct interval {
  double mean{0.0}, lo{0.0}, hi{0.0};
};

/// What a sensitivity analysis of several scenarios produces.
struct analysis {
  enum method method { method::morris };
  std::string description;
  std::vector<parameter> parameters;
  std::vector<indicator> indicators;  ///< the first one ranks the scenarios
  std::vector<std::string> scenario_names;
  std::vector<std::string> scenario_files;
  int replications{0};
  std::uint64_t seed{0};
  morris_design morris;
  saltelli_design sobol;
  /// [scenario][indicator][point]: mean over the replications at that point.
  std::vector<std::vector<std::vector<double>>> means;
  std::vector<std::vector<std::vector<morris_index>>> morris_indices;  ///< [scenario][indicator][parameter]
  std::vector<std::vector<std::vector<sobol_index>>> sobol_indices;    ///< [scenario][indicator][parameter]
  std::vector<std::vector<interval>> pooled;                           ///< [scenario][indicator]
  /// [scenario]: indices of the difference scenario − reference of the first indicator, per point (what
  /// decides the ranking, so the parameter to measure first); empty for the reference.
  std::vector<std::vector<morris_index>> difference_morris;
  std::vector<std::vector<sobol_index>> difference_sobol;
  /// [scenario]: share of points where the first indicator exceeds the reference's (scenario 0).
  std::vector<double> p_beats_reference;
  /// [scenario][rank − 1]: share of points with that rank by the first indicator (1 = highest; ties
  /// share the better rank).
  std::vector<std::vector<double>> p_rank;
  double seconds{0.0};
  int ranks{1};  ///< MPI processes

  [[nodiscard]] design const& sample() const {
    return method == method::morris ? static_cast<design const&>(morris) : sobol;
  }
  /// Fills the indices and the ranking from `means`.
  void estimate(int bootstrap = 1000);
};

}  // namespace avip::sensitivity
