#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "sensitivity/analysis.hpp"

namespace avip::scenarios {

/// The name of the synthesis seed among the uncertain parameters: each sample point then runs on the
/// synthetic layers (QPV when grown, facilities, families) that `avipsim synth` makes with that seed.
/// A discrete list of seeds or a uniform range of whole numbers (each seed equally likely).
inline constexpr char const* kSynthesisSeed = "synthesis_seed";

/// The largest synthesis seed (as a scenario's: exact in JSON's doubles).
inline constexpr double kMaxSynthesisSeed = 9e15;

/// An uncertainty file (schema: scenarios/uncertainty.schema.json).
struct uncertainty {
  std::filesystem::path file;
  std::string description;
  std::vector<sensitivity::parameter> parameters;
  int replications{100};  ///< per sample point and scenario

  /// The index of the synthesis seed among `parameters`, or -1 when the file does not name it.
  [[nodiscard]] int synthesis_seed() const;
};

/// Reads and validates an uncertainty file: every problem (unknown parameter, low > high, a mode
/// outside its range, a value outside the parameter's valid range, a duplicate, a missing
/// justification, a synthesis seed that is not a whole number from 0 to kMaxSynthesisSeed or is
/// triangular) named by file and JSON pointer, thrown together as one avip::scenario_error.
uncertainty read_uncertainty(std::filesystem::path const& file);

/// Whether `file` is an uncertainty file (a JSON object with "parameters" and no scenario key), so
/// that `avipsim check` validates it as one.
bool is_uncertainty_file(std::filesystem::path const& file);

/// One line per parameter, for `avipsim check`.
std::string describe(uncertainty const& u);

}  // namespace avip::scenarios
