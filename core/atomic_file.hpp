#pragma once

#include <cerrno>
#include <concepts>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>

#include <fmt/format.h>
#include <unistd.h>

#include "core/error.hpp"

namespace avip {

/// Writes `file` through a temporary file beside it (same folder, so the final rename(2) is atomic):
/// readers see the old file or the complete new one, never half of it. `write(std::ostream&)` fills it;
/// every step is checked, and a failure (disk full, no permission, a folder in the way) throws
/// data_error naming `file`, with the temporary file removed.
template <typename Write>
requires std::invocable<Write&, std::ostream&>
void write_file_atomically(std::filesystem::path const& file, Write&& write) {
  namespace fs = std::filesystem;
  auto const tmp = file.parent_path() / fmt::format(".{}.part-{}", file.filename().string(), ::getpid());
  auto const fail = [&](std::string const& why) {
    std::error_code ec;
    fs::remove(tmp, ec);
    return data_error{fmt::format("{}: cannot write ({})", file.string(), why)};
  };
  {
    std::ofstream out{tmp, std::ios::binary | std::ios::trunc};
    if (!out) {
      throw fail(std::strerror(errno));
    }
    try {
      write(static_cast<std::ostream&>(out));
    } catch (...) {
      out.close();
      std::error_code ec;
      fs::remove(tmp, ec);
      throw;
    }
    out.flush();
    if (!out) {
      throw fail(std::strerror(errno));
    }
    out.close();
    if (!out) {
      throw fail(std::strerror(errno));
    }
  }
  std::error_code ec;
  fs::rename(tmp, file, ec);
  if (ec) {
    throw fail(ec.message());
  }
}

/// write_file_atomically with the whole text at hand.
inline void write_file_atomically(std::filesystem::path const& file, std::string_view text) {
  write_file_atomically(
      file, [&](std::ostream& out) { out.write(text.data(), static_cast<std::streamsize>(text.size())); });
}

}  // namespace avip
