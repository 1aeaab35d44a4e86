#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "sensitivity/analysis.hpp"

namespace avip::scenarios {

/// An uncertainty file (schema: scenarios/uncertainty.schema.json).
struct uncertainty {
  std::filesystem::path file;
  std::string description;
  std::vector<sensitivity::parameter> parameters;
  int replications{100};  ///< per sample point and scenario
};

/// Reads and validates an uncertainty file: every problem (unknown parameter, low > high, a mode
/// outside its range, a value outside the parameter's valid range, a duplicate, a missing
/// justification) named by file and JSON pointer, thrown together as one avip::scenario_error.
uncertainty read_uncertainty(std::filesystem::path const& file);

/// Whether `file` is an uncertainty file (a JSON object with "parameters" and no scenario key), so
/// that `avipsim check` validates it as one.
bool is_uncertainty_file(std::filesystem::path const& file);

/// One line per parameter, for `avipsim check`.
std::string describe(uncertainty const& u);

}  // namespace avip::scenarios
