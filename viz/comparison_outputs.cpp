#include <cctype>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "geo/geometry_ops.hpp"
#include "geo/vector_writer.hpp"
#include "viz/csv_table.hpp"
#include "viz/json_io.hpp"
#include "viz/report.hpp"
#include "viz/run_outputs.hpp"

namespace avip::viz {

namespace fs = std::filesystem;
using json = nlohmann::json;
using geo::field_type;

using detail::stat;
using detail::write_text;

namespace {

json delta_json(sim::group_delta const& d) {
  return {{"delta_matched", stat(d.matched)},
          {"delta_priority_matched", stat(d.priority_matched)},
          {"delta_coverage", stat(d.coverage)},
          {"delta_priority_coverage", stat(d.priority_coverage)},
          {"delta_unmet_unreachable", stat(d.unmet_unreachable)},
          {"delta_unmet_hours", stat(d.unmet_hours)},
          {"delta_unmet_not_allowed", stat(d.unmet_not_allowed)},
          {"delta_unmet_full", stat(d.unmet_full)},
          {"delta_censored", stat(d.censored)},
          {"delta_matched_partial", stat(d.matched_partial)},
          {"delta_children_placed", stat(d.children_placed)}};
}

/// The ASCII letter of a French (Latin-1) accented one, from its UTF-8 second byte after 0xC3; 0 if none.
char plain_letter(unsigned char second) {
  // À..ÿ (U+00C0..U+00FF) as 0xC3 0x80..0xBF: their base letters, '_' where there is none (×, ÷).
  static constexpr char const* kBase =
      "aaaaaaaceeeeiiiidnooooo_ouuuuyts"
      "aaaaaaaceeeeiiiidnooooo_ouuuuyty";
  return second >= 0x80 && second <= 0xBF ? kBase[second - 0x80] : 0;
}

/// A file-name part of `s`: lower-case ASCII letters and digits, accents dropped (é → e, œ → oe), every
/// other run of characters one '_'.
std::string slug(std::string const& s) {
  std::string out;
  auto const put = [&](char c) {
    if (c != '_' || (!out.empty() && out.back() != '_')) {
      out += c;
    }
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto const ch = static_cast<unsigned char>(s[i]);
    if (ch < 0x80) {
      put(std::isalnum(ch) != 0 ? static_cast<char>(std::tolower(ch)) : '_');
    } else if (ch == 0xC3 && i + 1 < s.size() && plain_letter(static_cast<unsigned char>(s[i + 1])) != 0) {
      put(plain_letter(static_cast<unsigned char>(s[++i])));
    } else if (ch == 0xC5 && i + 1 < s.size() && (s[i + 1] == '\x92' || s[i + 1] == '\x93')) {
      put('o');  // Œ, œ
      put('e');
      ++i;
    } else if (ch >= 0xC0) {
      put('_');  // another character: skip its continuation bytes
      while (i + 1 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xC0) == 0x80) {
        ++i;
      }
    }
  }
  while (!out.empty() && out.back() == '_') {
    out.pop_back();
  }
  return out;
}

/// The file-name part of each compared scenario after the first: its file's stem (as the user named it),
/// or its name when it has no file; made unique.
std::vector<std::string> layer_names(std::vector<compared_scenario> const& scenarios,
                                     std::vector<std::string> const& names) {
  std::vector<std::string> out;
  std::map<std::string, int> seen;
  for (std::size_t s = 0; s < names.size(); ++s) {
    auto const& file = scenarios[s].meta.scenario_file;
    auto base = slug(file.empty() ? names[s] : fs::path{file}.stem().string());
    if (base.empty()) {
      base = fmt::format("scenario_{}", s + 1);
    }
    if (int const n = seen[base]++; n > 0) {
      base += fmt::format("_{}", n + 1);
    }
    out.push_back(base);
  }
  return out;
}

}  // namespace

