#pragma once

// A test that needs a tool the machine lacks reports SKIPPED, never passed. AVIP_SKIP prints why and
// ends the test case; tests/main.cpp then exits with kSkipReturnCode when nothing failed, which CTest
// reports as "Skipped" (SKIP_RETURN_CODE, set in tests/CMakeLists.txt; each CTest test runs one test
// case in its own process). The other test cases of the process still run when it is run by hand.

#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <iostream>
#include <string>
#include <vector>

namespace avip::testing {

inline constexpr int kSkipReturnCode = 77;

/// Names of the test cases of this process that skipped, in order.
inline std::vector<std::string>& skipped_tests() {
  static std::vector<std::string> names;
  return names;
}

inline void report_skip(std::string const& test, std::string const& why) {
  std::cout << "SKIPPED: " << why << std::endl;
  skipped_tests().push_back(test);
}

/// The path of a tool: the environment variable `env` when set (an empty or missing file then means
/// "not installed", to check the skip), else the first of `candidates` on PATH; empty when none.
inline std::string find_tool(char const* env, std::initializer_list<char const*> candidates) {
  if (char const* v = std::getenv(env); v != nullptr) {
    std::error_code ec;
    return std::filesystem::is_regular_file(v, ec) ? std::string{v} : std::string{};
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

/// Ends the enclosing TEST_CASE as skipped (a `return`, so use it in the test case's own body, before
/// any assertion): prints "SKIPPED: <why>" and makes the process exit with kSkipReturnCode if no
/// assertion of the run failed.
#define AVIP_SKIP(why)                                                                     \
  do {                                                                                     \
    ::avip::testing::report_skip(::Catch::getResultCapture().getCurrentTestName(), (why)); \
    return;                                                                                \
  } while (false)
