#include "territory/load.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/id_index.hpp"
#include "core/path_policy.hpp"
#include "geo/file_hash.hpp"
#include "geo/geos_context.hpp"
#include "geo/polygon_index.hpp"
#include "geo/projection.hpp"
#include "geo/vector_reader.hpp"
#include "sim/opening_hours.hpp"
#include "territory/cell_lookup.hpp"
#include "territory/json_file.hpp"

namespace avip::territory {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

/// A grid's cell side in metres: 200 m by default (INSEE Filosofi); outside this range the data are in
/// another unit (degrees, kilometres) or every family falls into one cell.
constexpr double kDefaultCellSize = 200.0;
constexpr double kMinCellSize = 10.0;
constexpr double kMaxCellSize = 10000.0;

/// Every violation of the contract found while loading, reported together.
struct violations {
  std::vector<std::string> lines;
  void add(std::string s) { lines.push_back(std::move(s)); }
  void throw_if_any(fs::path const& manifest) const {
    if (lines.empty()) {
      return;
    }
    std::string msg = fmt::format("{}: {} contract violation(s):", manifest.string(), lines.size());
    for (std::size_t i = 0; i < lines.size() && i < 20; ++i) {
      msg += "\n  " + lines[i];
    }
    if (lines.size() > 20) {
      msg += fmt::format("\n  and {} more", lines.size() - 20);
    }
    throw data_error{msg};
  }
};

json read_json(fs::path const& file) {
  return read_json_file<data_error>(file, "territory manifest");
}

/// The JSON kinds a manifest value may have, for messages.
enum class kind { string, integer, number, boolean };

bool has_kind(json const& v, kind k) {
  switch (k) {
    case kind::string:
      return v.is_string();
    case kind::integer:
      return v.is_number_integer();
    case kind::number:
      return v.is_number();
    case kind::boolean:
      return v.is_boolean();
  }
  return false;
}

/// `obj[key]` when given; throws data_error naming the manifest and pointer when it has another type.
json const* manifest_value(json const& obj, std::string const& key, kind k, fs::path const& manifest,
                           std::string const& pointer) {
  if (!obj.contains(key)) {
    return nullptr;
  }
  auto const& v = obj.at(key);
  if (!has_kind(v, k)) {
    static constexpr char const* kNames[] = {"a string", "a whole number", "a number", "true or false"};
    throw data_error{fmt::format("{}: {}/{}: expected {}, got {}", manifest.string(), pointer, key,
                                 kNames[static_cast<int>(k)], v.type_name())};
  }
  return &v;
}

std::string manifest_string(json const& obj, std::string const& key, std::string fallback,
                            fs::path const& manifest, std::string const& pointer) {
  auto const* v = manifest_value(obj, key, kind::string, manifest, pointer);
  return v == nullptr ? fallback : v->get<std::string>();
}

/// A layer's path: relative to the manifest's folder, also inside a GDAL /vsizip/ (or /vsitar/…) path.
fs::path layer_path(std::string const& p, fs::path const& base) {
  for (std::string const v : {"/vsizip/", "/vsitar/", "/vsigzip/"}) {
    if (p.rfind(v, 0) == 0) {
      auto const inner = p.substr(v.size());
      return inner.empty() || inner.front() == '/' ? fs::path{p} : fs::path{v + (base / inner).string()};
    }
  }
  return p.rfind("/vsi", 0) == 0 ? fs::path{p} : base / p;
}

/// The options of a layer entry (fields, layer, x/y, source_epsg), each checked for its type.
void read_layer_options(json const& j, std::string const& pointer, fs::path const& manifest,
                        geo::read_options& o) {
  if (j.contains("fields")) {
    auto const& f = j.at("fields");
    if (!f.is_object()) {
      throw data_error{fmt::format("{}: {}/fields: expected an object (contract name: column name), got {}",
                                   manifest.string(), pointer, f.type_name())};
    }
    for (auto const& [k, v] : f.items()) {
      o.field_map[k] = manifest_string(f, k, {}, manifest, pointer + "/fields");
    }
  }
  o.layer = manifest_string(j, "layer", {}, manifest, pointer);
  if (j.contains("x") != j.contains("y")) {
    throw data_error{fmt::format("{}: {}/{}: give both x and y (the coordinate columns)", manifest.string(),
                                 pointer, j.contains("x") ? "y" : "x")};
  }
  if (j.contains("x")) {
    o.x_field = manifest_string(j, "x", {}, manifest, pointer);
    o.y_field = manifest_string(j, "y", {}, manifest, pointer);
  }
  if (auto const* e = manifest_value(j, "source_epsg", kind::integer, manifest, pointer)) {
    o.source_epsg = e->get<int>();
  }
}

struct layer_spec {
  std::string name;
  fs::path path;
  bool optional{false};
  geo::read_options options;
  double cell_size{0.0};
  bool xy_is_corner{false};
};

std::optional<layer_spec> layer_from(json const& layers, std::string const& name, fs::path const& base,
                                     fs::path const& manifest, bool required, bool skip_optional = false) {
  if (!layers.contains(name)) {
    if (required) {
      throw data_error{fmt::format("{}: /layers/{} is required", manifest.string(), name)};
    }
    return std::nullopt;
  }
  auto const& j = layers.at(name);
  if (!j.is_object()) {
    throw data_error{fmt::format("{}: /layers/{}: expected an object with a \"path\", got {}",
                                 manifest.string(), name, j.type_name())};
  }
  // The synthesis regenerates the layers the manifest marks optional; a layer given without it is
  // read, e.g. a real QPV layer the synthesis builds on.
  if (!required && skip_optional && j.contains("optional") && j.at("optional") == true) {
    return std::nullopt;
  }
  layer_spec s;
  s.name = name;
  auto const pointer = "/layers/" + name;
  if (!j.is_object() || !j.contains("path") || !j.at("path").is_string() ||
      j.at("path").get<std::string>().empty()) {
    throw data_error{fmt::format("{}: {}/path: expected a file path", manifest.string(), pointer)};
  }
  auto const p = j.at("path").get<std::string>();
  if (avip::detail::is_network_vsi(p)) {
    throw data_error{
        fmt::format("{}: {}/path: '{}': network paths are not read (copy the file beside the "
                    "manifest)",
                    manifest.string(), pointer, p)};
  }
  s.path = layer_path(p, base);
  if (auto const* o = manifest_value(j, "optional", kind::boolean, manifest, pointer)) {
    s.optional = o->get<bool>();
  }
  read_layer_options(j, pointer, manifest, s.options);
  if (auto const* c = manifest_value(j, "cell_size", kind::number, manifest, pointer)) {
    s.cell_size = c->get<double>();
    if (!(s.cell_size >= kMinCellSize && s.cell_size <= kMaxCellSize)) {
      throw data_error{fmt::format("{}: {}/cell_size: {} m is out of range [{}, {}] (metres)",
                                   manifest.string(), pointer, s.cell_size, kMinCellSize, kMaxCellSize)};
    }
  }
  if (auto const* c = manifest_value(j, "xy_is_corner", kind::boolean, manifest, pointer)) {
    s.xy_is_corner = c->get<bool>();
  }
  bool const vsi = p.rfind("/vsi", 0) == 0;
  std::error_code ec;
  if (s.optional && !vsi && !fs::exists(s.path, ec)) {
    return std::nullopt;
  }
  if (!vsi && !fs::exists(s.path, ec)) {
    throw data_error{
        fmt::format("{}: {}/path: file not found: {}", manifest.string(), pointer, s.path.string())};
  }
  if (!vsi && !fs::is_regular_file(s.path, ec) && !fs::is_directory(s.path, ec)) {
    throw data_error{fmt::format("{}: {}/path: not a regular file (a device or a pipe): {}",
                                 manifest.string(), pointer, s.path.string())};
  }
  return s;
}

bool parse_bool(std::string const& v, bool& out) {
  std::string l = v;
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
  if (l == "true" || l == "1" || l == "yes" || l == "oui") {
    out = true;
    return true;
  }
  if (l == "false" || l == "0" || l == "no" || l == "non" || l.empty()) {
    out = false;
    return true;
  }
  return false;
}

/// Field access that records violations instead of throwing, so all are reported at once.
struct field_reader {
  geo::feature_table const& t;
  violations& v;

