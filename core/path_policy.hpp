#pragma once

#include <atomic>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

#include "core/error.hpp"

namespace avip {

/// Whether a scenario may read files outside its own folder (and the working folder): set once in
/// `main` from `--allow-outside`, read by input_path.
inline std::atomic<bool>& allow_outside_paths() {
  static std::atomic<bool> allowed{false};
  return allowed;
}

namespace detail {

/// GDAL's virtual file systems that read over the network.
inline bool is_network_vsi(std::string_view p) {
  for (std::string_view const v : {"/vsicurl", "/vsis3", "/vsigs", "/vsiaz", "/vsiadls", "/vsioss",
                                   "/vsiswift", "/vsihdfs", "/vsiwebhdfs", "/vsistdin", "/vsiwasb"}) {
    if (p.find(v) != std::string_view::npos) {
      return true;
    }
  }
  return false;
}

/// `/vsizip/a.zip/x.shp` → "a.zip/x.shp" (the archive on disk), or `p` unchanged.
inline std::string_view local_vsi_file(std::string_view p) {
  for (std::string_view const v : {"/vsizip/", "/vsitar/", "/vsigzip/", "/vsi7z/", "/vsirar/"}) {
    if (p.substr(0, v.size()) == v) {
      return p.substr(v.size());
    }
  }
  return p;
}

inline bool is_inside(std::filesystem::path const& p, std::filesystem::path const& root) {
  auto const r = root.lexically_normal();
  auto const rel = p.lexically_relative(r);
  return !rel.empty() && *rel.begin() != "..";
}

}  // namespace detail

/// The path of a file a scenario names (`value`, at JSON pointer `pointer` of `scenario_file`),
/// resolved against the scenario's folder. Network /vsi paths (/vsicurl/, /vsis3/, …) are refused
/// always; a path that leads outside both the scenario's folder and the working folder (absolute,
/// climbing with `..`, or through a symbolic link) is refused unless `--allow-outside`: a scenario
/// sent by someone else (the map editor serves files) reads nothing but its own files. Throws
/// scenario_error naming the file and pointer.
inline std::filesystem::path input_path(std::filesystem::path const& scenario_file, std::string const& value,
                                        std::string const& pointer) {
  namespace fs = std::filesystem;
  auto const where = [&] {
    auto const shown = value.size() > 200 ? value.substr(0, 200) + "…" : value;
    return fmt::format("{}: {}: '{}'", scenario_file.string(), pointer, shown);
  };
  if (detail::is_network_vsi(value)) {
    throw scenario_error{where() + ": network paths are not read (copy the file beside the scenario)"};
  }
  if (value.empty()) {
    throw scenario_error{where() + ": empty path"};
  }
  auto const folder = scenario_file.parent_path();
  auto const local = detail::local_vsi_file(value);
  auto const resolved = folder / value;
  if (allow_outside_paths()) {
    return resolved;
  }
  std::error_code ec;
  // A local /vsizip/… path names its archive as GDAL finds it (from the working folder).
  auto const checked = local.size() != value.size() ? fs::path{std::string{local}} : resolved;
  auto const real = fs::weakly_canonical(fs::absolute(checked, ec), ec);
  auto const own = fs::weakly_canonical(fs::absolute(folder.empty() ? fs::path{"."} : folder, ec), ec);
  auto const cwd = fs::weakly_canonical(fs::current_path(ec), ec);
  if (ec || (!detail::is_inside(real, own) && !detail::is_inside(real, cwd))) {
    throw scenario_error{where() + fmt::format(": outside the scenario's folder ({}) and the working folder; "
                                               "add --allow-outside to read it",
                                               own.string())};
  }
  return resolved;
}

}  // namespace avip
