#pragma once

#include <filesystem>
#include <string>

namespace avip::scenarios {

/// Validates a scenario file fully (syntax, keys, types, ranges, its territory, selectors and ids)
/// without running it; returns a summary. Throws avip::scenario_error naming the file and JSON pointer.
std::string check_scenario(std::filesystem::path const& file);

}  // namespace avip::scenarios