  std::string text(std::size_t i, std::string const& f,
                   std::optional<std::string> fallback = std::nullopt) const {
    auto const c = t.column(f);
    if (!c || !t.values[*c][i]) {
      if (fallback) {
        return *fallback;
      }
      v.add(fmt::format("{}, field '{}': missing", t.where(i), f));
      return {};
    }
    return *t.values[*c][i];
  }
  double number(std::size_t i, std::string const& f, double lo, double hi,
                std::optional<double> fallback = std::nullopt) const {
    auto const c = t.column(f);
    if (!c || !t.values[*c][i] || t.values[*c][i]->empty()) {
      if (fallback) {
        return *fallback;
      }
      v.add(fmt::format("{}, field '{}': missing (expected a number in [{}, {}])", t.where(i), f, lo, hi));
      return lo;
    }
    auto const& s = *t.values[*c][i];
    char* end = nullptr;
    double const x = std::strtod(s.c_str(), &end);
    if (end == s.c_str() || *end != '\0' || !std::isfinite(x) || x < lo || x > hi) {
      v.add(fmt::format("{}, field '{}': expected a number in [{}, {}], got '{}'", t.where(i), f, lo, hi, s));
      return lo;
    }
    return x;
  }
  /// A whole number in [lo, hi]; `fallback` when the field is absent or empty.
  std::int64_t integer(std::size_t i, std::string const& f, std::int64_t lo, std::int64_t hi,
                       std::int64_t fallback) const {
    auto const c = t.column(f);
    if (!c || !t.values[*c][i] || t.values[*c][i]->empty()) {
      return fallback;
    }
    auto const& s = *t.values[*c][i];
    char* end = nullptr;
    double const x = std::strtod(s.c_str(), &end);
    if (end == s.c_str() || *end != '\0' || !std::isfinite(x) || x != std::floor(x) ||
        x < static_cast<double>(lo) || x > static_cast<double>(hi)) {
      v.add(fmt::format("{}, field '{}': expected a whole number in [{}, {}], got '{}'", t.where(i), f, lo,
                        hi, s));
      return fallback;
    }
    return static_cast<std::int64_t>(x);
  }
  /// A required whole number in [lo, hi] (places: 2.5 is refused, not truncated).
  std::int64_t whole(std::size_t i, std::string const& f, std::int64_t lo, std::int64_t hi) const {
    auto const c = t.column(f);
    if (!c || !t.values[*c][i] || t.values[*c][i]->empty()) {
      v.add(fmt::format("{}, field '{}': missing (expected a number in [{}, {}], a whole number)", t.where(i),
                        f, lo, hi));
      return lo;
    }
    auto const& s = *t.values[*c][i];
    char* end = nullptr;
    double const x = std::strtod(s.c_str(), &end);
    if (end == s.c_str() || *end != '\0' || !std::isfinite(x) || x != std::floor(x) ||
        x < static_cast<double>(lo) || x > static_cast<double>(hi)) {
      v.add(fmt::format("{}, field '{}': expected a number in [{}, {}], a whole number, got '{}'", t.where(i),
                        f, lo, hi, s));
      return lo;
    }
    return static_cast<std::int64_t>(x);
  }
  bool flag(std::size_t i, std::string const& f, std::optional<bool> fallback = std::nullopt) const {
    auto const c = t.column(f);
    if (!c || !t.values[*c][i]) {
      if (fallback) {
        return *fallback;
      }
      v.add(fmt::format("{}, field '{}': missing (expected true or false)", t.where(i), f));
      return false;
    }
    bool out = false;
    if (!parse_bool(*t.values[*c][i], out)) {
      v.add(fmt::format("{}, field '{}': expected true or false, got '{}'", t.where(i), f, *t.values[*c][i]));
    }
    return out;
  }
  template <std::size_t N>
  std::uint8_t choice(std::size_t i, std::string const& f,
                      std::array<std::string_view, N> const& names) const {
    auto const s = text(i, f);
    for (std::size_t k = 0; k < N; ++k) {
      if (names[k] == s) {
        return static_cast<std::uint8_t>(k);
      }
    }
    if (!s.empty()) {
      std::string allowed;
      for (auto n : names) {
        allowed += (allowed.empty() ? "" : ", ") + std::string{n};
      }
      v.add(fmt::format("{}, field '{}': expected one of {}, got '{}'", t.where(i), f, allowed, s));
    }
    return 0;
  }
  sim::week_mask hours(std::size_t i, std::string const& f) const {
    auto const s = text(i, f);
    if (s.empty()) {
      return {};
    }
    try {
      return sim::parse_opening_hours(s);
    } catch (error const& e) {
      v.add(fmt::format("{}, field '{}': {}", t.where(i), f, e.what()));
      return {};
    }
  }
};

std::vector<geo::xy> points_of(geo::feature_table const& t, geo::geos_context const& geos) {
  if (t.size() > 0 && t.geometry.size() != t.size()) {
    // A table without geometry (a CSV) whose manifest entry gives no x and y fields.
    throw data_error{
        fmt::format("{}: the layer has no geometry; give its coordinate fields as \"x\" and \"y\" "
                    "in the manifest",
                    t.where(0))};
  }
  std::vector<geo::xy> out;
  out.reserve(t.size());
  for (auto const& w : t.geometry) {
    auto g = geos.from_wkb(w);
    auto c = geos.centroid(g.get());
    double x = 0;
    double y = 0;
    GEOSGeomGetX_r(geos.handle(), c.get(), &x);
    GEOSGeomGetY_r(geos.handle(), c.get(), &y);
    out.push_back({x, y});
  }
  return out;
}

/// Communes and QPV are areas: a point or a line there would make every point-in-polygon join fail
/// later, blaming the facilities and families instead of the layer at fault.
void require_polygons(geo::feature_table const& t, geo::geos_context const& geos, violations& bad) {
  for (std::size_t i = 0; i < t.geometry.size() && i < t.size(); ++i) {
    auto g = geos.from_wkb(t.geometry[i]);
    int const type = GEOSGeomTypeId_r(geos.handle(), g.get());
    if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON) {
      char* name = GEOSGeomType_r(geos.handle(), g.get());
      bad.add(fmt::format("{}: expected a Polygon or MultiPolygon, got a {}", t.where(i),
                          name != nullptr ? name : "geometry of another type"));
      GEOSFree_r(geos.handle(), name);
    }
  }
}