void write_comparison_outputs(fs::path const& dir, territory::territory const& t,
                              std::vector<compared_scenario> const& scenarios, sim::comparison const& c) {
  auto const& w = *scenarios.front().world;
  json j;
  j["reference"] = c.names.front();
  j["replications"] = c.results.front()->replications;
  j["seed"] = scenarios.front().meta.seed;
  j["common_random_numbers"] = true;
  json list = json::array();
  std::vector<std::string> const columns{"scenario",
                                         "familles_orientees",
                                         "familles_accueillies",
                                         "couverture",
                                         "couverture_bas",
                                         "couverture_haut",
                                         "couverture_prioritaire",
                                         "couverture_prioritaire_bas",
                                         "couverture_prioritaire_haut",
                                         "delta_familles_prioritaires",
                                         "delta_familles_prioritaires_bas",
                                         "delta_familles_prioritaires_haut",
                                         "cout_annuel",
                                         "delta_cout",
                                         "cout_par_famille_prioritaire_supplementaire"};
  std::vector<std::vector<std::string>> rows;
  for (std::size_t s = 0; s < c.names.size(); ++s) {
    auto const& r = *c.results[s];
    auto const& d = c.deltas[s];
    json e;
    e["name"] = c.names[s];
    e["file"] = scenarios[s].meta.scenario_file;
    e["coverage"] = stat(r.island.coverage);
    e["priority_coverage"] = stat(r.island.priority_coverage);
    e["matched"] = stat(r.island.matched);
    e["priority_matched"] = stat(r.island.priority_matched);
    e["cost_eur"] = r.cost.total;
    e["territory"] = delta_json(d.island);
    e["qpv"] = delta_json(d.qpv);
    e["non_qpv"] = delta_json(d.non_qpv);
    e["delta_cost_eur"] = d.cost_delta;
    e["cost_per_additional_priority_family_eur"] = std::isfinite(d.cost_per_additional_priority_family)
                                                       ? json(d.cost_per_additional_priority_family)
                                                       : json(nullptr);
    json communes = json::array();
    for (std::size_t i = 0; i < w.communes.size(); ++i) {
      auto cj = delta_json(d.communes[sim::commune_idx::from(i)]);
      cj["code"] = w.communes.code[sim::commune_idx::from(i)];
      communes.push_back(cj);
    }
    e["communes"] = communes;
    json sectors = json::array();
    for (std::size_t i = 0; i < w.sectors.size(); ++i) {
      auto sj = delta_json(d.sectors[sim::sector_idx::from(i)]);
      sj["name"] = w.sectors.name[sim::sector_idx::from(i)];
      sectors.push_back(sj);
    }
    e["sectors"] = sectors;
    std::size_t met = 0;
    std::size_t labelled = 0;
    double p_met = 0;
    for (std::size_t k = 0; k < scenarios[s].world->facilities.size(); ++k) {
      auto const& target = r.facilities[sim::facility_idx::from(k)].target_met;
      if (!target.values.empty()) {  // labelled EAJE: the 20 % target applies
        ++labelled;
        double const pm = target.mean();
        p_met += pm;
        met += pm >= 0.5 ? 1 : 0;
      }
    }
    e["avip_compliance"] = {
        {"labelled", labelled}, {"expected_meeting_target", p_met}, {"likely_meeting_target", met}};
    list.push_back(e);
    auto f = [](char const* spec, double v) { return fmt::format(fmt::runtime(spec), v); };
    rows.push_back(
        {c.names[s], f("{:.3f}", r.island.referred.mean()), f("{:.3f}", r.island.matched.mean()),
         f("{:.5f}", r.island.coverage.mean()), f("{:.5f}", r.island.coverage.lo()),
         f("{:.5f}", r.island.coverage.hi()), f("{:.5f}", r.island.priority_coverage.mean()),
         f("{:.5f}", r.island.priority_coverage.lo()), f("{:.5f}", r.island.priority_coverage.hi()),
         f("{:.3f}", d.island.priority_matched.mean()), f("{:.3f}", d.island.priority_matched.lo()),
         f("{:.3f}", d.island.priority_matched.hi()), f("{:.0f}", r.cost.total), f("{:.0f}", d.cost_delta),
         std::isfinite(d.cost_per_additional_priority_family)
             ? f("{:.0f}", d.cost_per_additional_priority_family)
             : ""});
  }
  j["scenarios"] = list;
  write_text(dir / "comparison.json", j.dump(2));
  write_csv(dir / "comparaison.csv", columns, rows);
  // GeoJSON of the deltas per commune and per grid cell, one layer per scenario after the first.
  auto const file_names = layer_names(scenarios, c.names);
  for (std::size_t s = 1; s < c.names.size(); ++s) {
    auto const& d = c.deltas[s];
    geo::output_layer com{
        "ecarts_communes_" + file_names[s],
        "Écarts par commune — " + c.names[s],
        w.epsg,
        {{"code", field_type::text, "Code INSEE"},
         {"nom", field_type::text, "Commune"},
         {"delta_couverture", field_type::real, "Écart de couverture"},
         {"delta_couverture_bas", field_type::real, "borne basse 90 %"},
         {"delta_couverture_haut", field_type::real, "borne haute 90 %"},
         {"delta_familles_prioritaires", field_type::real, "Écart de familles prioritaires accueillies"}},
        {},
        {}};
    for (std::size_t i = 0; i < w.communes.size(); ++i) {
      auto const& g = d.communes[sim::commune_idx::from(i)];
      com.rows.push_back({w.communes.code[sim::commune_idx::from(i)],
                          w.communes.name[sim::commune_idx::from(i)], g.coverage.mean(), g.coverage.lo(),
                          g.coverage.hi(), g.priority_matched.mean()});
      com.geometry.push_back(t.commune_geometry[i]);
    }
    geo::write_vector((dir / (com.name + ".geojson")).string(), geo::vector_format::geojson, com);
    geo::write_vector((dir / "comparison.gpkg").string(), geo::vector_format::gpkg, com);
    geo::output_layer cells{"ecarts_carreaux_" + file_names[s],
                            "Écarts par carreau — " + c.names[s],
                            w.epsg,
                            {{"id", field_type::text, "Carreau"},
                             {"delta_accueillies", field_type::real, "Écart de familles accueillies"},
                             {"delta_non_couvertes", field_type::real, "Écart de familles non couvertes"}},
                            {},
                            {}};
    for (std::size_t i = 0; i < w.grid.size(); ++i) {
      if (d.cell_matched[i] != 0.0 || d.cell_unmet[i] != 0.0) {
        auto const ci = sim::cell_idx::from(i);
        cells.rows.push_back({w.grid.id[ci], d.cell_matched[i], d.cell_unmet[i]});
        cells.geometry.push_back(geo::square(w.grid.centre[ci].x, w.grid.centre[ci].y, w.grid.cell_size));
      }
    }
    if (!cells.rows.empty()) {
      geo::write_vector((dir / (cells.name + ".geojson")).string(), geo::vector_format::geojson, cells);
      geo::write_vector((dir / "comparison.gpkg").string(), geo::vector_format::gpkg, cells);
    }
  }
  write_text(dir / "report.html", comparison_report(t, scenarios, c));
}

}  // namespace avip::viz
