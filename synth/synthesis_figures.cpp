#include "synth/synthesis_figures.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace avip::synth {

namespace {

using json = nlohmann::json;
using pointer = json::json_pointer;

/// Reads typed values from the calibration file; every error names the file and the JSON pointer.
class figure_reader {
 public:
  figure_reader(std::filesystem::path file, json doc, sim::world const& w)
      : file_{std::move(file)}, doc_(std::move(doc)), world_{w} {}  // () : {} would wrap doc in an array

  [[noreturn]] void fail(pointer const& p, std::string const& what) const {
    throw data_error{fmt::format("{}: {}: {}", file_.string(), p.to_string(), what)};
  }
  [[nodiscard]] bool has(pointer const& p) const { return find(p) != nullptr; }
  [[nodiscard]] json const& at(pointer const& p) const {
    auto const* v = find(p);
    if (v == nullptr) {
      fail(p, "missing figure");
    }
    return *v;
  }
  [[nodiscard]] double number(pointer const& p, double lo = 0.0,
                              double hi = std::numeric_limits<double>::max()) const {
    auto const& v = at(p);
    if (!v.is_number()) {
      fail(p, "expected a number");
    }
    double const x = v.get<double>();
    if (!(x >= lo && x <= hi)) {
      fail(p, fmt::format("{} is outside [{}, {}]", x, lo, hi));
    }
    return x;
  }
  [[nodiscard]] double share(pointer const& p) const {
    auto const& v = at(p);
    if (!v.is_number()) {
      fail(p, "expected a share between 0 and 1");
    }
    double const x = v.get<double>();
    if (!(x >= 0.0 && x <= 1.0)) {
      fail(p, fmt::format("share {} is outside [0, 1]", x));
    }
    return x;
  }
  [[nodiscard]] int integer(pointer const& p, int lo = 0) const {
    auto const& v = at(p);
    if (!v.is_number_integer() || v.get<long long>() < lo || v.get<long long>() > 100'000'000) {
      fail(p, fmt::format("expected a whole number ≥ {}", lo));
    }
    return v.get<int>();
  }
  [[nodiscard]] std::optional<int> optional_integer(pointer const& p) const {
    return has(p) ? std::optional<int>{integer(p)} : std::nullopt;
  }
  [[nodiscard]] std::string text(pointer const& p) const {
    auto const& v = at(p);
    if (!v.is_string()) {
      fail(p, "expected a text");
    }
    return v.get<std::string>();
  }
  [[nodiscard]] std::string text_or(pointer const& p, std::string fallback) const {
    return has(p) ? text(p) : fallback;
  }
  [[nodiscard]] std::size_t size(pointer const& p) const {
    auto const& v = at(p);
    if (!v.is_array()) {
      fail(p, "expected a list");
    }
    return v.size();
  }
  [[nodiscard]] std::size_t size_or_zero(pointer const& p) const { return has(p) ? size(p) : 0; }
  /// A commune of the territory, by INSEE code or name.
  [[nodiscard]] std::size_t commune(pointer const& p) const {
    auto const ref = text(p);
    for (std::size_t c = 0; c < world_.communes.size(); ++c) {
      auto const i = sim::commune_idx::from(c);
      if (world_.communes.code[i] == ref || world_.communes.name[i] == ref) {
        return c;
      }
    }
    fail(p, fmt::format("unknown commune '{}' (neither an INSEE code nor a name of the territory's communes)",
                        ref));
  }
  [[nodiscard]] int_range range(pointer const& p) const {
    if (size(p) != 2) {
      fail(p, "expected [lowest, highest]");
    }
    int_range r{integer(p / 0), integer(p / 1)};
    if (r.hi < r.lo) {
      fail(p, "the highest is below the lowest");
    }
    return r;
  }
  [[nodiscard]] real_range real(pointer const& p, double lo, double hi) const {
    if (size(p) != 2) {
      fail(p, "expected [lowest, highest]");
    }
    real_range r{number(p / 0, lo, hi), number(p / 1, lo, hi)};
    if (r.hi < r.lo) {
      fail(p, "the highest is below the lowest");
    }
    return r;
  }
  /// A list of {"<key>": value, "share": s}; the shares sum to 1 when `whole`, to at most 1 otherwise.
  [[nodiscard]] categorical shares(pointer const& p, std::string const& key, bool whole) const {
    categorical c;
    double sum = 0.0;
    for (std::size_t k = 0; k < size(p); ++k) {
      c.values.push_back(text(p / k / key));
      sum += share(p / k / "share");
      c.cumulative.push_back(std::round(sum * 1e12) / 1e12);
    }
    if (c.values.empty() || sum > 1.0 + 1e-9 || (whole && sum < 1.0 - 1e-9)) {
      fail(p, fmt::format("the shares sum to {} (expected {})", sum, whole ? "1" : "at most 1"));
    }
    return c;
  }