/// Keys a manifest may hold, at the top, per layer, and contract names of `fields` per layer (the
/// communes' fields also map the columns the synthesis reads, so they are not listed): an unknown key
/// is a typo that would otherwise drop a layer or an option without a word.
void check_manifest_keys(json const& manifest, violations& bad) {
  static std::set<std::string> const top{"$schema", "name", "description", "epsg",     "provenance",
                                         "layers",  "gtfs", "roads",       "synthesis"};
  static std::set<std::string> const layer_keys{"path",        "layer",        "fields",    "x",       "y",
                                                "source_epsg", "xy_is_corner", "cell_size", "optional"};
  static std::map<std::string, std::set<std::string>> const contract{
      {"communes", {}},
      {"qpv", {"code", "name", "residents", "synthetic", "source"}},
      {"grid", {"id", "people", "children_0_3", "low_income_households", "single_parent_households"}},
      {"facilities",
       {"id", "kind", "places", "hours", "name", "occupancy", "avip", "avip_places", "label_year", "network",
        "manager", "bus", "synthetic", "source"}},
      {"families",
       {"id", "children_under_3", "single_parent", "parent_under_26", "path", "hours", "mobility",
        "child_age_months", "disabled_child", "referral_month", "synthetic", "source"}},
  };
  auto list = [](auto const& keys) {
    std::string out;
    for (auto const& k : keys) {
      out += (out.empty() ? "" : ", ") + k.first;
    }
    return out;
  };
  auto names = [](std::set<std::string> const& keys) {
    std::string out;
    for (auto const& k : keys) {
      out += (out.empty() ? "" : ", ") + k;
    }
    return out;
  };
  for (auto const& [k, v] : manifest.items()) {
    if (!top.contains(k)) {
      bad.add(fmt::format("/{}: unknown key (expected {})", k, names(top)));
    }
  }
  if (!manifest.contains("layers") || !manifest.at("layers").is_object()) {
    return;
  }
  for (auto const& [name, layer] : manifest.at("layers").items()) {
    auto const known = contract.find(name);
    if (known == contract.end()) {
      bad.add(fmt::format("/layers/{}: unknown layer (expected {})", name, list(contract)));
      continue;
    }
    if (!layer.is_object()) {
      continue;
    }
    for (auto const& [k, v] : layer.items()) {
      if (!layer_keys.contains(k)) {
        bad.add(fmt::format("/layers/{}/{}: unknown key (expected {})", name, k, names(layer_keys)));
      }
    }
    if (known->second.empty() || !layer.contains("fields") || !layer.at("fields").is_object()) {
      continue;
    }
    for (auto const& [k, v] : layer.at("fields").items()) {
      if (!known->second.contains(k)) {
        bad.add(fmt::format("/layers/{}/fields/{}: not a field of the {} layer's contract (expected {})",
                            name, k, name, names(known->second)));
      }
    }
  }
}

