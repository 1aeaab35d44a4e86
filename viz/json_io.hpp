#pragma once

// Internal to viz/: helpers shared by the run and comparison writers (nlohmann_json stays inside viz).

#include <filesystem>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "sim/samples.hpp"

namespace avip::viz::detail {

/// An indicator as {mean, lo, hi}: the mean and the 90 % interval over replications; null when no
/// replication gave a value (not applicable, or undefined in every replication).
inline nlohmann::json stat(sim::samples const& s) {
  if (s.values.empty()) {
    return nullptr;
  }
  return {{"mean", s.mean()}, {"lo", s.lo()}, {"hi", s.hi()}};
}

/// The mean of an indicator, or null when it has no value.
inline nlohmann::json mean_or_null(sim::samples const& s) {
  if (s.values.empty()) {
    return nullptr;
  }
  return s.mean();
}

/// Writes a text file of the output folder, atomically and checked; throws data_error naming it.
inline void write_text(std::filesystem::path const& file, std::string const& text) {
  write_file_atomically(file, text);
}

}  // namespace avip::viz::detail