 private:
  /// The value at `p`, or nullptr (json::contains takes a pointer for a key in some versions).
  [[nodiscard]] json const* find(pointer const& p) const {
    try {
      return &doc_.at(p);
    } catch (json::exception const&) {
      return nullptr;
    }
  }

  std::filesystem::path file_;
  json doc_;
  sim::world const& world_;
};

profile_shares read_profile(figure_reader const& r, pointer const& p) {
  profile_shares s;
  s.parent_under_26 = r.share(p / "parent_under_26");
  s.path = r.shares(p / "path", "path", true);
  for (std::size_t k = 0; k < s.path.size(); ++k) {
    s.path_hours[s.path.values[k]] = r.text(p / "path" / k / "hours");
  }
  for (std::size_t k = 0; k < r.size(p / "atypical_paths"); ++k) {
    s.atypical_paths.push_back(r.text(p / "atypical_paths" / k));
  }
  auto const a = p / "atypical_hours";
  s.atypical.cumulative.clear();
  double sum = 0.0;
  for (std::size_t k = 0; k < r.size(a); ++k) {
    bool const append = r.has(a / k / "add");
    s.atypical.values.push_back(append ? "; " + r.text(a / k / "add") : r.text(a / k / "hours"));
    s.atypical_appends.push_back(append);
    sum += r.share(a / k / "share");
    s.atypical.cumulative.push_back(std::round(sum * 1e12) / 1e12);
  }
  if (sum > 1.0 + 1e-9) {
    r.fail(a, fmt::format("the shares sum to {} (expected at most 1)", sum));
  }
  s.mobility = r.shares(p / "mobility", "mode", true);
  s.infant_share = r.share(p / "infant_share");
  s.infant_age_months = r.range(p / "infant_age_months");
  s.toddler_age_months = r.range(p / "toddler_age_months");
  s.two_children_under_3 = r.share(p / "two_children_under_3");
  s.disabled_child = r.share(p / "disabled_child");
  return s;
}

pinned_commune read_pin(figure_reader const& r, pointer const& p) {
  pinned_commune pin;
  pin.commune = r.commune(p / "commune");
  pin.micro_creches = r.optional_integer(p / "micro_creches");
  pin.micro_creche_places = r.optional_integer(p / "micro_creche_places");
  pin.other_eaje = r.optional_integer(p / "other_eaje");
  pin.eaje_places = r.optional_integer(p / "eaje_places");
  pin.assmat = r.optional_integer(p / "assmat");
  pin.source = r.text(p / "source");
  int kinds = 0;
  for (std::size_t k = 0; k < r.size_or_zero(p / "other_eaje_kinds"); ++k) {
    pin.other_eaje_kinds.emplace_back(r.text(p / "other_eaje_kinds" / k / "kind"),
                                      r.integer(p / "other_eaje_kinds" / k / "count"));
    kinds += pin.other_eaje_kinds.back().second;
  }
  if (!pin.other_eaje_kinds.empty() && kinds != pin.other_eaje.value_or(-1)) {
    r.fail(p / "other_eaje_kinds", "the counts do not add up to other_eaje");
  }
  if (pin.eaje_places && (!pin.micro_creches || !pin.micro_creche_places || !pin.other_eaje)) {
    r.fail(p / "eaje_places", "needs micro_creches, micro_creche_places and other_eaje");
  }
  for (auto const* row : {"eaje", "eaje_places", "assmat"}) {
    if (r.has(p / "rows" / row)) {
      pin.rows[row] = r.text(p / "rows" / row);
    }
  }
  return pin;
}

void read_structures(figure_reader const& r, pointer const& p, facility_figures& f) {
  f.eaje_count_source = r.text(p / "eaje_count_source");
  f.eaje_places = r.integer(p / "eaje_places");
  f.micro_creches = r.integer(p / "micro_creches" / "count");
  f.micro_places = r.integer(p / "micro_creches" / "places");
  f.micro_places_range = r.range(p / "micro_creches" / "places_range");
  f.micro_jitter = r.integer(p / "micro_creches" / "places_jitter");
  f.other_eaje = r.integer(p / "other_eaje" / "count");
  f.other_places_range = r.range(p / "other_eaje" / "places_range");
  f.other_jitter = r.integer(p / "other_eaje" / "places_jitter");
  f.other_kinds = r.shares(p / "other_eaje" / "kinds", "kind", true);
  f.eaje_hours = r.shares(p / "eaje_hours", "hours", true);
  f.eaje_occupancy = r.real(p / "eaje_occupancy", 0.0, 1.0);
  f.assmat = r.integer(p / "assmat" / "count");
  f.assmat_four_places = r.share(p / "assmat" / "four_places_share");
  f.assmat_hours = r.shares(p / "assmat" / "hours", "hours", true);
  f.assmat_occupancy = r.real(p / "assmat" / "occupancy", 0.0, 1.0);
}

void read_networks(figure_reader const& r, pointer const& p, facility_figures& f) {
  f.labelled = r.integer(p / "labelled" / "count");
  f.label_rounds = r.integer(p / "labelled" / "rounds", 1);
  f.labelled_source = r.text(p / "labelled" / "source");
  for (std::size_t k = 0; k < r.size_or_zero(p / "experiments"); ++k) {
    auto const e = p / "experiments" / k;
    f.experiments.push_back(
        {r.commune(e / "commune"), r.text(e / "name"), r.text(e / "id"), r.text_or(e / "network", "")});
  }
  for (std::size_t k = 0; k < r.size_or_zero(p / "assmat_networks"); ++k) {
    auto const e = p / "assmat_networks" / k;
    assmat_network n{r.commune(e / "commune"), r.text(e / "network"), r.integer(e / "count"), {}, false};
    for (std::size_t j = 0; j < r.size_or_zero(e / "places"); ++j) {
      n.places.push_back(r.integer(e / "places" / j, 1));
    }
    if (!n.places.empty() && n.places.size() != static_cast<std::size_t>(n.count)) {
      r.fail(e / "places", "expected one figure per member (count)");
    }
    n.in_qpv = r.has(e / "in_qpv") && r.at(e / "in_qpv").get<bool>();
    f.assmat_networks.push_back(std::move(n));
  }
  auto const b = p / "baby_bus";
  if (r.has(b)) {
    f.baby_bus_places = r.integer(b / "places", 1);
    f.baby_bus_occupancy = r.share(b / "occupancy");
    f.baby_bus_manager = r.text(b / "manager");
    for (std::size_t k = 0; k < r.size(b / "buses"); ++k) {
      baby_bus bus{r.commune(b / "buses" / k / "commune"), {}};
      for (std::size_t s = 0; s < r.size(b / "buses" / k / "sites"); ++s) {
        bus.site_hours.push_back(r.text(b / "buses" / k / "sites" / s));
      }
      f.baby_buses.push_back(std::move(bus));
    }
  }
}

facility_figures read_facilities(figure_reader const& r, pointer const& p) {
  facility_figures f;
  f.source = r.text(p / "source");
  f.calibrated_on = r.text(p / "calibrated_on");
  f.named_in = r.text_or(p / "named_in", f.source);
  f.label_year = r.integer(p / "label_year");
  read_structures(r, p, f);
  for (std::size_t k = 0; k < r.size_or_zero(p / "pinned"); ++k) {
    f.pinned.push_back(read_pin(r, p / "pinned" / k));
  }
  read_networks(r, p, f);
  return f;
}

qpv_figures_target read_qpv(figure_reader const& r, pointer const& p, sim::world const& w) {
  qpv_figures_target q;
  q.source = r.text(p / "source");
  q.list_prefix = r.text(p / "list_prefix");
  q.count = r.integer(p / "count");
  q.residents = r.number(p / "residents");
  q.communes = r.integer(p / "communes");
  for (std::size_t k = 0; k < r.size_or_zero(p / "published"); ++k) {
    auto const e = p / "published" / k;
    published_qpv pq{r.commune(e / "commune"), 0.0, 0.0};
    if (r.has(e / "residents")) {
      pq.residents = r.number(e / "residents");
    } else {
      pq.share = r.share(e / "share");
    }
    q.published.push_back(pq);
  }
  std::sort(q.published.begin(), q.published.end(), [&](auto const& a, auto const& b) {
    return w.communes.name[sim::commune_idx::from(a.commune)] <
           w.communes.name[sim::commune_idx::from(b.commune)];
  });
  q.other_communes = r.integer(p / "other_communes");
  q.grown_code_prefix = r.text(p / "grown_code_prefix");
  q.grid_source = r.text(p / "grid_source");
  if (static_cast<std::size_t>(q.other_communes) + q.published.size() > w.communes.size()) {
    r.fail(p / "other_communes", "more communes with QPV than the territory has");
  }
  return q;
}

family_figures read_families(figure_reader const& r, pointer const& p, json const& doc,
                             std::filesystem::path const& file, sim::world const& w) {
  family_figures f;
  f.children_under_3 = r.number(p / "children_under_3");
  f.rsa_people_covered = r.number(p / "rsa_people_covered");
  f.population = r.number(p / "population", 1.0);
  f.children_per_family = r.number(p / "children_under_3_per_family", 1.0, 10.0);
  f.target_source = r.text(p / "target_source");
  f.caf_children_under_3 = r.number(p / "caf_children_under_3");
  f.caf_allocataires = r.number(p / "caf_allocataires", 1.0);
  f.rsa_households = r.number(p / "rsa_households", 1.0);
  f.island_rsa_children_source = r.text(p / "children_in_rsa_source");
  f.rsa_households_source = r.text(p / "rsa_households_source");
  f.low_income_child_weight = r.number(p / "low_income_child_weight");
  auto const sp = p / "single_parent";
  f.single_parent.share = r.share(sp / "share");
  f.single_parent.source = r.text(sp / "source");
  f.single_parent.households_field = r.text_or(sp / "by_commune" / "households", "");
  f.single_parent.single_parent_field = r.text_or(sp / "by_commune" / "single_parent_households", "");
  f.profile_source = r.text(p / "profile_source");
  f.profile = read_profile(r, p / "profile");
  // Overrides: each is read from the default profile patched by it, with errors naming the override.
  auto patched = [&](pointer const& o) {
    auto merged = doc;
    merged["families"]["profile"].merge_patch(r.at(o));
    figure_reader const m{file, merged, w};
    try {
      return read_profile(m, p / "profile");
    } catch (data_error const& e) {
      throw data_error{fmt::format("{} (in the override {})", e.what(), o.to_string())};
    }
  };
  if (r.has(p / "profile_in_qpv")) {
    f.profile_in_qpv = patched(p / "profile_in_qpv");
  }
  for (std::size_t k = 0; k < r.size_or_zero(p / "profile_by_commune"); ++k) {
    auto const o = p / "profile_by_commune" / k;
    auto const c = r.commune(o / "commune");
    f.profile_by_commune[c] = patched(o / "profile");
    if (r.has(o / "profile_in_qpv")) {
      f.profile_by_commune_in_qpv[c] = patched(o / "profile_in_qpv");
    }
  }
  return f;
}

}  // namespace