void add_input(territory& t, std::string const& layer, fs::path const& path) {
  std::string hash;
  if (fs::is_regular_file(path)) {
    hash = geo::file_sha256(path.string());
  }
  t.inputs.push_back({layer, path, hash});
}

/// Years a label_year may take (besides 0, unknown): the AVIP scheme dates from 2016, so this only
/// catches typos such as 21 for 2021.
constexpr std::int64_t kFirstLabelYear = 2000;
constexpr std::int64_t kLastLabelYear = 2100;
/// A commune's road length ÷ straight line: 1 on a straight road; beyond 10 it is surely a typo.
constexpr double kMaxDetourFactor = 10.0;

/// Share of poor households of commune feature `i`: its `poverty_rate` (0–1), or `poor_households` ÷
/// `households`; NaN when neither is given.
double poverty_rate(field_reader const& r, geo::feature_table const& t, std::size_t i, violations& bad) {
  double const nan = std::numeric_limits<double>::quiet_NaN();
  double const rate = r.number(i, "poverty_rate", 0, 1, nan);
  if (!std::isnan(rate)) {
    return rate;
  }
  double const poor = r.number(i, "poor_households", 0, 1e8, nan);
  double const households = r.number(i, "households", 0, 1e8, nan);
  if (std::isnan(poor) || std::isnan(households)) {
    return nan;
  }
  if (households <= 0 || poor > households) {
    bad.add(
        fmt::format("{}, field 'poor_households': {} poor households for {} households (expected at "
                    "most as many, and households > 0)",
                    t.where(i), poor, households));
    return nan;
  }
  return poor / households;
}

/// A grid row given twice (same id, or same cell) would count its people and children twice.
void check_unique_cells(geo::feature_table const& g, sim::grid_table const& grid, cell_lookup const& lookup,
                        violations& bad) {
  std::map<std::string, std::size_t> ids;
  std::unordered_map<std::uint64_t, std::size_t> cells;
  for (std::size_t i = 0; i < grid.size(); ++i) {
    auto const k = sim::cell_idx::from(i);
    if (auto [it, inserted] = ids.try_emplace(grid.id[k], i); !inserted && !grid.id[k].empty()) {
      bad.add(fmt::format("{}, field 'id': duplicate cell id '{}' (also feature {})", g.where(i), grid.id[k],
                          g.fid[it->second]));
      continue;
    }
    if (auto [it, inserted] = cells.try_emplace(lookup.key(grid.centre[k]), i); !inserted) {
      bad.add(fmt::format("{}: the same {} m cell as feature {} (a duplicated row?)", g.where(i),
                          grid.cell_size, g.fid[it->second]));
    }
  }
}

template <typename Idx>
Idx to_idx(std::uint32_t v) {
  return v == geo::kNoPolygon ? Idx::invalid() : Idx{v};
}

}  // namespace

bool is_territory_manifest(fs::path const& file) {
  try {
    auto const j = read_json_file<data_error>(file, "territory manifest");
    if (!j.is_object()) {
      return false;
    }
    // A manifest that forgot its layers is still a manifest (and is told so), not a scenario.
    auto const any = [&](std::initializer_list<char const*> keys) {
      return std::any_of(keys.begin(), keys.end(), [&](char const* k) { return j.contains(k); });
    };
    return j.contains("layers") || (!any({"territory", "base", "edits", "params", "replications", "seed"}) &&
                                    any({"epsg", "gtfs", "provenance"}));
  } catch (error const&) {
    return false;  // the scenario reader reports what is wrong with the file
  }
}

