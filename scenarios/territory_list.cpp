#include "scenarios/territory_list.hpp"

#include <fstream>
#include <map>

#include <fmt/format.h>

#include "core/error.hpp"
#include "scenarios/scenario.hpp"
#include "territory/load.hpp"

namespace avip::scenarios {

namespace fs = std::filesystem;

namespace {

std::string trimmed(std::string s) {
  if (auto const hash = s.find(" #"); hash != std::string::npos) {
    s.erase(hash);
  }
  auto const first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) {
    return {};
  }
  auto const last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

/// The sub-folder name of a territory: its manifest's folder name (data/reunion → reunion), reduced to
/// letters, digits, '-' and '_'.
std::string folder_of(fs::path const& manifest) {
  auto name = fs::weakly_canonical(manifest).parent_path().filename().string();
  std::string out;
  for (char c : name) {
    bool const plain =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    out += plain ? c : '_';
  }
  return out.empty() ? std::string{"territoire"} : out;
}

}  // namespace

std::vector<territory_entry> read_territory_list(fs::path const& list) {
  std::error_code ec;
  if (!fs::is_regular_file(list, ec)) {
    throw usage_error{
        fmt::format("{}: territory list not found (one scenario file per line)", list.string())};
  }
  std::ifstream in{list};
  if (!in) {
    throw usage_error{fmt::format("{}: cannot read the territory list", list.string())};
  }
  std::vector<territory_entry> out;
  std::map<std::string, std::size_t> folders;
  std::string text;
  std::size_t n = 0;
  while (std::getline(in, text)) {
    ++n;
    auto const line = trimmed(text);
    if (line.empty() || line.front() == '#') {
      continue;
    }
    auto const where = fmt::format("{}:{}", list.string(), n);
    fs::path file{line};
    if (file.is_relative()) {
      file = list.parent_path() / file;
    }
    if (!fs::is_regular_file(file, ec)) {
      throw scenario_error{
          fmt::format("{}: '{}': file not found ({}; a scenario file, relative to the list's folder)", where,
                      line, file.string())};
    }
    if (territory::is_territory_manifest(file)) {
      throw scenario_error{fmt::format(
          "{}: '{}' is a territory manifest: name a scenario of that territory (e.g. its baseline), which "
          "gives the replications, seed and parameters",
          where, line)};
    }
    scenario spec;
    try {
      spec = read_scenario(file);
    } catch (error const& e) {
      throw scenario_error{fmt::format("{}: {}", where, e.what())};
    }
    territory_entry e{file, n, folder_of(spec.territory)};
    if (auto const [it, fresh] = folders.emplace(e.folder, n); !fresh) {
      throw scenario_error{fmt::format("{}: territory '{}' is already on line {} (one line per territory)",
                                       where, e.folder, it->second)};
    }
    out.push_back(std::move(e));
  }
  if (out.empty()) {
    throw scenario_error{
        fmt::format("{}: no territory (one scenario file per line; '#' starts a comment)", list.string())};
  }
  return out;
}

}  // namespace avip::scenarios
