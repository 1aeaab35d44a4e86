#include "viz/national_outputs.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "geo/vector_writer.hpp"
#include "viz/json_io.hpp"
#include "viz/report.hpp"
#include "viz/svg_map.hpp"

namespace avip::viz {

namespace fs = std::filesystem;
using json = nlohmann::json;
using geo::field_type;

std::vector<national_indicator> const& national_indicators() {
  static std::vector<national_indicator> const v{
      {"referred", "familles_orientees", "Familles orientées"},
      {"matched", "familles_accueillies", "Familles accueillies"},
      {"priority_referred", "prioritaires_orientees", "Familles prioritaires orientées"},
      {"priority_matched", "prioritaires_accueillies", "Familles prioritaires accueillies"},
      {"coverage", "couverture", "Couverture de la demande", 1, 0},
      {"priority_coverage", "couverture_prioritaire", "Couverture du public prioritaire", 3, 2},
      {"unmet_unreachable", "non_couvert_inaccessible", "Sans place : rien d'accessible"},
      {"unmet_hours", "non_couvert_horaires", "Sans place : horaires"},
      {"unmet_not_allowed", "non_couvert_non_autorise", "Sans place : aucune structure autorisée"},
      {"unmet_full", "non_couvert_complet", "Sans place : complet"},
      {"labelled_reaching_target", "eaje_objectif_20", "EAJE labellisés atteignant 20 %"},
      {"cost_total", "cout_caf", "Coût CAF (€/an)"},
  };
  return v;
}

void total_national(national_summary& s) {
  auto const& inds = national_indicators();
  s.pooled_replications = 0;
  if (!s.territories.empty()) {
    s.pooled_replications = s.territories.front().replications;
    for (auto const& t : s.territories) {
      s.pooled_replications = std::min(s.pooled_replications, t.replications);
    }
  }
  auto const reps = static_cast<std::size_t>(s.pooled_replications);
  s.national.assign(inds.size(), {});
  for (std::size_t i = 0; i < inds.size(); ++i) {
    if (inds[i].numerator >= 0) {
      continue;
    }
    s.national[i].values.assign(reps, 0.0);
    for (auto const& t : s.territories) {
      auto const& v = t.values[i].values;
      for (std::size_t r = 0; r < reps && r < v.size(); ++r) {
        s.national[i].values[r] += v[r];
      }
    }
  }
  for (std::size_t i = 0; i < inds.size(); ++i) {
    if (inds[i].numerator < 0) {
      continue;
    }
    auto const& num = s.national[static_cast<std::size_t>(inds[i].numerator)].values;
    auto const& den = s.national[static_cast<std::size_t>(inds[i].denominator)].values;
    for (std::size_t r = 0; r < reps; ++r) {
      if (den[r] > 0) {
        s.national[i].values.push_back(num[r] / den[r]);
      }
    }
  }
}

namespace {

json indicators_json(std::vector<sim::samples> const& values) {
  json out = json::object();
  auto const& inds = national_indicators();
  for (std::size_t i = 0; i < inds.size(); ++i) {
    auto st = detail::stat(values[i]);
    if (!st.is_null()) {
      st["label"] = inds[i].label;
    }
    out[inds[i].key] = st;
  }
  return out;
}

json summary_json(national_summary const& s) {
  json j;
  j["kind"] = "national";
  j["version"] = AVIP_VERSION;
  j["territory_list"] = s.list_file;
  j["mpi_ranks"] = s.ranks;
  j["elapsed_seconds"] = s.seconds;
  j["pooled_replications"] = s.pooled_replications;
  j["national"] = indicators_json(s.national);
  j["territories"] = json::array();
  for (auto const& t : s.territories) {
    j["territories"].push_back({{"territory", t.territory},
                                {"scenario", t.scenario},
                                {"scenario_file", t.scenario_file},
                                {"line", t.line},
                                {"folder", t.folder},
                                {"replications", t.replications},
                                {"seed", t.seed},
                                {"elapsed_seconds", t.seconds},
                                {"cpu_seconds", t.cpu_seconds},
                                {"indicators", indicators_json(t.values)}});
  }
  return j;
}

geo::field_value mean_of(sim::samples const& s) {
  return s.values.empty() ? geo::field_value{} : geo::field_value{s.mean()};
}

void write_table_csv(fs::path const& file, national_summary const& s) {
  geo::output_layer l{"territoires", "Synthèse nationale par territoire", 0, {}, {}, {}};
  l.fields = {{"territoire", field_type::text, "Territoire"},
              {"scenario", field_type::text, "Scénario"},
              {"dossier", field_type::text, "Dossier des résultats du territoire"},
              {"replications", field_type::integer, "Réplications"}};
  for (auto const& ind : national_indicators()) {
    l.fields.push_back({ind.column, field_type::real, ind.label});
    l.fields.push_back({ind.column + "_bas", field_type::real, ind.label + " (borne basse à 90 %)"});
    l.fields.push_back({ind.column + "_haut", field_type::real, ind.label + " (borne haute à 90 %)"});
  }
  auto add = [&](std::string const& name, std::string const& scenario, std::string const& folder, int reps,
                 std::vector<sim::samples> const& values) {
    std::vector<geo::field_value> row{name, scenario, folder, static_cast<std::int64_t>(reps)};
    for (auto const& v : values) {
      row.push_back(mean_of(v));
      row.push_back(v.values.empty() ? geo::field_value{} : geo::field_value{v.lo()});
      row.push_back(v.values.empty() ? geo::field_value{} : geo::field_value{v.hi()});
    }
    l.rows.push_back(std::move(row));
  };
  for (auto const& t : s.territories) {
    add(t.territory, t.scenario, t.folder, t.replications, t.values);
  }
  add("Total national", "", "", s.pooled_replications, s.national);
  geo::write_vector(file.string(), geo::vector_format::csv, l);
}

std::string cell(sim::samples const& v, bool share) {
  if (v.values.empty()) {
    return "<td>—</td>";
  }
  if (share) {
    return fmt::format("<td>{:.1f} %<br><small>{:.1f}–{:.1f}</small></td>", 100 * v.mean(), 100 * v.lo(),
                       100 * v.hi());
  }
  return fmt::format("<td>{:.1f}<br><small>{:.1f}–{:.1f}</small></td>", v.mean(), v.lo(), v.hi());
}

std::string report(national_summary const& s) {
  // The headline columns; the CSV and summary.json have every indicator.
  std::vector<std::size_t> const shown{0, 1, 3, 5, 8, 10, 11};
  auto const& inds = national_indicators();
  std::string h =
      "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>avipsim — synthèse "
      "nationale</title>" +
      report_style() + "</head><body>";
  h += fmt::format(
      "<header><h1>Synthèse nationale</h1><p>{} territoires ({}) — {:.0f} s, {} processus MPI ; "
      "moyennes et intervalles à 90 % sur les réplications</p></header><main><section>"
      "<h2>Par territoire</h2><table><tr><th>territoire</th><th>scénario</th><th>réplications</th>",
      s.territories.size(), html_escape(s.list_file), s.seconds, s.ranks);
  for (auto i : shown) {
    h += fmt::format("<th>{}</th>", html_escape(inds[i].label));
  }
  h += "</tr>";
  auto row = [&](std::string const& name, std::string const& link, std::string const& scenario, int reps,
                 std::vector<sim::samples> const& values) {
    h += link.empty() ? fmt::format("<tr><th>{}</th>", html_escape(name))
                      : fmt::format("<tr><td><a href=\"{}/report.html\">{}</a></td>", html_escape(link),
                                    html_escape(name));
    h += fmt::format("<td>{}</td><td>{}</td>", html_escape(scenario), reps);
    for (auto i : shown) {
      h += cell(values[i], inds[i].numerator >= 0);
    }
    h += "</tr>";
  };
  for (auto const& t : s.territories) {
    row(t.territory, t.folder, t.scenario, t.replications, t.values);
  }
  row("Total national", "", "", s.pooled_replications, s.national);
  h += fmt::format(
      "</table><p>Le total national additionne, réplication par réplication, les {} premières réplications "
      "de chaque territoire ; les parts nationales rapportent les totaux. Chaque territoire a son propre "
      "rapport dans son dossier.</p></section></main></body></html>\n",
      s.pooled_replications);
  return h;
}

}  // namespace

void write_national_outputs(fs::path const& dir, national_summary const& s) {
  detail::write_text(dir / "summary.json", summary_json(s).dump(2) + "\n");
  write_table_csv(dir / "territoires.csv", s);
  detail::write_text(dir / "report.html", report(s));
}

}  // namespace avip::viz