territory load_territory(fs::path const& manifest_path, bool required_layers_only) {
  return load_territory(manifest_path, required_layers_only, fs::path{});
}

territory load_territory(fs::path const& manifest_path, bool required_layers_only,
                         fs::path const& synthetic_dir) {
  auto const manifest = read_json(manifest_path);
  auto const base = manifest_path.parent_path();
  territory t;
  t.manifest = manifest_path;
  if (!manifest.is_object()) {
    throw data_error{fmt::format("{}: expected a JSON object (a territory manifest), got {}",
                                 manifest_path.string(), manifest.type_name())};
  }
  t.name = manifest_string(manifest, "name", manifest_path.stem().string(), manifest_path, "");
  t.world.territory = t.name;
  if (!manifest.contains("layers") || !manifest.at("layers").is_object()) {
    throw data_error{fmt::format("{}: /layers: expected an object listing the territory's layers",
                                 manifest_path.string())};
  }
  auto const& layers = manifest.at("layers");
  // The synthetic layers of another seed: the layers the manifest marks optional read from
  // synthetic_dir, with the contract's own field names (the synthesis writes them).
  auto seeded_layer = [&](std::optional<layer_spec> s) {
    if (s && s->optional && !synthetic_dir.empty()) {
      auto const p = synthetic_dir / (s->name + ".geojson");
      std::error_code ec;
      if (!fs::exists(p, ec)) {
        return std::optional<layer_spec>{};
      }
      s->path = p;
      s->options = geo::read_options{};
    }
    return s;
  };
  violations bad;
  check_manifest_keys(manifest, bad);
  geo::geos_context geos;
  auto& w = t.world;

  // --- communes (required) defines the metric CRS when the manifest does not.
  auto communes_spec = *layer_from(layers, "communes", base, manifest_path, true);
  auto const* epsg_value = manifest_value(manifest, "epsg", kind::integer, manifest_path, "");
  int epsg = epsg_value == nullptr ? 0 : epsg_value->get<int>();
  // The communes' WGS84 extent: chooses the CRS when the manifest does not, and checks a given one.
  double x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
  {
    auto probe = geo::read_vector(communes_spec.path.string(), [&] {
      auto o = communes_spec.options;
      o.target_epsg = 4326;
      return o;
    }());
    for (auto const& p : points_of(probe, geos)) {
      x0 = std::min(x0, p.x), y0 = std::min(y0, p.y), x1 = std::max(x1, p.x), y1 = std::max(y1, p.y);
    }
  }
  if (epsg != 0) {
    try {
      geo::require_known_epsg(epsg);
    } catch (error const& e) {
      throw data_error{fmt::format("{}: /epsg: {}", manifest_path.string(), e.what())};
    }
    // Distances, tolerances and cell sizes are in metres: 0.01 degree of latitude (1.1 km) measured in
    // the CRS's units tells a metric CRS from one in degrees (4326) or far outside its area.
    if (x0 <= x1) {
      geo::transformer const to{4326, epsg};
      geo::xy const a = to.forward({(x0 + x1) / 2, (y0 + y1) / 2});
      geo::xy const b = to.forward({(x0 + x1) / 2, (y0 + y1) / 2 + 0.01});
      double const d = std::hypot(a.x - b.x, a.y - b.y);
      if (!(d > 500 && d < 3000)) {
        throw data_error{fmt::format(
            "{}: /epsg: EPSG:{} is not a metric CRS for this territory (1.1 km of latitude measures {:.4g} "
            "in its units); give a projected CRS in metres (e.g. 2154, 2975), or no epsg to let avipsim "
            "choose",
            manifest_path.string(), epsg, d)};
      }
    }
  } else {
    epsg = geo::choose_metric_epsg(x0, y0, x1, y1);
  }
  w.epsg = epsg;
  auto read = [&](layer_spec const& s) {
    auto o = s.options;
    o.target_epsg = epsg;
    add_input(t, s.name, s.path);
    return geo::read_vector(s.path.string(), o);
  };

  auto communes = read(communes_spec);
  {
    field_reader r{communes, bad};
    std::map<std::string, sim::sector_idx> sectors;
    for (std::size_t i = 0; i < communes.size(); ++i) {
      w.communes.code.push_back(r.text(i, "code"));
      w.communes.name.push_back(r.text(i, "name"));
      w.communes.epci.push_back(r.text(i, "epci", std::string{}));
      auto const sector = r.text(i, "sector", std::string{"(all)"});
      auto [it, inserted] = sectors.try_emplace(sector, sim::sector_idx::from(w.sectors.size()));
      if (inserted) {
        w.sectors.name.push_back(sector);
      }
      w.communes.sector.push_back(it->second);
      w.communes.population.push_back(r.number(i, "population", 0, 1e8, 0.0));
      w.communes.children_under_3.push_back(r.number(i, "children_under_3", 0, 1e7, 0.0));
      w.communes.zrr.push_back(r.flag(i, "zrr", false) ? 1 : 0);
      w.communes.poverty_rate.push_back(poverty_rate(r, communes, i, bad));
      w.communes.detour_factor.push_back(
          r.number(i, "detour_factor", 1, kMaxDetourFactor, std::numeric_limits<double>::quiet_NaN()));
    }
    require_polygons(communes, geos, bad);
    auto const c = points_of(communes, geos);
    for (auto const& p : c) {
      w.communes.centroid.push_back({p.x, p.y});
    }
    t.commune_geometry = communes.geometry;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < communes.size(); ++i) {
      if (!seen.insert(w.communes.code[sim::commune_idx::from(i)]).second) {
        bad.add(fmt::format("{}, field 'code': duplicate commune code '{}'", communes.where(i),
                            w.communes.code[sim::commune_idx::from(i)]));
      }
    }
  }

  // --- QPV (optional)
  if (auto s = seeded_layer(layer_from(layers, "qpv", base, manifest_path, false, required_layers_only))) {
    auto q = read(*s);
    field_reader r{q, bad};
    require_polygons(q, geos, bad);
    auto const centre = points_of(q, geos);
    auto const in_commune = geo::locate_points(t.commune_geometry, centre);
    for (std::size_t i = 0; i < q.size(); ++i) {
      w.qpvs.code.push_back(r.text(i, "code"));
      w.qpvs.name.push_back(r.text(i, "name"));
      w.qpvs.commune.push_back(to_idx<sim::commune_idx>(in_commune[i]));
      w.qpvs.residents.push_back(r.number(i, "residents", 0, 1e7, 0.0));
      w.qpvs.synthetic.push_back(r.flag(i, "synthetic", false) ? 1 : 0);
    }
    t.qpv_geometry = q.geometry;
    if (r.flag(0, "synthetic", false)) {
      t.synthetic_layers.push_back("qpv");
    }
  }

  // --- grid (required): points at cell centres
  auto grid_spec = *layer_from(layers, "grid", base, manifest_path, true);
  std::optional<cell_lookup> cells;  // for points: the cell holding them
  {
    auto g = read(grid_spec);
    field_reader r{g, bad};
    w.grid.cell_size = grid_spec.cell_size > 0 ? grid_spec.cell_size : kDefaultCellSize;
    double const shift = grid_spec.xy_is_corner ? w.grid.cell_size / 2.0 : 0.0;
    auto pts = points_of(g, geos);
    for (auto& p : pts) {
      p.x += shift;
      p.y += shift;
    }
    auto commune = geo::locate_points(t.commune_geometry, pts);
    geo::snap_to_nearest(t.commune_geometry, pts, commune, kCoastSnapMetres);
    auto const qpv = geo::locate_points(t.qpv_geometry, pts);
    for (std::size_t i = 0; i < g.size(); ++i) {
      w.grid.id.push_back(r.text(i, "id"));
      w.grid.centre.push_back({pts[i].x, pts[i].y});
      w.grid.commune.push_back(to_idx<sim::commune_idx>(commune[i]));
      w.grid.qpv.push_back(to_idx<sim::qpv_idx>(qpv[i]));
      w.grid.people.push_back(r.number(i, "people", 0, 1e7));
      w.grid.children_0_3.push_back(r.number(i, "children_0_3", 0, 1e6));
      w.grid.low_income_households.push_back(r.number(i, "low_income_households", 0, 1e6, 0.0));
      w.grid.single_parent_households.push_back(r.number(i, "single_parent_households", -1, 1e6, -1.0));
    }
    cells.emplace(w.grid);
    check_unique_cells(g, w.grid, *cells, bad);
  }
  auto cell_at = [&cells](geo::xy p) { return cells->at({p.x, p.y}); };

  // --- facilities (optional)
  if (auto s =
          seeded_layer(layer_from(layers, "facilities", base, manifest_path, false, required_layers_only))) {
    auto f = read(*s);
    field_reader r{f, bad};
    auto const pts = points_of(f, geos);
    auto commune = geo::locate_points(t.commune_geometry, pts);
    geo::snap_to_nearest(t.commune_geometry, pts, commune, kCoastSnapMetres);
    auto const qpv = geo::locate_points(t.qpv_geometry, pts);
    auto& fa = w.facilities;
    id_index networks{fa.network_id};
    id_index managers{fa.manager_id};
    id_index buses{fa.bus_id};
    std::set<std::string> ids;
    bool any_synthetic = false;
    for (std::size_t i = 0; i < f.size(); ++i) {
      auto const id = r.text(i, "id");
      if (!ids.insert(id).second) {
        bad.add(fmt::format("{}, field 'id': duplicate id '{}'", f.where(i), id));
      }
      fa.id.push_back(id);
      fa.name.push_back(r.text(i, "name", id));
      auto const kind = static_cast<sim::facility_kind>(r.choice(i, "kind", sim::kFacilityKindNames));
      fa.kind.push_back(kind);
      fa.places.push_back(static_cast<std::int32_t>(r.whole(i, "places", 1, 1000)));
      fa.hours_text.push_back(r.text(i, "hours"));
      fa.hours.push_back(r.hours(i, "hours"));
      fa.occupancy.push_back(r.number(i, "occupancy", 0, 1, 0.9));
      fa.avip.push_back(r.flag(i, "avip", false) ? 1 : 0);
      auto const avip_places = r.integer(i, "avip_places", 0, 1000, 0);
      if (avip_places > fa.places.back()) {
        bad.add(fmt::format("{}, field 'avip_places': {} labelled places exceed the {} PMI places",
                            f.where(i), avip_places, fa.places.back()));
      }
      fa.avip_places.push_back(
          static_cast<std::int32_t>(std::min<std::int64_t>(avip_places, fa.places.back())));
      auto const label_year = r.integer(i, "label_year", 0, kLastLabelYear, 0);
      if (label_year != 0 && label_year < kFirstLabelYear) {
        bad.add(fmt::format("{}, field 'label_year': expected a year in [{}, {}] or 0 (unknown), got {}",
                            f.where(i), kFirstLabelYear, kLastLabelYear, label_year));
      }
      fa.label_year.push_back(static_cast<std::int16_t>(label_year < kFirstLabelYear ? 0 : label_year));
      fa.network.push_back(networks.of(r.text(i, "network", std::string{})));
      if (fa.network.back().valid() && fa.network_has_coordinator.size() < fa.network_id.size()) {
        fa.network_has_coordinator.push_back(1);
      }
      fa.manager.push_back(managers.of(r.text(i, "manager", std::string{})));
      auto const bus = r.text(i, "bus", std::string{});
      fa.bus.push_back(buses.of(bus));
      if (kind == sim::facility_kind::baby_bus_site && bus.empty()) {
        bad.add(fmt::format("{}, field 'bus': a baby_bus_site needs the id of its bus", f.where(i)));
      }
      bool const synthetic = r.flag(i, "synthetic", false);
      any_synthetic = any_synthetic || synthetic;
      fa.synthetic.push_back(synthetic ? 1 : 0);
      fa.source.push_back(r.text(i, "source", std::string{}));
      fa.location.push_back({pts[i].x, pts[i].y});
      fa.commune.push_back(to_idx<sim::commune_idx>(commune[i]));
      fa.qpv.push_back(to_idx<sim::qpv_idx>(qpv[i]));
      fa.cell.push_back(cell_at(pts[i]));
      if (commune[i] == geo::kNoPolygon) {
        bad.add(fmt::format("{}: location outside every commune", f.where(i)));
      }
    }
    if (any_synthetic) {
      t.synthetic_layers.push_back("facilities");
    }
  }

  // --- families (optional)
  if (auto s =
          seeded_layer(layer_from(layers, "families", base, manifest_path, false, required_layers_only))) {
    auto f = read(*s);
    field_reader r{f, bad};
    auto const pts = points_of(f, geos);
    auto commune = geo::locate_points(t.commune_geometry, pts);
    geo::snap_to_nearest(t.commune_geometry, pts, commune, kCoastSnapMetres);
    auto const qpv = geo::locate_points(t.qpv_geometry, pts);
    auto& fm = w.families;
    bool any_synthetic = false;
    for (std::size_t i = 0; i < f.size(); ++i) {
      fm.id.push_back(r.text(i, "id"));
      fm.location.push_back({pts[i].x, pts[i].y});
      auto const c = to_idx<sim::commune_idx>(commune[i]);
      fm.commune.push_back(c);
      fm.qpv.push_back(to_idx<sim::qpv_idx>(qpv[i]));
      fm.cell.push_back(cell_at(pts[i]));
      fm.zrr.push_back(c.valid() ? w.communes.zrr[c] : 0);
      fm.children_under_3.push_back(static_cast<std::uint8_t>(r.whole(i, "children_under_3", 0, 10)));
      fm.child_age_months.push_back(static_cast<std::uint8_t>(r.integer(i, "child_age_months", 0, 72, 18)));
      fm.disabled_child.push_back(r.flag(i, "disabled_child", false) ? 1 : 0);
      fm.single_parent.push_back(r.flag(i, "single_parent") ? 1 : 0);
      fm.parent_under_26.push_back(r.flag(i, "parent_under_26") ? 1 : 0);
      fm.path.push_back(static_cast<sim::insertion_path>(r.choice(i, "path", sim::kInsertionPathNames)));
      fm.hours.push_back(r.hours(i, "hours"));
      fm.mobility_mode.push_back(static_cast<sim::mobility>(r.choice(i, "mobility", sim::kMobilityNames)));
      fm.referral_month.push_back(static_cast<std::int8_t>(r.integer(i, "referral_month", -1, 11, -1)));
      bool const synthetic = r.flag(i, "synthetic", false);
      any_synthetic = any_synthetic || synthetic;
      fm.synthetic.push_back(synthetic ? 1 : 0);
      if (commune[i] == geo::kNoPolygon) {
        bad.add(fmt::format("{}: location outside every commune", f.where(i)));
      }
    }
    if (any_synthetic) {
      t.synthetic_layers.push_back("families");
    }
  }

  if (manifest.contains("gtfs")) {
    auto const& feeds = manifest.at("gtfs");
    if (!feeds.is_array()) {
      throw data_error{fmt::format("{}: /gtfs: expected a list of GTFS files, got {}", manifest_path.string(),
                                   feeds.type_name())};
    }
    for (std::size_t i = 0; i < feeds.size(); ++i) {
      if (!feeds[i].is_string() || feeds[i].get<std::string>().empty()) {
        throw data_error{fmt::format("{}: /gtfs/{}: expected a file path", manifest_path.string(), i)};
      }
      if (avip::detail::is_network_vsi(feeds[i].get<std::string>())) {
        throw data_error{fmt::format("{}: /gtfs/{}: '{}': network paths are not read", manifest_path.string(),
                                     i, feeds[i].get<std::string>())};
      }
      auto const p = base / feeds[i].get<std::string>();
      if (!fs::exists(p)) {
        bad.add(fmt::format("/gtfs: file not found: {}", p.string()));
        continue;
      }
      t.gtfs.push_back(p);
      add_input(t, "gtfs", p);
    }
  }
  if (auto const* r = manifest_value(manifest, "roads", kind::string, manifest_path, "")) {
    auto const p = (base / r->get<std::string>()).lexically_normal();
    std::error_code ec;
    if (r->get<std::string>().empty() || !fs::is_regular_file(p, ec)) {
      throw data_error{
          fmt::format("{}: /roads: file not found: {} (an OpenStreetMap extract, .osm.pbf or .osm)",
                      manifest_path.string(), p.string())};
    }
    auto const name = p.filename().string();
    auto const ends = [&](std::string const& x) {
      return name.size() > x.size() && name.compare(name.size() - x.size(), x.size(), x) == 0;
    };
    if (!ends(".osm") && !ends(".osm.pbf") && !ends(".pbf") && !ends(".osm.bz2") && !ends(".osm.gz")) {
      throw data_error{
          fmt::format("{}: /roads: {} is not an OpenStreetMap extract (.osm.pbf, .osm or .osm.bz2)",
                      manifest_path.string(), p.string())};
    }
    t.roads = p;
    add_input(t, "roads", p);
  }
  t.provenance = manifest_string(manifest, "provenance", {}, manifest_path, "");
  bad.throw_if_any(manifest_path);
  return t;
}

