#include "viz/run_outputs.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "geo/geometry_ops.hpp"
#include "geo/vector_writer.hpp"
#include "sim/cost.hpp"
#include "viz/csv_table.hpp"
#include "viz/json_io.hpp"
#include "viz/report.hpp"
#include "viz/validation.hpp"

namespace avip::viz {

namespace fs = std::filesystem;
using json = nlohmann::json;
using geo::field_type;

using detail::mean_or_null;
using detail::stat;
using detail::write_text;

namespace {

json group_json(sim::group_indicators const& g) {
  return {{"referred", stat(g.referred)},
          {"matched", stat(g.matched)},
          {"priority_referred", stat(g.priority_referred)},
          {"priority_matched", stat(g.priority_matched)},
          {"coverage", stat(g.coverage)},
          {"priority_coverage", stat(g.priority_coverage)},
          {"unmet_unreachable", stat(g.unmet_unreachable)},
          {"unmet_hours", stat(g.unmet_hours)},
          {"unmet_not_allowed", stat(g.unmet_not_allowed)},
          {"unmet_full", stat(g.unmet_full)},
          {"censored", stat(g.censored)},
          {"matched_partial", stat(g.matched_partial)},
          {"children_placed", stat(g.children_placed)},
          {"mean_wait_weeks", stat(g.mean_wait_weeks)}};
}

void write_layer(fs::path const& dir, geo::output_layer const& l, std::string const& gpkg) {
  geo::write_vector((dir / (l.name + ".geojson")).string(), geo::vector_format::geojson, l);
  geo::write_vector((dir / gpkg).string(), geo::vector_format::gpkg, l);
}

double or_zero(double v) {
  return std::isfinite(v) ? v : 0.0;
}

/// A mean as a field value, empty when the indicator has no value (not applicable, or undefined in
/// every replication): an empty cell, never 0.
geo::field_value mean_field(sim::samples const& s) {
  return s.values.empty() ? geo::field_value{} : geo::field_value{s.mean()};
}
/// The 90 % interval's bounds as field values, empty likewise.
geo::field_value lo_field(sim::samples const& s) {
  return s.values.empty() ? geo::field_value{} : geo::field_value{s.lo()};
}
geo::field_value hi_field(sim::samples const& s) {
  return s.values.empty() ? geo::field_value{} : geo::field_value{s.hi()};
}

/// The communes with their coverage and accessibility.
geo::output_layer communes_layer(territory::territory const& t, sim::world const& w,
                                 sim::run_results const& r) {
  geo::output_layer communes = {
      "communes",
      "Couverture par commune",
      w.epsg,
      {{"code", field_type::text, "Code INSEE"},
       {"nom", field_type::text, "Commune"},
       {"secteur", field_type::text, "Secteur"},
       {"familles_orientees", field_type::real, "Familles orientées (moyenne)"},
       {"familles_accueillies", field_type::real, "Familles accueillies (moyenne)"},
       {"couverture", field_type::real, "Couverture (part des familles orientées accueillies)"},
       {"couverture_bas", field_type::real, "Couverture, borne basse 90 %"},
       {"couverture_haut", field_type::real, "Couverture, borne haute 90 %"},
       {"couverture_prioritaire", field_type::real, "Couverture du public prioritaire"},
       {"non_couvert_inaccessible", field_type::real, "Non couvertes : rien d'accessible"},
       {"non_couvert_horaires", field_type::real, "Non couvertes : horaires incompatibles"},
       {"non_couvert_non_autorise", field_type::real, "Non couvertes : aucune structure autorisée (label)"},
       {"non_couvert_complet", field_type::real, "Non couvertes : places complètes"},
       {"en_attente", field_type::real, "En attente en fin d'année"},
       {"accueil_partiel", field_type::real, "Accueil partiel (Baby Bus)"},
       {"places", field_type::real, "Places (EAJE, assistants maternels, Baby Bus)"},
       {"taux_couverture", field_type::real,
        "Taux de couverture (places pour 100 enfants de moins de 3 ans)"},
       {"accessibilite", field_type::real, "Indice d'accessibilité E2SFCA"}},
      {},
      {}};
  for (std::size_t i = 0; i < w.communes.size(); ++i) {
    auto const c = sim::commune_idx::from(i);
    auto const& ci = r.communes[c];
    auto const& d = ci.demand;
    communes.rows.push_back(
        {w.communes.code[c], w.communes.name[c], w.sectors.name[w.communes.sector[c]], mean_field(d.referred),
         mean_field(d.matched), mean_field(d.coverage), lo_field(d.coverage), hi_field(d.coverage),
         mean_field(d.priority_coverage), mean_field(d.unmet_unreachable), mean_field(d.unmet_hours),
         mean_field(d.unmet_not_allowed), mean_field(d.unmet_full), mean_field(d.censored),
         mean_field(d.matched_partial), ci.places, ci.taux_couverture, ci.accessibility});
    communes.geometry.push_back(t.commune_geometry[i]);
  }
  return communes;
}

/// The sectors: their communes dissolved.
geo::output_layer sectors_layer(territory::territory const& t, sim::world const& w,
                                sim::run_results const& r) {
  geo::output_layer sectors = {
      "secteurs",
      "Couverture par secteur",
      w.epsg,
      {{"nom", field_type::text, "Secteur"},
       {"familles_orientees", field_type::real, "Familles orientées (moyenne)"},
       {"familles_accueillies", field_type::real, "Familles accueillies (moyenne)"},
       {"couverture", field_type::real, "Couverture"},
       {"couverture_bas", field_type::real, "Couverture, borne basse 90 %"},
       {"couverture_haut", field_type::real, "Couverture, borne haute 90 %"},
       {"couverture_prioritaire", field_type::real, "Couverture du public prioritaire"}},
      {},
      {}};
  for (std::size_t s = 0; s < w.sectors.size(); ++s) {
    std::vector<geo::wkb> parts;
    for (std::size_t i = 0; i < w.communes.size(); ++i) {
      if (w.communes.sector[sim::commune_idx::from(i)].index() == s) {
        parts.push_back(t.commune_geometry[i]);
      }
    }
    auto const& g = r.sectors[sim::sector_idx::from(s)];
    sectors.rows.push_back({w.sectors.name[sim::sector_idx::from(s)], mean_field(g.referred),
                            mean_field(g.matched), mean_field(g.coverage), lo_field(g.coverage),
                            hi_field(g.coverage), mean_field(g.priority_coverage)});
    sectors.geometry.push_back(geo::dissolve(parts));
  }
  return sectors;
}

/// The QPV, from the cells inside each.
geo::output_layer qpv_layer(territory::territory const& t, sim::world const& w, sim::run_results const& r) {
  geo::output_layer qpv = {"qpv",
                           "Quartiers prioritaires",
                           w.epsg,
                           {{"code", field_type::text, "Code QPV"},
                            {"nom", field_type::text, "Quartier"},
                            {"commune", field_type::text, "Code INSEE"},
                            {"habitants", field_type::real, "Habitants"},
                            {"synthetique", field_type::boolean, "Couche synthétique"},
                            {"familles_orientees", field_type::real, "Familles orientées (moyenne)"},
                            {"familles_accueillies", field_type::real, "Familles accueillies (moyenne)"},
                            {"couverture", field_type::real, "Couverture"}},
                           {},
                           {}};
  std::vector<double> q_ref(w.qpvs.size()), q_match(w.qpvs.size());
  for (std::size_t i = 0; i < w.grid.size(); ++i) {
    auto const q = w.grid.qpv[sim::cell_idx::from(i)];
    if (q.valid()) {
      q_ref[q.index()] += r.cells[sim::cell_idx::from(i)].referred;
      q_match[q.index()] += r.cells[sim::cell_idx::from(i)].matched;
    }
  }
  for (std::size_t i = 0; i < w.qpvs.size(); ++i) {
    auto const q = sim::qpv_idx::from(i);
    auto const c = w.qpvs.commune[q];
    qpv.rows.push_back({w.qpvs.code[q], w.qpvs.name[q], c.valid() ? w.communes.code[c] : std::string{},
                        w.qpvs.residents[q], w.qpvs.synthetic[q] != 0, q_ref[i], q_match[i],
                        q_ref[i] > 0 ? q_match[i] / q_ref[i] : 0.0});
    qpv.geometry.push_back(t.qpv_geometry[i]);
  }
  return qpv;
}

/// The facilities with their AVIP indicators.
geo::output_layer facilities_layer(sim::world const& w, sim::params const& p, sim::run_results const& r) {
  geo::output_layer facilities = {
      "structures",
      "Structures d'accueil et indicateurs AVIP",
      w.epsg,
      {{"id", field_type::text, "Identifiant"},
       {"nom", field_type::text, "Structure"},
       {"type", field_type::text, "Type"},
       {"commune", field_type::text, "Code INSEE"},
       {"places", field_type::integer, "Places agréées PMI"},
       {"horaires", field_type::text, "Horaires d'ouverture"},
       {"avip", field_type::boolean, "Labellisée AVIP"},
       {"reseau", field_type::text, "Réseau"},
       {"gestionnaire", field_type::text, "Gestionnaire"},
       {"enfants_avip", field_type::real, "Enfants AVIP accueillis dans l'année (moyenne)"},
       {"part_avip", field_type::real, "Enfants AVIP / places (objectif 20 %)"},
       {"part_avip_bas", field_type::real, "Part AVIP, borne basse 90 %"},
       {"part_avip_haut", field_type::real, "Part AVIP, borne haute 90 %"},
       {"places_labellisees", field_type::integer, "Places labellisées AVIP"},
       {"annee_label", field_type::integer, "Année du label"},
       {"proba_objectif", field_type::real, "Probabilité d'atteindre l'objectif de 20 % (EAJE labellisées)"},
       {"l214_7", field_type::real,
        "L.214-7 : part des demandes ayant trouvé une place garantie libre (vide : non applicable, moins "
        "de 20 places, ou aucune demande)"},
       {"demandes_l214_7", field_type::real, "L.214-7 : demandes dans l'année (moyenne)"},
       {"synthetique", field_type::boolean, "Donnée synthétique"},
       {"source", field_type::text, "Source"}},
      {},
      {}};
  auto const& fa = w.facilities;
  for (std::size_t i = 0; i < fa.size(); ++i) {
    auto const k = sim::facility_idx::from(i);
    auto const& fi = r.facilities[k];
    facilities.rows.push_back(
        {fa.id[k],
         fa.name[k],
         std::string{sim::kFacilityKindNames[static_cast<std::size_t>(fa.kind[k])]},
         fa.commune[k].valid() ? w.communes.code[fa.commune[k]] : std::string{},
         static_cast<std::int64_t>(fa.places[k]),
         fa.hours_text[k],
         fa.avip[k] != 0,
         fa.network[k].valid() ? geo::field_value{fa.network_id[fa.network[k]]} : geo::field_value{},
         fa.manager[k].valid() ? geo::field_value{fa.manager_id[fa.manager[k]]} : geo::field_value{},
         mean_field(fi.avip_children),
         mean_field(fi.avip_share),
         lo_field(fi.avip_share),
         hi_field(fi.avip_share),
         static_cast<std::int64_t>(sim::labelled_places(w, p, k)),
         fa.label_year[k] > 0 ? geo::field_value{static_cast<std::int64_t>(fa.label_year[k])}
                              : geo::field_value{},
         mean_field(fi.target_met),
         mean_field(fi.l214_available),
         mean_field(fi.l214_requests),
         fa.synthetic[k] != 0,
         fa.source[k]});
    facilities.geometry.push_back(geo::point_wkb(fa.location[k].x, fa.location[k].y));
  }
  return facilities;
}

/// The populated cells, as squares.
geo::output_layer grid_layer(sim::world const& w, sim::run_results const& r) {
  geo::output_layer grid = {
      "carreaux",
      "Demande et besoins non couverts par carreau de 200 m",
      w.epsg,
      {{"id", field_type::text, "Carreau INSEE"},
       {"commune", field_type::text, "Code INSEE"},
       {"enfants_0_3", field_type::real, "Enfants de 0 à 3 ans"},
       {"familles_orientees", field_type::real, "Familles orientées (moyenne)"},
       {"familles_accueillies", field_type::real, "Familles accueillies (moyenne)"},
       {"non_couvertes", field_type::real, "Familles non couvertes (moyenne)"},
       {"non_couvertes_prioritaires", field_type::real, "Familles prioritaires non couvertes (moyenne)"},
       {"couverture", field_type::real, "Couverture"},
       {"accessibilite", field_type::real, "Indice d'accessibilité E2SFCA"}},
      {},
      {}};
  for (std::size_t i = 0; i < w.grid.size(); ++i) {
    auto const c = sim::cell_idx::from(i);
    auto const& ci = r.cells[c];
    if (w.grid.people[c] <= 0 && ci.referred <= 0) {
      continue;
    }
    auto const com = w.grid.commune[c];
    grid.rows.push_back({w.grid.id[c], com.valid() ? w.communes.code[com] : std::string{},
                         w.grid.children_0_3[c], ci.referred, ci.matched, ci.unmet, ci.unmet_priority,
                         ci.coverage, or_zero(ci.accessibility)});
    grid.geometry.push_back(geo::square(w.grid.centre[c].x, w.grid.centre[c].y, w.grid.cell_size));
  }
  return grid;
}

}  // namespace

layers build_layers(territory::territory const& t, sim::world const& w, sim::params const& p,
                    sim::run_results const& r) {
  return {communes_layer(t, w, r), sectors_layer(t, w, r), qpv_layer(t, w, r), facilities_layer(w, p, r),
          grid_layer(w, r)};
}

namespace {

/// The layers as GeoJSON files and in results.gpkg (the empty ones left out).
void write_layers(fs::path const& dir, layers const& L) {
  for (auto const* l : {&L.communes, &L.sectors, &L.qpv, &L.facilities, &L.grid}) {
    if (!l->rows.empty()) {
      write_layer(dir, *l, "results.gpkg");
    }
  }
}

/// secteurs.csv: the sectors layer without its geometry.
void write_sectors_csv(fs::path const& file, layers const& L) {
  auto s = L.sectors;
  s.geometry.clear();
  write_csv(file, s);
}

/// structures_avip.csv: the labelled structures only, for the AVIP follow-up table.
void write_labelled_structures_csv(fs::path const& file, layers const& L) {
  geo::output_layer avip = L.facilities;
  avip.rows.clear();
  for (std::size_t i = 0; i < L.facilities.rows.size(); ++i) {
    if (std::get<bool>(L.facilities.rows[i][6])) {
      avip.rows.push_back(L.facilities.rows[i]);
    }
  }
  write_csv(file, avip);
}

/// reseaux.csv: the labelled networks and managers.
void write_networks_csv(fs::path const& file, sim::params const& p, sim::run_results const& r) {
  geo::output_layer nets{
      "reseaux",
      "",
      0,
      {{"id", field_type::text, "Réseau ou gestionnaire"},
       {"type", field_type::text, "Type"},
       {"membres", field_type::integer, "Membres"},
       {"places", field_type::integer, "Places"},
       {"enfants_avip", field_type::real, "Enfants AVIP dans l'année (moyenne)"},
       {"ratio", field_type::real, "Ratio (par membre ou par place)"},
       {"objectif", field_type::real, "Objectif"},
       {"part_membres_objectif", field_type::real,
        "Part des membres ayant accueilli au moins un enfant AVIP (réseau d'assistants maternels)"},
       {"proba_objectif", field_type::real, "Probabilité d'atteindre l'objectif"}},
      {},
      {}};
  for (auto const& n : r.networks) {
    nets.rows.push_back(
        {n.id,
         std::string{n.assmat_network ? "réseau d'assistants maternels" : "EAJE (gestionnaire ou réseau)"},
         static_cast<std::int64_t>(n.members), static_cast<std::int64_t>(n.places),
         mean_field(n.avip_children), mean_field(n.ratio),
         n.assmat_network ? p.assmat_network_target : p.avip_target_share, mean_field(n.members_met_share),
         mean_field(n.target_met)});
  }
  write_csv(file, nets);
}

/// The rows of one group of families in indicateurs.csv.
void add_indicator_rows(geo::output_layer& ind, std::string const& name, sim::group_indicators const& g) {
  auto row = [&](char const* label, sim::samples const& s) {
    if (s.values.empty()) {
      ind.rows.push_back(
          {name, std::string{label}, geo::field_value{}, geo::field_value{}, geo::field_value{}});
    } else {
      ind.rows.push_back({name, std::string{label}, s.mean(), s.lo(), s.hi()});
    }
  };
  row("Familles orientées", g.referred);
  row("Familles accueillies", g.matched);
  row("Couverture", g.coverage);
  row("Couverture du public prioritaire", g.priority_coverage);
  row("Non couvertes : rien d'accessible", g.unmet_unreachable);
  row("Non couvertes : horaires incompatibles", g.unmet_hours);
  row("Non couvertes : aucune structure autorisée (label)", g.unmet_not_allowed);
  row("Non couvertes : places complètes", g.unmet_full);
  row("En attente en fin d'année", g.censored);
  row("Accueil partiel (Baby Bus)", g.matched_partial);
  row("Enfants accueillis", g.children_placed);
  row("Attente moyenne (semaines)", g.mean_wait_weeks);
}

/// indicateurs.csv: every indicator of every group of families, mean and 90 % interval.
void write_indicators_csv(fs::path const& file, sim::run_results const& r) {
  geo::output_layer ind{"indicateurs",
                        "",
                        0,
                        {{"groupe", field_type::text, "Groupe"},
                         {"indicateur", field_type::text, "Indicateur"},
                         {"moyenne", field_type::real, "Moyenne"},
                         {"bas", field_type::real, "Borne basse 90 %"},
                         {"haut", field_type::real, "Borne haute 90 %"}},
                        {},
                        {}};
  add_indicator_rows(ind, "Territoire", r.island);
  add_indicator_rows(ind, "QPV", r.qpv);
  add_indicator_rows(ind, "Hors QPV", r.non_qpv);
  add_indicator_rows(ind, "Familles monoparentales", r.single_parent);
  add_indicator_rows(ind, "Autres familles", r.other_parent);
  add_indicator_rows(ind, "Orientées par France Travail", r.by_france_travail);
  add_indicator_rows(ind, "Orientées par la CAF", r.by_caf);
  add_indicator_rows(ind, "Orientées par une Mission locale", r.by_mission_locale);
  write_csv(file, ind);
}

/// summary.json's head: how the run was made (version, scenario, seed, territory and its inputs).
json run_json(territory::territory const& t, sim::world const& w, run_metadata const& meta) {
  json s;
  s["avipsim_version"] = meta.version;
  s["scenario_name"] = meta.scenario_name;
  s["scenario_file"] = meta.scenario_file;
  s["scenario"] = json::parse(meta.scenario_json.empty() ? "{}" : meta.scenario_json);
  s["seed"] = meta.seed;
  s["replications"] = meta.replications;
  s["threads"] = meta.threads;
  s["elapsed_seconds"] = meta.elapsed_seconds;
  s["territory"] = {{"name", t.name}, {"epsg", w.epsg}, {"synthetic_layers", t.synthetic_layers}};
  json inputs = json::array();
  for (auto const& in : t.inputs) {
    inputs.push_back({{"layer", in.layer}, {"path", in.path.string()}, {"sha256", in.sha256}});
  }
  s["inputs"] = inputs;
  return s;
}

/// summary.json's "transit": the bus service days kept and the feeds' validity.
json transit_json(geo::transit_summary const& transit) {
  json feeds = json::array();
  for (auto const& f : transit.feeds) {
    feeds.push_back({{"feed", f.feed},
                     {"valid_from", geo::iso_date(f.valid_from)},
                     {"valid_to", geo::iso_date(f.valid_to)},
                     {"expired", f.expired},
                     {"service_date", geo::iso_date(f.date)}});
  }
  return {{"date", transit.date},
          {"saturday", transit.saturday},
          {"sunday", transit.sunday},
          {"reason", transit.reason},
          {"checked_on", geo::iso_date(transit.today)},
          {"feeds", feeds},
          {"warnings", transit.warnings}};
}

json communes_json(sim::world const& w, sim::run_results const& r) {
  json communes = json::array();
  for (std::size_t i = 0; i < w.communes.size(); ++i) {
    auto const c = sim::commune_idx::from(i);
    auto g = group_json(r.communes[c].demand);
    g["code"] = w.communes.code[c];
    g["name"] = w.communes.name[c];
    g["places"] = r.communes[c].places;
    g["taux_couverture"] = r.communes[c].taux_couverture;
    g["accessibility"] = r.communes[c].accessibility;
    communes.push_back(g);
  }
  return communes;
}

json sectors_json(sim::world const& w, sim::run_results const& r) {
  json sectors = json::array();
  for (std::size_t i = 0; i < w.sectors.size(); ++i) {
    auto g = group_json(r.sectors[sim::sector_idx::from(i)]);
    g["name"] = w.sectors.name[sim::sector_idx::from(i)];
    sectors.push_back(g);
  }
  return sectors;
}

json labelled_facilities_json(sim::world const& w, sim::params const& p, sim::run_results const& r) {
  json labelled = json::array();
  for (std::size_t i = 0; i < w.facilities.size(); ++i) {
    auto const k = sim::facility_idx::from(i);
    if (w.facilities.avip[k] == 0) {
      continue;
    }
    auto const& fi = r.facilities[k];
    labelled.push_back(
        {{"id", w.facilities.id[k]},
         {"name", w.facilities.name[k]},
         {"places", w.facilities.places[k]},
         {"avip_children", stat(fi.avip_children)},
         {"avip_share", stat(fi.avip_share)},
         {"labelled_places", sim::labelled_places(w, p, k)},
         {"label_year", w.facilities.label_year[k] > 0 ? json(w.facilities.label_year[k]) : json()},
         {"p_target_met", mean_or_null(fi.target_met)},
         {"l214_available", stat(fi.l214_available)},
         {"l214_requests", stat(fi.l214_requests)}});
  }
  return labelled;
}

/// L.214-7 over the EAJE where it applies: the requests per year, and the share of requests that found a
/// guaranteed place free (found = availability × requests, per facility and replication with requests,
/// in order).
void add_l214_json(json& ind, sim::world const& w, sim::run_results const& r) {
  double requests = 0;
  double found = 0;
  for (std::size_t i = 0; i < w.facilities.size(); ++i) {
    auto const& fi = r.facilities[sim::facility_idx::from(i)];
    std::size_t a = 0;
    for (double q : fi.l214_requests.values) {
      requests += q;
      if (q > 0) {
        found += fi.l214_available.values[a++] * q;
      }
    }
  }
  ind["l214_requests_per_year"] = requests / std::max(1, r.replications);
  ind["l214_share_of_requests_finding_a_place"] = requests > 0 ? json(found / requests) : json();
}

json networks_json(sim::run_results const& r) {
  json networks = json::array();
  for (auto const& n : r.networks) {
    networks.push_back({{"id", n.id},
                        {"assmat_network", n.assmat_network},
                        {"members", n.members},
                        {"places", n.places},
                        {"avip_children", stat(n.avip_children)},
                        {"ratio", stat(n.ratio)},
                        {"members_met_share", stat(n.members_met_share)},
                        {"p_target_met", mean_or_null(n.target_met)}});
  }
  return networks;
}

json equity_json(sim::run_results const& r) {
  return {{"qpv_gap", stat(r.equity.qpv_gap)},
          {"single_parent_gap", stat(r.equity.single_parent_gap)},
          {"gini_communes", stat(r.equity.gini_communes)},
          {"palma_income", stat(r.equity.palma_income)},
          {"palma_undefined_replications", r.equity.palma_undefined}};
}

json cost_json(sim::run_results const& r) {
  return {{"label_funding_eur", r.cost.label_funding},
          {"coordinator_funding_eur", r.cost.coordinator_funding},
          {"baby_bus_eur", r.cost.baby_bus},
          {"total_eur", r.cost.total},
          {"labelled_places", r.cost.labelled_places},
          {"labelled_places_first_year", r.cost.labelled_places_first_year},
          {"baby_buses", r.cost.baby_buses}};
}

/// summary.json's "indicators": per group of families, place, facility and network, equity and cost.
json indicators_json(sim::world const& w, sim::params const& p, sim::run_results const& r) {
  json ind;
  ind["territory"] = group_json(r.island);  // the whole territory (not only an island)
  ind["qpv"] = group_json(r.qpv);
  ind["non_qpv"] = group_json(r.non_qpv);
  ind["single_parent"] = group_json(r.single_parent);
  ind["other_parent"] = group_json(r.other_parent);
  ind["referred_by"] = {{"france_travail", group_json(r.by_france_travail)},
                        {"caf", group_json(r.by_caf)},
                        {"mission_locale", group_json(r.by_mission_locale)}};
  ind["communes"] = communes_json(w, r);
  ind["sectors"] = sectors_json(w, r);
  ind["labelled_facilities"] = labelled_facilities_json(w, p, r);
  add_l214_json(ind, w, r);
  ind["networks"] = networks_json(r);
  ind["equity"] = equity_json(r);
  ind["cost"] = cost_json(r);
  if (!r.bound_value.values.empty()) {
    ind["year_bound"] = {{"bound", stat(r.bound_value)}, {"policy", stat(r.policy_value)}};
  }
  return ind;
}

/// summary.json's "validation": the observed figures beside the simulated intervals, and the spread of
/// the labelled structures' AVIP shares.
json validation_json(std::filesystem::path const& observed_file, std::vector<validation_row> const& vrows,
                     sim::params const& p, sim::run_results const& r) {
  json v = json::array();
  for (auto const& row : vrows) {
    v.push_back({{"indicator", row.key},
                 {"label", row.label},
                 {"observed", row.observed},
                 {"mean", row.simulated ? json(row.mean) : json()},
                 {"lo", row.simulated ? json(row.lo) : json()},
                 {"hi", row.simulated ? json(row.hi) : json()},
                 {"inside", row.inside},
                 {"fitted", row.fitted}});
  }
  sim::samples shares;
  shares.values = r.validation.labelled_shares;
  auto q = [&](double x) { return shares.values.empty() ? json() : json(shares.quantile(x)); };
  double met = 0;
  for (double x : shares.values) {
    met += x >= p.avip_target_share - 1e-12 ? 1 : 0;
  }
  return {{"observed_file", observed_file.string()},
          {"evaluated_structures", r.validation.evaluated_structures},
          {"verdict", validation_verdict(vrows)},
          {"figures", v},
          {"labelled_shares",
           {{"q05", q(0.05)},
            {"q25", q(0.25)},
            {"q50", q(0.5)},
            {"q75", q(0.75)},
            {"q95", q(0.95)},
            {"share_reaching_target",
             shares.values.empty() ? json() : json(met / static_cast<double>(shares.values.size()))}}}};
}

/// summary.json: how the run was made, its indicators, and the validation when figures were observed.
void write_summary_json(fs::path const& file, territory::territory const& t, sim::world const& w,
                        sim::params const& p, sim::run_results const& r, run_metadata const& meta,
                        std::optional<fs::path> const& observed_file,
                        std::vector<validation_row> const& vrows) {
  json s = run_json(t, w, meta);
  if (!meta.transit.feeds.empty()) {
    s["transit"] = transit_json(meta.transit);
  }
  // Car and walking times: on the road graph, or straight lines × the communes' detour factors.
  s["roads"] = w.roads.empty() ? json{{"network", false}, {"times", "straight lines × detour factor"}}
                               : json{{"network", true}, {"extract", t.roads.string()}};
  if (w.roads.empty()) {
    s["warnings"].push_back("car and walking times: straight lines × detour factor (no road network)");
  }
  if (observed_file) {
    s["validation"] = validation_json(*observed_file, vrows, p, r);
  }
  s["indicators"] = indicators_json(w, p, r);
  write_text(file, s.dump(2));
}

}  // namespace

void write_run_outputs(fs::path const& dir, territory::territory const& t, sim::world const& w,
                       sim::params const& p, sim::run_results const& r, run_metadata const& meta) {
  auto const L = build_layers(t, w, p, r);
  write_layers(dir, L);
  write_csv(dir / "communes.csv", L.communes);
  write_sectors_csv(dir / "secteurs.csv", L);
  write_labelled_structures_csv(dir / "structures_avip.csv", L);
  write_networks_csv(dir / "reseaux.csv", p, r);
  write_indicators_csv(dir / "indicateurs.csv", r);
  // Validation against what was observed (when the territory has observed figures).
  auto const observed_file =
      meta.observed_file.empty() ? default_observed(t) : std::optional{meta.observed_file};
  std::vector<validation_row> vrows;
  if (observed_file) {
    vrows = validation_table(r.validation, read_observed(*observed_file));
    write_validation_csv(dir / "validation.csv", vrows);
  }
  write_summary_json(dir / "summary.json", t, w, p, r, meta, observed_file, vrows);
  write_text(dir / "report.html", run_report(t, w, p, r, meta, vrows));
}

}  // namespace avip::viz
