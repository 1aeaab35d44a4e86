#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace avip::fuzz {

/// A private folder under the system temp folder, created once per process and removed at exit.
std::filesystem::path work_folder();

/// Writes `bytes` to `file` (replacing it); binary, so NULs and CRs reach the parser as they are.
void write_file(std::filesystem::path const& file, std::string_view bytes);

/// Links `link` to `target` (a file or folder of the source tree), replacing a previous link.
void link_to(std::filesystem::path const& target, std::filesystem::path const& link);

/// The fuzz input as text.
inline std::string_view as_text(std::uint8_t const* data, std::size_t size) {
  return {reinterpret_cast<char const*>(data), size};
}

}  // namespace avip::fuzz
