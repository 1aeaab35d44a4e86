#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include <unistd.h>

namespace avip::test {

/// Writes a GTFS feed folder `avip_<name>_<pid>` under the temporary directory (emptied first): the
/// `base` files, replaced or completed by `files`. A file whose text is empty is left out, unless it is
/// in `kept_empty` (then written empty).
inline std::filesystem::path write_feed(std::string const& name, std::map<std::string, std::string> base,
                                        std::map<std::string, std::string> const& files,
                                        std::set<std::string> const& kept_empty = {}) {
  auto d = std::filesystem::temp_directory_path() / ("avip_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  for (auto const& [k, v] : files) {
    base[k] = v;
  }
  for (auto const& [k, v] : base) {
    if (!v.empty() || kept_empty.count(k) != 0) {
      std::ofstream{d / k} << v;
    }
  }
  return d;
}

}  // namespace avip::test
