#include "scenarios/facility_file.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <optional>

#include <fmt/format.h>

#include "core/error.hpp"
#include "geo/geometry_ops.hpp"
#include "geo/vector_reader.hpp"
#include "sim/opening_hours.hpp"
#include "sim/types.hpp"

namespace avip::scenarios {

namespace {

/// One feature of the file: its values by contract name, problems at "<where>/<field>".
struct feature_values {
  geo::feature_table const& t;
  std::size_t row;
  std::string where;
  problems& p;

  [[nodiscard]] std::optional<std::string> text(std::string const& field) const {
    auto const c = t.column(field);
    if (!c || !t.values[*c][row] || t.values[*c][row]->empty()) {
      return std::nullopt;
    }
    return t.values[*c][row];
  }
  std::string required(std::string const& field, std::string const& hint) const {
    auto v = text(field);
    if (!v) {
      p.add(where + "/" + field, "required" + hint);
    }
    return v.value_or("");
  }
  /// A number in [lo, hi] (whole if `whole`), or nullopt (reported) when it is not.
  std::optional<double> number(std::string const& field, double lo, double hi, bool whole) const {
    auto const v = text(field);
    if (!v) {
      return std::nullopt;
    }
    char* end = nullptr;
    double const x = std::strtod(v->c_str(), &end);
    if (end == v->c_str() || *end != '\0' || !std::isfinite(x) || x < lo || x > hi ||
        (whole && x != std::floor(x))) {
      p.add(where + "/" + field, fmt::format("expected a {} in [{}, {}], got '{}'",
                                             whole ? "whole number" : "number", lo, hi, *v));
      return std::nullopt;
    }
    return x;
  }
  bool flag(std::string const& field) const {
    auto v = text(field);
    if (!v) {
      return false;
    }
    std::transform(v->begin(), v->end(), v->begin(), [](unsigned char c) { return std::tolower(c); });
    if (*v == "1" || *v == "true" || *v == "yes" || *v == "oui") {
      return true;
    }
    if (*v != "0" && *v != "false" && *v != "no" && *v != "non") {
      p.add(where + "/" + field, fmt::format("expected true or false, got '{}'", *v));
    }
    return false;
  }
};

/// The point of feature `k` in WGS84: its geometry, or its lon and lat columns for a table.
std::optional<geo::xy> location(geo::feature_table const& t, std::size_t k, feature_values const& v) {
  if (!t.geometry.empty()) {
    auto const xy = geo::point_coordinates(t.geometry[k]);
    if (!xy) {
      v.p.add(v.where, "new facilities must be points");
    }
    return xy;
  }
  auto const lon = v.number("lon", -180, 180, false);
  auto const lat = v.number("lat", -90, 90, false);
  if (!lon || !lat) {
    if (!v.text("lon") || !v.text("lat")) {
      v.p.add(v.where, "lon and lat (WGS84) are required: the file has no geometry");
    }
    return std::nullopt;
  }
  return geo::xy{*lon, *lat};
}

new_facility read_feature(geo::feature_table const& t, std::size_t k, feature_values const& v) {
  new_facility f;
  f.pointer = v.where;
  f.id = v.required("id", "");
  f.name = v.text("name").value_or(f.id);
  f.kind = v.required("kind", " (one of creche, multi_accueil, micro_creche, …)");
  if (!f.kind.empty() && !is_facility_kind(f.kind)) {
    v.p.add(v.where + "/kind", fmt::format("unknown kind '{}'", f.kind));
  }
  if (!v.text("places")) {
    v.p.add(v.where + "/places", "required (PMI-approved places)");
  } else if (auto const n = v.number("places", kMinPlaces, kMaxPlaces, true)) {
    f.places = static_cast<int>(*n);
  }
  f.hours = v.required("hours", " (e.g. \"Mo-Fr 07:00-18:30\")");
  if (!f.hours.empty()) {
    try {
      (void)sim::parse_opening_hours(f.hours);
    } catch (error const& e) {
      v.p.add(v.where + "/hours", e.what());
    }
  }
  f.occupancy = v.number("occupancy", 0, 1, false).value_or(0.9);
  f.avip = v.flag("avip");
  f.network = v.text("network").value_or("");
  f.manager = v.text("manager").value_or("");
  if (auto const xy = location(t, k, v)) {
    f.lon = xy->x;
    f.lat = xy->y;
  }
  return f;
}

}  // namespace

std::vector<std::string> const& new_facility_fields() {
  static std::vector<std::string> const names{"id",   "name",    "kind",    "places", "hours", "occupancy",
                                              "avip", "network", "manager", "lon",    "lat"};
  return names;
}

std::string facility_kinds_text() {
  std::string out;
  for (auto const kind : sim::kFacilityKindNames) {
    out += (out.empty() ? "" : ", ") + std::string{kind};
  }
  return out;
}

bool is_facility_kind(std::string const& kind) {
  return std::find(sim::kFacilityKindNames.begin(), sim::kFacilityKindNames.end(), kind) !=
         sim::kFacilityKindNames.end();
}

std::vector<new_facility> read_facility_file(std::filesystem::path const& path, std::string const& name,
                                             std::map<std::string, std::string> const& fields,
                                             std::string const& pointer, problems& p) {
  geo::read_options ro;
  ro.target_epsg = 4326;
  ro.field_map = fields;
  std::vector<new_facility> out;
  try {
    auto const t = geo::read_vector(path.string(), ro);
    for (std::size_t k = 0; k < t.size(); ++k) {
      feature_values const v{t, k, fmt::format("{}/file {} feature {}", pointer, name, t.fid[k]), p};
      out.push_back(read_feature(t, k, v));
    }
  } catch (error const& ex) {
    p.add(pointer + "/file", ex.what());
  }
  return out;
}

}  // namespace avip::scenarios