std::size_t categorical::find(double u) const {
  for (std::size_t k = 0; k < cumulative.size(); ++k) {
    if (u < cumulative[k]) {
      return k;
    }
  }
  return cumulative.size();
}

profile_shares const& family_figures::profile_for(std::size_t commune, bool in_qpv) const {
  if (in_qpv) {
    if (auto it = profile_by_commune_in_qpv.find(commune); it != profile_by_commune_in_qpv.end()) {
      return it->second;
    }
  }
  if (auto it = profile_by_commune.find(commune); it != profile_by_commune.end()) {
    return it->second;
  }
  return in_qpv && profile_in_qpv ? *profile_in_qpv : profile;
}

synthesis_figures read_synthesis_figures(std::filesystem::path const& file, sim::world const& w) {
  std::ifstream in{file};
  if (!in) {
    throw data_error{fmt::format("{}: cannot open the synthesis calibration file", file.string())};
  }
  json doc;
  try {
    doc = json::parse(in);
  } catch (json::exception const& e) {
    throw data_error{fmt::format("{}: not valid JSON ({})", file.string(), e.what())};
  }
  figure_reader const r{file, doc, w};
  synthesis_figures s;
  s.file = file;
  s.tolerance = r.share(pointer{"/calibration/tolerance"});
  if (pointer const by{"/calibration/by_target"}; r.has(by)) {
    for (auto const& [target, value] : r.at(by).items()) {
      s.tolerance_by_target[target] = r.share(by / target);
    }
  }
  s.qpv = read_qpv(r, pointer{"/qpv"}, w);
  s.facilities = read_facilities(r, pointer{"/facilities"});
  s.families = read_families(r, pointer{"/families"}, doc, file, w);
  return s;
}

synthesis_figures read_synthesis_figures(territory::territory const& t) {
  std::ifstream in{t.manifest};
  std::string path;
  try {
    auto const manifest = json::parse(in);
    pointer const ptr{"/synthesis/calibration"};
    if (!manifest.contains(ptr) || !manifest.at(ptr).is_string()) {
      throw data_error{fmt::format(
          "{}: /synthesis/calibration: expected the path of the territory's synthesis figures (e.g. "
          "\"synthesis.json\", see data/README.md)",
          t.manifest.string())};
    }
    path = manifest.at(ptr).get<std::string>();
  } catch (json::exception const& e) {
    throw data_error{fmt::format("{}: not valid JSON ({})", t.manifest.string(), e.what())};
  }
  return read_synthesis_figures(t.manifest.parent_path() / path, t.world);
}

}  // namespace avip::synth
