#pragma once

// A test that needs a tool the machine lacks reports SKIPPED, never passed: it exits with
// kSkipReturnCode, which CTest maps to "Skipped" (SKIP_RETURN_CODE, set in tests/CMakeLists.txt).
// Each CTest test runs one test case in its own process, so exiting ends only that test.

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

namespace avip::testing {

inline constexpr int kSkipReturnCode = 77;

[[noreturn]] inline void skip_test(std::string const& why) {
  std::cout << "SKIPPED: " << why << std::endl;
  std::exit(kSkipReturnCode);
}

/// The path of a tool: the environment variable `env` when set (an empty or missing file then means
/// "not installed", to check the skip), else the first of `candidates` on PATH; empty when none.
inline std::string find_tool(char const* env, std::initializer_list<char const*> candidates) {
  if (char const* v = std::getenv(env); v != nullptr) {
    return std::filesystem::exists(v) ? std::string{v} : std::string{};
  }
  char const* path = std::getenv("PATH");
  std::string p = path != nullptr ? path : "";
  for (auto const* c : candidates) {
    std::size_t start = 0;
    while (start <= p.size()) {
      auto const end = p.find(':', start);
      auto const dir = p.substr(start, end == std::string::npos ? std::string::npos : end - start);
      auto const full = std::filesystem::path{dir.empty() ? "." : dir} / c;
      std::error_code ec;
      if (std::filesystem::is_regular_file(full, ec)) {
        return full.string();
      }
      if (end == std::string::npos) {
        break;
      }
      start = end + 1;
    }
  }
  return {};
}

}  // namespace avip::testing
