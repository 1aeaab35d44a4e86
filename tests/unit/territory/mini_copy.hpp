#pragma once
// The territory tests' fixture: a copy of the mini territory (tests/data/mini) with one text replaced in
// one of its files, and the message loading it gives.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <unistd.h>

#include "core/error.hpp"
#include "territory/load.hpp"

namespace avip::test {

/// A copy of the mini territory in a temporary folder, with `from` replaced by `to` in `file`; returns
/// the copy's manifest.
inline std::filesystem::path mini_copy_with(std::string const& name, std::string const& file,
                                            std::string const& from, std::string const& to) {
  namespace fs = std::filesystem;
  auto d = fs::temp_directory_path() / ("avip_terr_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  for (auto const& e : fs::directory_iterator{fs::path{AVIP_SOURCE_DIR} / "tests/data/mini"}) {
    if (e.is_regular_file()) {
      fs::copy_file(e.path(), d / e.path().filename());
    }
  }
  std::ifstream in{d / file};
  std::string text{std::istreambuf_iterator<char>{in}, {}};
  in.close();
  auto const pos = text.find(from);
  REQUIRE(pos != std::string::npos);
  text.replace(pos, from.size(), to);
  std::ofstream{d / file} << text;
  return d / "territory.json";
}

/// The data_error loading `manifest` gives ("" when it loads).
inline std::string load_error(std::filesystem::path const& manifest) {
  try {
    (void)territory::load_territory(manifest);
  } catch (data_error const& e) {
    return e.what();
  }
  return "";
}

}  // namespace avip::test