std::string check_report(territory const& t) {
  auto const& w = t.world;
  std::ostringstream out;
  out << fmt::format("territory: {} (EPSG:{})\n", t.name, w.epsg);
  out << fmt::format(
      "layers: communes {}, sectors {}, qpv {}, grid cells {}, facilities {}, families {}, gtfs feeds {}\n",
      w.communes.size(), w.sectors.size(), w.qpvs.size(), w.grid.size(), w.facilities.size(),
      w.families.size(), t.gtfs.size());
  if (!t.roads.empty()) {
    out << fmt::format("roads: {} (car and walking times on the road graph)\n", t.roads.string());
  } else {
    out << "roads: none (car and walking times: straight lines × the communes' detour factors)\n";
  }
  if (!t.synthetic_layers.empty()) {
    std::string s;
    for (auto const& l : t.synthetic_layers) {
      s += (s.empty() ? "" : ", ") + l;
    }
    out << "synthetic layers: " << s << "\n";
  }
  std::vector<double> cells(w.communes.size()), people(w.communes.size()), fac(w.communes.size()),
      places(w.communes.size()), fam(w.communes.size()), qpv(w.communes.size());
  for (std::size_t i = 0; i < w.grid.size(); ++i) {
    auto const c = w.grid.commune[sim::cell_idx::from(i)];
    if (c.valid()) {
      cells[c.index()] += 1;
      people[c.index()] += w.grid.people[sim::cell_idx::from(i)];
    }
  }
  for (std::size_t i = 0; i < w.facilities.size(); ++i) {
    auto const c = w.facilities.commune[sim::facility_idx::from(i)];
    if (c.valid()) {
      fac[c.index()] += 1;
      places[c.index()] += w.facilities.places[sim::facility_idx::from(i)];
    }
  }
  for (std::size_t i = 0; i < w.families.size(); ++i) {
    auto const c = w.families.commune[sim::family_idx::from(i)];
    if (c.valid()) {
      fam[c.index()] += 1;
    }
  }
  for (std::size_t i = 0; i < w.qpvs.size(); ++i) {
    auto const c = w.qpvs.commune[sim::qpv_idx::from(i)];
    if (c.valid()) {
      qpv[c.index()] += 1;
    }
  }
  out << fmt::format("{:<8} {:<26} {:>6} {:>9} {:>5} {:>10} {:>7} {:>9} {:>7}\n", "code", "commune", "cells",
                     "people", "qpv", "facilities", "places", "families", "poor %");
  for (std::size_t i = 0; i < w.communes.size(); ++i) {
    auto const c = sim::commune_idx::from(i);
    auto const poor = w.communes.poverty_rate[c];
    out << fmt::format("{:<8} {:<26} {:>6} {:>9.0f} {:>5} {:>10} {:>7} {:>9} {:>7}\n", w.communes.code[c],
                       w.communes.name[c], cells[i], people[i], qpv[i], fac[i], places[i], fam[i],
                       std::isnan(poor) ? std::string{"-"} : fmt::format("{:.1f}", 100.0 * poor));
  }
  return out.str();
}

}  // namespace avip::territory
