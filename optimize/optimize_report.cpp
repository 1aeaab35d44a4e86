#include "optimize/optimize_report.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "geo/geometry_ops.hpp"
#include "geo/vector_writer.hpp"
#include "viz/json_io.hpp"
#include "viz/svg_map.hpp"

namespace avip::optimize {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

double per_family(double cost, double gain) {
  return gain > 1e-9 ? cost / gain : std::numeric_limits<double>::quiet_NaN();
}

geo::field_value num_or_null(double v) {
  return std::isfinite(v) ? geo::field_value{v} : geo::field_value{};
}

geo::output_layer actions_layer(report_data const& d, bool with_geometry) {
  geo::output_layer L;
  L.name = "actions";
  L.title = "Actions recommandées par avipsim optimize";
  L.epsg = d.epsg;
  L.fields = {
      {"rang", geo::field_type::integer, "rang dans l'ordre du gain par euro"},
      {"action", geo::field_type::text, "action (identifiant du fichier des candidats)"},
      {"libelle", geo::field_type::text, "libellé de l'action"},
      {"type", geo::field_type::text, "type d'édition de scénario"},
      {"structure_ou_site", geo::field_type::text, "structure ou site concerné"},
      {"commune", geo::field_type::text, "commune"},
      {"cout", geo::field_type::real, "coût annuel (€)"},
      {"gain_marginal", geo::field_type::real, "familles (objectif) couvertes en plus, modèle de couverture"},
      {"euros_par_famille", geo::field_type::real, "€ par famille prioritaire supplémentaire (modèle)"}};
  for (auto const& a : d.chosen) {
    if (with_geometry && !a.has_point) {
      continue;
    }
    L.rows.push_back({std::int64_t{a.rank}, a.id, a.title, a.type, a.site, a.commune, a.cost, a.gain,
                      num_or_null(per_family(a.cost, a.gain))});
    if (with_geometry) {
      L.geometry.push_back(geo::point_wkb(a.x, a.y));
    }
  }
  return L;
}

void write_csvs(fs::path const& dir, report_data const& d) {
  geo::output_layer A;
  A.name = "actions";
  A.fields = {{"action", geo::field_type::text, ""},
              {"structure ou site", geo::field_type::text, ""},
              {"commune", geo::field_type::text, ""},
              {"coût", geo::field_type::real, ""},
              {"gain marginal", geo::field_type::real, ""},
              {"€ par famille prioritaire supplémentaire", geo::field_type::real, ""},
              {"rang", geo::field_type::integer, ""}};
  for (auto const& a : d.chosen) {
    A.rows.push_back({a.title, a.site, a.commune, a.cost, a.gain, num_or_null(per_family(a.cost, a.gain)),
                      std::int64_t{a.rank}});
  }
  geo::write_vector((dir / "actions.csv").string(), geo::vector_format::csv, A);

  geo::output_layer P;
  P.name = "pareto";
  P.fields = {{"budget", geo::field_type::real, ""},
              {"méthode", geo::field_type::text, ""},
              {"actions", geo::field_type::integer, ""},
              {"coût", geo::field_type::real, ""},
              {"familles (modèle)", geo::field_type::real, ""},
              {"familles (simulation)", geo::field_type::real, ""},
              {"bas", geo::field_type::real, ""},
              {"haut", geo::field_type::real, ""},
              {"écart à la référence", geo::field_type::real, ""},
              {"écart bas", geo::field_type::real, ""},
              {"écart haut", geo::field_type::real, ""},
              {"statut", geo::field_type::text, ""},
              {"écart prouvé", geo::field_type::real, ""},
              {"recommandé", geo::field_type::integer, ""}};
  for (auto const& p : d.portfolios) {
    auto sim = [&](double v) { return p.simulated ? geo::field_value{v} : geo::field_value{}; };
    P.rows.push_back({p.budget, p.method, static_cast<std::int64_t>(p.actions), p.cost, p.model,
                      sim(p.sim_mean), sim(p.sim_lo), sim(p.sim_hi), sim(p.delta_mean), sim(p.delta_lo),
                      sim(p.delta_hi), p.status, num_or_null(p.gap), std::int64_t{p.recommended ? 1 : 0}});
  }
  geo::write_vector((dir / "pareto.csv").string(), geo::vector_format::csv, P);
}

void write_json(fs::path const& dir, report_data const& d) {
  json j;
  j["objective"] = d.objective;
  j["base"] = d.base_name;
  j["candidates"] = d.candidates_file;
  j["candidate_actions"] = d.actions_count;
  j["model"] = {{"demand_nodes", d.model_nodes},    {"arcs", d.model_arcs},
                {"facilities", d.model_facilities}, {"total_demand", d.model_total_demand},
                {"base_covered", d.model_base},     {"build_seconds", d.build_seconds},
                {"places_per_family_a_year", 1.0},  {"actions", d.model_actions}};
  j["sites"] = {{"generated", d.sites_mode.empty() ? "none" : d.sites_mode},
                {"populated_cells", d.populated_cells},
                {"cells_with_unmet_demand", d.unmet_cells},
                {"grid_sites", d.grid_sites},
                {"file_sites", d.site_actions},
                {"sites_that_can_add_coverage", d.useful_sites}};
  j["timings"] = json::array();  // in phase order
  for (auto const& [phase, seconds] : d.timings) {
    j["timings"].push_back({{"phase", phase}, {"seconds", seconds}});
  }
  j["simulation"] = {{"replications", d.replications},
                     {"seed", d.seed},
                     {"simulated", d.simulated},
                     {"base", d.sim_base},
                     {"base_referred", d.sim_base_referred}};
  j["greedy_guarantee"] =
      "better of cost-benefit greedy and best single action >= (1-1/e)/2 of the optimum for budgeted maximum "
      "coverage (Khuller, Moss, Naor 1999), when capacities do not bind";
  for (auto const& b : d.budgets) {
    j["budgets"].push_back({{"budget", b.budget},
                            {"greedy",
                             {{"covered", b.greedy},
                              {"cost", b.greedy_cost},
                              {"actions", b.greedy_actions},
                              {"seconds", b.greedy_seconds}}},
                            {"mip",
                             {{"available", b.mip_available},
                              {"has_solution", b.mip_has_solution},
                              {"covered", b.mip},
                              {"cost", b.mip_cost},
                              {"actions", b.mip_actions},
                              {"bound", b.mip_bound},
                              {"gap", b.mip_gap},
                              {"seconds", b.mip_seconds},
                              {"status", b.mip_status},
                              {"proven_optimal", b.mip_optimal},
                              {"variables", b.mip_variables},
                              {"constraints", b.mip_constraints}}}});
  }
  for (auto const& p : d.portfolios) {
    json q = {
        {"name", p.name},     {"method", p.method},           {"budget", p.budget},
        {"cost", p.cost},     {"actions", p.actions},         {"model", p.model},
        {"status", p.status}, {"recommended", p.recommended}, {"file", "portfolios/" + p.name + ".json"}};
    if (std::isfinite(p.gap)) {
      q["gap"] = p.gap;
    }
    if (p.simulated) {
      q["simulation"] = {{"mean", p.sim_mean},    {"lo", p.sim_lo},         {"hi", p.sim_hi},
                         {"delta", p.delta_mean}, {"delta_lo", p.delta_lo}, {"delta_hi", p.delta_hi},
                         {"cost", p.sim_cost}};
    }
    j["portfolios"].push_back(q);
  }
  for (auto const& a : d.chosen) {
    j["recommendation"].push_back({{"rank", a.rank},
                                   {"id", a.id},
                                   {"title", a.title},
                                   {"cost", a.cost},
                                   {"marginal_gain", a.gain},
                                   {"site", a.site},
                                   {"commune", a.commune}});
  }
  viz::detail::write_text(dir / "optimize.json", j.dump(2) + "\n");
}

std::string fmt_num(double v, int digits = 2) {
  return std::isfinite(v) ? fmt::format("{:.{}f}", v, digits) : "—";
}

std::string curve_svg(report_data const& d) {
  double const W = 640;
  double const H = 320;
  double const L = 60;
  double const B = 40;
  double xmax = 0;
  double ymin = std::numeric_limits<double>::infinity();
  double ymax = 0;
  for (auto const& p : d.portfolios) {
    xmax = std::max(xmax, p.budget);
    ymax = std::max({ymax, p.model, p.simulated ? p.sim_hi : 0.0});
    ymin = std::min({ymin, p.model, p.simulated ? p.sim_lo : p.model});
  }
  ymin = std::min(ymin, d.model_base);
  if (d.simulated) {
    ymin = std::min(ymin, d.sim_base);
  }
  ymin = std::floor(ymin * 0.95);
  ymax = std::ceil(ymax * 1.05 + 1e-9);
  xmax = xmax > 0 ? xmax * 1.05 : 1;
  auto X = [&](double b) { return L + (W - L - 20) * b / xmax; };
  auto Y = [&](double v) { return H - B - (H - B - 20) * (v - ymin) / std::max(1e-9, ymax - ymin); };
  std::string s =
      fmt::format("<svg xmlns='http://www.w3.org/2000/svg' width='{}' height='{}' font-size='11'>", W, H);
  s += fmt::format("<line x1='{}' y1='{}' x2='{}' y2='{}' stroke='#333'/>", L, H - B, W - 20, H - B);
  s += fmt::format("<line x1='{}' y1='20' x2='{}' y2='{}' stroke='#333'/>", L, L, H - B);
  for (int i = 0; i <= 4; ++i) {
    double const v = ymin + (ymax - ymin) * i / 4;
    double const b = xmax * i / 4;
    s += fmt::format("<text x='{}' y='{}' text-anchor='end'>{:.1f}</text>", L - 4, Y(v) + 4, v);
    s += fmt::format("<text x='{}' y='{}' text-anchor='middle'>{:.2f} M€</text>", X(b), H - B + 16, b / 1e6);
  }
  s += fmt::format("<text x='{}' y='{}' text-anchor='middle'>budget (€ par an)</text>", (W + L) / 2, H - 6);
  s += fmt::format(
      "<text x='12' y='{}' transform='rotate(-90 12 {})' text-anchor='middle'>familles par an ({})</text>",
      H / 2, H / 2, viz::html_escape(d.objective));
  // Model: the best portfolio of each budget, as a step line from the base.
  std::string path = fmt::format("M{:.1f},{:.1f}", X(0), Y(d.model_base));
  std::vector<std::pair<double, double>> best;
  for (auto const& b : d.budgets) {
    best.push_back({b.budget, std::max(b.greedy, b.mip_has_solution ? b.mip : 0.0)});
  }
  for (auto const& [b, v] : best) {
    path += fmt::format(" L{:.1f},{:.1f}", X(b), Y(v));
  }
  s += fmt::format("<path d='{}' fill='none' stroke='#2b8cbe' stroke-width='2'/>", path);
  for (auto const& p : d.portfolios) {
    auto const colour = p.method == "mip" ? "#d7301f" : "#2b8cbe";
    s += fmt::format(
        "<circle cx='{:.1f}' cy='{:.1f}' r='4' fill='{}'><title>{} : modèle {:.2f}</title></circle>",
        X(p.budget), Y(p.model), colour, viz::html_escape(p.name), p.model);
    if (p.simulated) {
      double const x = X(p.budget) + (p.method == "mip" ? 6 : 3);
      s += fmt::format("<line x1='{0:.1f}' x2='{0:.1f}' y1='{1:.1f}' y2='{2:.1f}' stroke='#555'/>", x,
                       Y(p.sim_lo), Y(p.sim_hi));
      s += fmt::format(
          "<rect x='{:.1f}' y='{:.1f}' width='6' height='6' fill='#555'><title>{} : simulation {:.2f} "
          "({:.2f}–{:.2f})</title></rect>",
          x - 3, Y(p.sim_mean) - 3, viz::html_escape(p.name), p.sim_mean, p.sim_lo, p.sim_hi);
    }
  }
  if (d.simulated) {
    s += fmt::format("<rect x='{:.1f}' y='{:.1f}' width='6' height='6' fill='#555'/>", X(0) - 3,
                     Y(d.sim_base) - 3);
  }
  s += fmt::format("<text x='{}' y='30' fill='#2b8cbe'>● modèle de couverture (glouton)</text>", L + 10);
  s += fmt::format("<text x='{}' y='44' fill='#d7301f'>● modèle (MIP, si différent)</text>", L + 10);
  s += fmt::format("<text x='{}' y='58' fill='#555'>■ simulation, intervalle à 90 %</text>", L + 10);
  return s + "</svg>";
}

std::string map_svg(report_data const& d) {
  if (d.facility_points.empty()) {
    return {};
  }
  double x0 = std::numeric_limits<double>::infinity();
  double y0 = x0;
  double x1 = -x0;
  double y1 = -x0;
  for (auto const& p : d.facility_points) {
    x0 = std::min(x0, p.x);
    x1 = std::max(x1, p.x);
    y0 = std::min(y0, p.y);
    y1 = std::max(y1, p.y);
  }
  double const W = 560;
  double const scale = (W - 20) / std::max(1.0, x1 - x0);
  double const H = (y1 - y0) * scale + 20;
  auto X = [&](double x) { return 10 + (x - x0) * scale; };
  auto Y = [&](double y) { return 10 + (y1 - y) * scale; };
  std::string s = fmt::format(
      "<svg xmlns='http://www.w3.org/2000/svg' width='{:.0f}' height='{:.0f}' font-size='10'>"
      "<rect width='100%' height='100%' fill='#f7fbff'/>",
      W, H);
  for (auto const& p : d.facility_points) {
    s += fmt::format("<circle cx='{:.1f}' cy='{:.1f}' r='{}' fill='{}'/>", X(p.x), Y(p.y),
                     p.labelled ? 3 : 1.2, p.labelled ? "#2171b5" : "#bbb");
  }
  for (auto const& a : d.chosen) {
    if (!a.has_point) {
      continue;
    }
    s += fmt::format(
        "<circle cx='{:.1f}' cy='{:.1f}' r='6' fill='#d7301f' fill-opacity='0.8'><title>{} — {} ({})</title>"
        "</circle><text x='{:.1f}' y='{:.1f}'>{}</text>",
        X(a.x), Y(a.y), a.rank, viz::html_escape(a.title), viz::html_escape(a.commune), X(a.x) + 7,
        Y(a.y) + 3, a.rank);
  }
  return s + "</svg>";
}

void write_html(fs::path const& dir, report_data const& d) {
  auto const e = [](std::string const& s) { return viz::html_escape(s); };
  std::string h =
      "<!doctype html><html lang='fr'><head><meta charset='utf-8'><title>" + e(d.title) +
      "</title><style>body{font-family:sans-serif;max-width:1100px;margin:1em auto;padding:0 1em}"
      "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;"
      "text-align:right}td:first-child,th:first-child{text-align:left}.warn{color:#b30000}</style>"
      "</head><body>";
  h += "<h1>" + e(d.title) + "</h1>";
  h += fmt::format(
      "<p>Objectif : <b>{}</b> (familles orientées dans l'année qui obtiennent une place compatible). "
      "{} actions candidates ({}). Modèle de couverture : {} groupes de familles, {} arcs, {} structures ; "
      "demande "
      "attendue {:.2f} familles par an, dont {:.2f} couvertes sans action.</p>",
      e(d.objective), d.actions_count, e(d.candidates_file), d.model_nodes, d.model_arcs, d.model_facilities,
      d.model_total_demand, d.model_base);
  if (d.simulated) {
    h += fmt::format(
        "<p>Simulation de la référence ({} réplications, graine {}) : {:.2f} familles placées "
        "sur {:.2f} orientées.</p>",
        d.replications, d.seed, d.sim_base, d.sim_base_referred);
  }
  h += "<h2>Coût et couverture</h2>" + curve_svg(d);
  h += "<h2>Glouton et MIP par budget</h2><table><tr><th>budget</th><th>glouton : familles</th><th>coût</th>"
       "<th>actions</th><th>s</th><th>MIP : familles</th><th>borne</th><th>écart prouvé</th><th>statut "
       "CBC</th>"
       "<th>s</th></tr>";
  for (auto const& b : d.budgets) {
    h += fmt::format(
        "<tr><td>{:.0f} €</td><td>{}</td><td>{:.0f}</td><td>{}</td><td>{:.3f}</td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{}</td><td>{:.2f}</td></tr>",
        b.budget, fmt_num(b.greedy, 3), b.greedy_cost, b.greedy_actions, b.greedy_seconds,
        b.mip_has_solution ? fmt_num(b.mip, 3) : "—", b.mip_has_solution ? fmt_num(b.mip_bound, 3) : "—",
        b.mip_has_solution ? fmt::format("{:.3f} %", 100 * b.mip_gap) : "—", e(b.mip_status), b.mip_seconds);
  }
  h +=
      "</table><p>Garantie du glouton : pour la couverture maximale sous budget (capacités non saturées), le "
      "meilleur du glouton coût-bénéfice et de la meilleure action seule atteint au moins (1 − 1/e)/2 ≈ 31,6 "
      "% de "
      "l'optimum (Khuller, Moss et Naor, 1999). Avec des capacités saturées la garantie ne tient plus : "
      "l'écart "
      "prouvé du MIP dit alors ce qu'il vaut. Un arrêt sur limite de temps n'est jamais dit optimal.</p>";
  h += "<h2>Portefeuilles simulés (nombres aléatoires "
       "communs)</h2><table><tr><th>portefeuille</th><th>coût</th>"
       "<th>actions</th><th>modèle : gain</th><th>simulation : écart à la référence (90 "
       "%)</th><th>accord</th></tr>";
  for (auto const& p : d.portfolios) {
    std::string agree = "—";
    if (p.simulated) {
      double const gain = p.model - d.model_base;
      agree = gain >= p.delta_lo - 1e-9 && gain <= p.delta_hi + 1e-9
                  ? "dans l'intervalle"
                  : (gain > p.delta_hi ? "<span class='warn'>le modèle surestime</span>"
                                       : "<span class='warn'>le modèle sous-estime</span>");
    }
    h += fmt::format(
        "<tr><td>{}{}</td><td>{:.0f} €</td><td>{}</td><td>+{:.2f}</td><td>{}</td><td>{}</td></tr>", e(p.name),
        p.recommended ? " <b>(recommandé)</b>" : "", p.cost, p.actions, p.model - d.model_base,
        p.simulated ? fmt::format("{:+.2f} ({:+.2f} à {:+.2f})", p.delta_mean, p.delta_lo, p.delta_hi)
                    : "non simulé",
        agree);
  }
  h +=
      "</table><p>Où le modèle et la simulation diffèrent : le modèle compte une place AVIP pour une famille "
      "par an "
      "et ignore la concurrence de la demande ordinaire pour les places libres, l'ordre d'arrivée, l'attente "
      "maximale et les familles qui arrivent en fin d'année ; la simulation les a tous.</p>";
  h += "<h2>Actions recommandées</h2>" + map_svg(d);
  h += "<table><tr><th>rang</th><th>action</th><th>structure ou site</th><th>commune</th><th>coût</th>"
       "<th>gain marginal</th><th>€ par famille</th><th>origine du coût</th></tr>";
  for (auto const& a : d.chosen) {
    h += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.0f} €</td><td>{:.3f}</td><td>{}</td>"
        "<td>{}</td></tr>",
        a.rank, e(a.title), e(a.site), e(a.commune), a.cost, a.gain,
        std::isfinite(per_family(a.cost, a.gain)) ? fmt::format("{:.0f} €", per_family(a.cost, a.gain)) : "—",
        e(a.cost_note));
  }
  h += "</table><p>Fichiers : recommendation.json (scénario rejouable par <code>avipsim run</code> et "
       "<code>compare</code>), actions.csv, pareto.csv, actions.geojson, optimize.gpkg, optimize.json, "
       "portfolios/.</p></body></html>\n";
  viz::detail::write_text(dir / "report.html", h);
}

}  // namespace

void write_optimize_outputs(fs::path const& dir, report_data const& d) {
  write_csvs(dir, d);
  auto const layer = actions_layer(d, true);
  geo::write_vector((dir / "actions.geojson").string(), geo::vector_format::geojson, layer);
  geo::write_vector((dir / "optimize.gpkg").string(), geo::vector_format::gpkg, layer);
  write_json(dir, d);
  write_html(dir, d);
}

}  // namespace avip::optimize
