#include "viz/report.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "geo/geometry_ops.hpp"
#include "sim/cost.hpp"
#include "viz/svg_map.hpp"

namespace avip::viz {

namespace {

constexpr char const* kStyle = R"(<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2733;background:#f7f9fb}
header{background:#0b4f6c;color:#fff;padding:18px 28px}header h1{margin:0;font-size:24px}header p{margin:4px 0 0;opacity:.85}
main{padding:18px 28px;max-width:1400px}section{background:#fff;border-radius:8px;padding:16px 20px;margin:0 0 18px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h2{font-size:18px;margin:0 0 10px;color:#0b4f6c}.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{flex:1 1 170px;background:#eef5f9;border-radius:6px;padding:10px 14px}.card b{display:block;font-size:24px;color:#0b4f6c}
.card span{font-size:13px;color:#445}.maps{display:grid;grid-template-columns:repeat(auto-fit,minmax(480px,1fr));gap:16px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{padding:4px 8px;border-bottom:1px solid #e3e8ee;text-align:right}
th:first-child,td:first-child,th:nth-child(2),td:nth-child(2){text-align:left}th{background:#f0f4f8;position:sticky;top:0}
.ok{color:#1a7f37;font-weight:600}.ko{color:#b42318;font-weight:600}.note{font-size:13px;color:#556}
.scroll{max-height:420px;overflow:auto}svg.chart text{font-size:12px;font-family:sans-serif}
</style>)";

std::string pct(double v) {
  return std::isfinite(v) ? fmt::format("{:.1f} %", 100 * v) : "—";
}
std::string num(double v, int d = 0) {
  return std::isfinite(v) ? fmt::format("{:.{}f}", v, d) : "—";
}
/// 2900000 → "2 900 000 €" (French thousands separator, a narrow no-break space).
std::string euros(double v) {
  if (!std::isfinite(v)) {
    return "—";
  }
  auto const digits = fmt::format("{:.0f}", std::abs(v));
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) {
      out += "\u202f";
    }
    out += digits[i];
  }
  return (v < 0 ? "−" : "") + out + " €";
}

struct extent {
  double x0{std::numeric_limits<double>::max()}, y0{std::numeric_limits<double>::max()};
  double x1{std::numeric_limits<double>::lowest()}, y1{std::numeric_limits<double>::lowest()};
};

extent extent_of(territory::territory const& t) {
  extent e;
  for (auto const& g : t.commune_geometry) {
    for (auto const& ring : geo::polygon_rings(g, 0)) {
      for (auto const& p : ring) {
        e.x0 = std::min(e.x0, p.x), e.y0 = std::min(e.y0, p.y), e.x1 = std::max(e.x1, p.x),
        e.y1 = std::max(e.y1, p.y);
      }
    }
  }
  return e;
}

std::string card(std::string const& value, std::string const& label) {
  return fmt::format("<div class=\"card\"><b>{}</b><span>{}</span></div>", value, html_escape(label));
}

std::vector<std::pair<std::string, std::string>> coverage_legend() {
  return {{ramp_coverage(0.0), "0 %"},
          {ramp_coverage(0.25), "25 %"},
          {ramp_coverage(0.5), "50 %"},
          {ramp_coverage(0.75), "75 %"},
          {ramp_coverage(1.0), "100 %"}};
}

/// Horizontal bars with 90 % interval whiskers, values in [0, 1].
std::string bar_chart(std::vector<std::tuple<std::string, double, double, double>> const& bars,
                      std::string const& title) {
  int const row = 30;
  int const left = 230;
  int const width = 760;
  int const plot = width - left - 60;
  int const height = row * static_cast<int>(bars.size()) + 40;
  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {} {}\" width=\"100%\" "
      "style=\"max-width:{}px\">"
      "<text x=\"4\" y=\"16\" font-weight=\"bold\">{}</text>",
      width, height, width, html_escape(title));
  for (int k = 0; k <= 4; ++k) {
    double const x = left + plot * k / 4.0;
    s += fmt::format(
        "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"24\" y2=\"{1}\" stroke=\"#dde\"/><text x=\"{0:.1f}\" "
        "y=\"{2}\" text-anchor=\"middle\">{3} %</text>",
        x, height - 14, height - 2, 25 * k);
  }
  for (std::size_t i = 0; i < bars.size(); ++i) {
    auto const& [label, mean, lo, hi] = bars[i];
    int const y = 28 + row * static_cast<int>(i);
    auto clamp01 = [](double v) { return std::clamp(std::isfinite(v) ? v : 0.0, 0.0, 1.0); };
    s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", left - 8, y + 15,
                     html_escape(label));
    s += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"20\" fill=\"#3b82b6\"><title>{}: "
        "{}</title></rect>",
        left, y, plot * clamp01(mean), html_escape(label), pct(mean));
    s += fmt::format(
        "<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{}\" y2=\"{}\" stroke=\"#111\" stroke-width=\"1.5\"/>",
        left + plot * clamp01(lo), left + plot * clamp01(hi), y + 10, y + 10);
    s += fmt::format("<text x=\"{:.1f}\" y=\"{}\">{}</text>", left + plot * clamp01(hi) + 6, y + 15,
                     pct(mean));
  }
  return s + "</svg>";
}

/// Horizontal bars of counts (families) with 90 % interval whiskers, on a common scale from 0 to the
/// largest high bound. Each bar: label, mean, low, high and a colour.
std::string count_chart(std::vector<std::tuple<std::string, sim::samples const*, char const*>> const& bars,
                        std::string const& title) {
  int const row = 30;
  int const left = 330;
  int const width = 820;
  int const plot = width - left - 90;
  int const height = row * static_cast<int>(bars.size()) + 46;
  double top = 1.0;
  for (auto const& b : bars) {
    if (!std::get<1>(b)->values.empty()) {
      top = std::max(top, std::get<1>(b)->hi());
    }
  }
  // A round scale: 1, 2 or 5 × 10^k per tick, four ticks or so.
  double const raw = top / 4;
  double const mag = std::pow(10.0, std::floor(std::log10(raw)));
  double const step = raw / mag <= 1 ? mag : raw / mag <= 2 ? 2 * mag : raw / mag <= 5 ? 5 * mag : 10 * mag;
  top = step * std::ceil(top / step);
  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {} {}\" width=\"100%\" "
      "style=\"max-width:{}px\" role=\"img\" aria-label=\"{}\">"
      "<text x=\"4\" y=\"16\" font-weight=\"bold\">{}</text>",
      width, height, width, html_escape(title), html_escape(title));
  for (double v = 0; v <= top + 1e-9; v += step) {
    double const x = left + plot * v / top;
    s += fmt::format(
        "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"24\" y2=\"{1}\" stroke=\"#dde\"/><text x=\"{0:.1f}\" "
        "y=\"{2}\" text-anchor=\"middle\">{3}</text>",
        x, height - 20, height - 8, num(v, step < 1 ? 1 : 0));
  }
  for (std::size_t i = 0; i < bars.size(); ++i) {
    auto const& [label, smp, colour] = bars[i];
    int const y = 28 + row * static_cast<int>(i);
    s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", left - 8, y + 15,
                     html_escape(label));
    if (smp->values.empty()) {
      s += fmt::format("<text x=\"{}\" y=\"{}\">—</text>", left + 4, y + 15);
      continue;
    }
    auto x = [&](double v) { return left + plot * std::clamp(v / top, 0.0, 1.0); };
    s += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"20\" fill=\"{}\"><title>{} : {} ({}–{})</title>"
        "</rect>",
        left, y, x(smp->mean()) - left, colour, html_escape(label), num(smp->mean(), 1), num(smp->lo(), 1),
        num(smp->hi(), 1));
    s += fmt::format(
        "<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{}\" y2=\"{}\" stroke=\"#111\" stroke-width=\"1.5\"/>",
        x(smp->lo()), x(smp->hi()), y + 10, y + 10);
    s += fmt::format("<text x=\"{:.1f}\" y=\"{}\">{}</text>", x(smp->hi()) + 6, y + 15, num(smp->mean(), 1));
  }
  return s + "</svg>";
}

/// The mean of an indicator, "—" when it has no value (not applicable, or undefined everywhere).
std::string mean_or_dash(sim::samples const& s, int decimals) {
  return s.values.empty() ? std::string{"—"} : num(s.mean(), decimals);
}

/// A mean in points of percentage with its sign, "—" when it has no value.
std::string points_or_dash(sim::samples const& s) {
  return s.values.empty() ? std::string{"—"} : fmt::format("{:+.1f} pts", 100 * s.mean());
}

std::string coverage_map(territory::territory const& t, sim::world const& w,
                         std::vector<double> const& commune_values, bool delta, std::string const& caption) {
  auto const e = extent_of(t);
  svg_map m{e.x0, e.y0, e.x1, e.y1, 640};
  for (std::size_t i = 0; i < w.communes.size(); ++i) {
    auto const c = sim::commune_idx::from(i);
    auto const v = commune_values[i];
    m.polygon(t.commune_geometry[i], delta ? ramp_delta(v * 5) : ramp_coverage(v), "#ffffff", 1.0,
              fmt::format("{} : {}{}", w.communes.name[c], delta && v > 0 ? "+" : "",
                          delta ? fmt::format("{:.1f} pts", 100 * v) : pct(v)),
              50.0);
  }
  for (std::size_t i = 0; i < t.qpv_geometry.size(); ++i) {
    m.polygon(t.qpv_geometry[i], "none", "#222", 0.9, "QPV " + w.qpvs.name[sim::qpv_idx::from(i)], 0.0);
  }
  if (delta) {
    m.legend({{ramp_delta(-1), "−20 pts"}, {ramp_delta(0), "0"}, {ramp_delta(1), "+20 pts"}}, caption);
  } else {
    m.legend(coverage_legend(), caption);
  }
  return m.str();
}

/// What a run's report shows.
struct report_input {
  territory::territory const& t;
  sim::world const& w;
  sim::params const& p;
  sim::run_results const& r;
  run_metadata const& meta;
};

/// The document head and the page header.
std::string report_head(report_input const& in) {
  auto const& [t, w, p, r, meta] = in;
  std::string h = "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>avipsim — " +
                  html_escape(meta.scenario_name) + "</title>" + kStyle + "</head><body>";
  h += fmt::format(
      "<header><h1>avipsim — {}</h1><p>{} · {} réplications · graine {} · avipsim {}</p></header><main>",
      html_escape(meta.scenario_name), html_escape(t.name), meta.replications, meta.seed,
      html_escape(meta.version));
  return h;
}

/// Headline figures: coverage, unmet demand by reason, labelled structures, cost.
std::string key_figures_section(report_input const& in) {
  auto const& [t, w, p, r, meta] = in;
  std::string h;
  std::size_t labelled = 0;
  double met = 0;
  for (std::size_t i = 0; i < w.facilities.size(); ++i) {
    auto const k = sim::facility_idx::from(i);
    if (!r.facilities[k].target_met.values.empty()) {
      ++labelled;
      met += r.facilities[k].target_met.mean();
    }
  }
  h += "<section><h2>Chiffres clés (moyenne et intervalle à 90 % sur les réplications)</h2><div "
       "class=\"cards\">";
  h += card(pct(r.island.coverage.mean()),
            fmt::format("familles orientées accueillies ({}–{})", pct(r.island.coverage.lo()),
                        pct(r.island.coverage.hi())));
  h += card(pct(r.island.priority_coverage.mean()),
            "couverture du public prioritaire (monoparents, QPV/ZRR, moins de 26 ans)");
  h += card(num(r.island.referred.mean()), "familles orientées dans l'année");
  h += card(num(r.island.unmet_unreachable.mean()), "non couvertes : aucune structure accessible");
  h += card(num(r.island.unmet_hours.mean()), "non couvertes : horaires incompatibles");
  h += card(num(r.island.unmet_not_allowed.mean()),
            "non couvertes : seules des structures non autorisées à accueillir l'AVIP (remède : un label)");
  h += card(num(r.island.unmet_full.mean()), "non couvertes : structures complètes");
  h += card(num(r.island.censored.mean()), "en attente en fin d'année (ni couvertes ni non couvertes)");
  h += card(num(r.island.matched_partial.mean()),
            "accueillies en partie seulement (Baby Bus, une partie des heures)");
  h += card(fmt::format("{:.1f} / {}", met, labelled), "EAJE labellisées atteignant 20 % (espérance)");
  h += card(euros(r.cost.total), "coût annuel CAF (label, coordination, Baby Bus)");
  h += "</div></section>";
  return h;
}

/// The coverage per commune, QPV outlines and the facilities (not the childminders) as dots.
std::string coverage_map_with_facilities(report_input const& in) {
  auto const& [t, w, p, r, meta] = in;
  std::vector<double> cov(w.communes.size());
  for (std::size_t i = 0; i < w.communes.size(); ++i) {
    cov[i] = r.communes[sim::commune_idx::from(i)].demand.coverage.mean();
  }
  auto cov_map = coverage_map(t, w, cov, false, "Couverture par commune");
  // Facilities on the coverage map: insert circles before the closing tag.
  {
    auto const e = extent_of(t);
    svg_map dots{e.x0, e.y0, e.x1, e.y1, 640};
    for (std::size_t i = 0; i < w.facilities.size(); ++i) {
      auto const k = sim::facility_idx::from(i);
      if (w.facilities.kind[k] == sim::facility_kind::assmat) {
        continue;
      }
      bool const avip = w.facilities.avip[k] != 0;
      bool const bus = w.facilities.kind[k] == sim::facility_kind::baby_bus_site;
      dots.circle(w.facilities.location[k].x, w.facilities.location[k].y, avip ? 4.0 : 2.0,
                  avip ? "#0b4f6c" : (bus ? "#f59e0b" : "#ffffff"), "#333",
                  fmt::format("{} ({} places){}", w.facilities.name[k], w.facilities.places[k],
                              avip ? " — AVIP" : ""));
    }
    auto const inner = dots.str();
    auto const b =
        inner.find("</rect>\n") != std::string::npos ? inner.find("<circle") : inner.find("<circle");
    auto const end = inner.rfind("</svg>");
    if (b != std::string::npos) {
      cov_map.insert(cov_map.rfind("<g font-size"), inner.substr(b, end - b));
    }
  }
  return cov_map;
}

/// The unmet priority demand per 200 m cell.
std::string unmet_map(report_input const& in) {
  auto const& [t, w, p, r, meta] = in;
  auto const e = extent_of(t);
  svg_map unmet{e.x0, e.y0, e.x1, e.y1, 640};
  for (std::size_t i = 0; i < w.communes.size(); ++i) {
    unmet.polygon(t.commune_geometry[i], "#f4f4f4", "#999", 0.6, w.communes.name[sim::commune_idx::from(i)],
                  50.0);
  }
  double max_unmet = 0;
  for (auto const& c : r.cells) {
    max_unmet = std::max(max_unmet, c.unmet_priority);
  }
  for (std::size_t i = 0; i < w.grid.size(); ++i) {
    auto const c = sim::cell_idx::from(i);
    double const v = r.cells[c].unmet_priority;
    if (v > 0) {
      unmet.square(w.grid.centre[c].x, w.grid.centre[c].y, w.grid.cell_size * 1.6,
                   ramp_unmet(0.25 + 0.75 * v / std::max(1e-9, max_unmet)),
                   fmt::format("{} : {:.2f} famille(s) prioritaire(s) non couverte(s)", w.grid.id[c], v));
    }
  }
  unmet.legend({{ramp_unmet(0.25), "peu"},
                {ramp_unmet(0.6), ""},
                {ramp_unmet(1.0), fmt::format("{:.1f} familles", max_unmet)}},
               "Demande prioritaire non couverte (carreaux 200 m)");
  return unmet.str();
}

/// The maps.
std::string maps_section(report_input const& in) {
  std::string h;
  h += "<section><h2>Cartes</h2><div class=\"maps\"><div>" + coverage_map_with_facilities(in) +
       "<p class=\"note\">Contours noirs : QPV. Points bleus : structures labellisées AVIP ; orange : sites "
       "Baby Bus ; blancs : autres EAJE.</p></div><div>" +
       unmet_map(in) + "</div></div></section>";
  return h;
}

/// Coverage per group of families, with intervals.
std::string group_coverage_section(report_input const& in) {
  auto const& [t, w, p, r, meta] = in;
  std::string h;
  h += "<section><h2>Couverture par groupe</h2>" +
       bar_chart({{"Ensemble", r.island.coverage.mean(), r.island.coverage.lo(), r.island.coverage.hi()},
                  {"Public prioritaire", r.island.priority_coverage.mean(), r.island.priority_coverage.lo(),
                   r.island.priority_coverage.hi()},
                  {"Résidents QPV", r.qpv.coverage.mean(), r.qpv.coverage.lo(), r.qpv.coverage.hi()},
                  {"Hors QPV", r.non_qpv.coverage.mean(), r.non_qpv.coverage.lo(), r.non_qpv.coverage.hi()},
                  {"Familles monoparentales", r.single_parent.coverage.mean(), r.single_parent.coverage.lo(),
                   r.single_parent.coverage.hi()},
                  {"Autres familles", r.other_parent.coverage.mean(), r.other_parent.coverage.lo(),
                   r.other_parent.coverage.hi()}},
                 "Part des familles orientées ayant obtenu une place compatible") +
       "</section>";
  return h;
}

/// Unmet demand by reason.
std::string unmet_reasons_section(report_input const& in) {
  auto const& [t, w, p, r, meta] = in;
  std::string h;
  h +=
      "<section><h2>Demande non couverte, par raison</h2>" +
      count_chart({{"Rien d'accessible (modes, tolérance)", &r.island.unmet_unreachable, "#8c510a"},
                   {"Horaires incompatibles", &r.island.unmet_hours, "#d8b365"},
                   {"Aucune structure autorisée (remède : un label)", &r.island.unmet_not_allowed, "#c51b7d"},
                   {"Places complètes", &r.island.unmet_full, "#b2182b"},
                   {"En attente en fin d'année (ni couvertes ni non)", &r.island.censored, "#999999"}},
                  "Familles orientées sans place compatible dans l'année (moyenne et intervalle à 90 %)") +
      fmt::format(
          "<p class=\"note\">Sur {} familles orientées dans l'année, {} ont obtenu une place ({} enfants "
          "accueillis) ; {} d'entre elles sont en accueil partiel en Baby Bus, dont les sessions ne couvrent "
          "qu'une partie de leurs heures. <b>Aucune structure autorisée</b> : des structures compatibles "
          "existent (accessibles, ouvertes aux bonnes heures, adaptées à l'âge de l'enfant) mais aucune "
          "n'est autorisée à accueillir un enfant AVIP (EAJE non labellisées de moins de 20 places, "
          "assistants maternels hors réseau labellisé) : le remède est un label, pas des places. <b>En "
          "attente</b> : familles encore dans leur délai d'attente au 31 décembre, comptées ni comme "
          "couvertes ni comme non couvertes.</p></section>",
          num(r.island.referred.mean(), 1), num(r.island.matched.mean(), 1),
          num(r.island.children_placed.mean(), 1), num(r.island.matched_partial.mean(), 1));
  return h;
}

/// Equity: QPV and single-parent gaps, Gini of the communes, Palma ratio by income.
std::string equity_section(report_input const& in) {
  auto const& [t, w, p, r, meta] = in;
  std::string h;
  std::string palma;
  if (r.equity.palma_income.values.empty()) {
    palma =
        "<b>non défini</b> (aucune couverture parmi les communes les plus pauvres, dans toutes les "
        "réplications)";
  } else {
    palma = fmt::format("<b>{}</b> (intervalle à 90 % : {}–{})", num(r.equity.palma_income.mean(), 2),
                        num(r.equity.palma_income.lo(), 2), num(r.equity.palma_income.hi(), 2));
    if (r.equity.palma_undefined > 0) {
      palma += fmt::format(", non défini dans {} réplication{} sur {}, laissées de côté",
                           r.equity.palma_undefined, r.equity.palma_undefined > 1 ? "s" : "", r.replications);
    }
  }
  h += fmt::format(
      "<section><h2>Équité</h2><p>Écart de couverture QPV − hors QPV : <b>{}</b> ; familles monoparentales − "
      "autres familles : <b>{}</b>.</p><p><b>Gini des communes</b> : {} (intervalle à 90 % : {}–{}). Il "
      "mesure l'inégalité de la couverture entre communes, chaque commune pesant ses enfants de moins de 3 "
      "ans : 0 si toutes les communes ont la même couverture, 1 si elle est concentrée dans une "
      "seule.</p><p><b>Ratio de Palma par revenu</b> : {}. Les communes sont classées par taux de pauvreté "
      "(Filosofi) ; le ratio divise la couverture des enfants des 10 % les moins pauvres par celle des "
      "enfants des 40 % les plus pauvres : 1 si elle est égale, au-dessus de 1 au détriment des plus "
      "pauvres, au-dessous de 1 en leur faveur.</p></section>",
      points_or_dash(r.equity.qpv_gap), points_or_dash(r.equity.single_parent_gap),
      mean_or_dash(r.equity.gini_communes, 3),
      r.equity.gini_communes.values.empty() ? std::string{"—"} : num(r.equity.gini_communes.lo(), 3),
      r.equity.gini_communes.values.empty() ? std::string{"—"} : num(r.equity.gini_communes.hi(), 3), palma);
  return h;
}

/// The table per commune.
std::string communes_section(report_input const& in) {
  auto const& [t, w, p, r, meta] = in;
  std::string h;
  h +=
      "<section><h2>Par commune</h2><div "
      "class=\"scroll\"><table><tr><th>Code</th><th>Commune</th><th>Orientées</th><th>Couverture</th>"
      "<th>Int. 90 "
      "%</th><th>Prioritaires</th><th>Inaccessible</th><th>Horaires</th><th>Non autorisé</th><th>Complet</th>"
      "<th>Places</th><th>Taux de couverture</th></tr>";
  for (std::size_t i = 0; i < w.communes.size(); ++i) {
    auto const c = sim::commune_idx::from(i);
    auto const& d = r.communes[c].demand;
    h += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}–{}</td><td>{}</td><td>{}</td><td>{}</"
        "td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        w.communes.code[c], html_escape(w.communes.name[c]), num(d.referred.mean(), 1),
        pct(d.coverage.mean()), pct(d.coverage.lo()), pct(d.coverage.hi()), pct(d.priority_coverage.mean()),
        num(d.unmet_unreachable.mean(), 1), num(d.unmet_hours.mean(), 1), num(d.unmet_not_allowed.mean(), 1),
        num(d.unmet_full.mean(), 1), num(r.communes[c].places), num(r.communes[c].taux_couverture, 1));
  }
  h += "</table></div></section>";
  return h;
}

/// The labelled structures, and the labelled networks and managers.
std::string labelled_section(report_input const& in) {
  auto const& [t, w, p, r, meta] = in;
  std::string h;
  h += fmt::format(
      "<section><h2>Structures labellisées AVIP : objectif de {} d'enfants AVIP par place</h2><div "
      "class=\"scroll\"><table>"
      "<tr><th>Id</th><th>Structure</th><th>Places</th><th>Places labellisées</th><th>Enfants AVIP</th>"
      "<th>Part</th><th>Int. 90 %</th><th>Probabilité d'atteindre l'objectif</th></tr>",
      pct(p.avip_target_share));
  for (std::size_t i = 0; i < w.facilities.size(); ++i) {
    auto const k = sim::facility_idx::from(i);
    if (w.facilities.avip[k] == 0) {
      continue;
    }
    auto const& fi = r.facilities[k];
    bool const has_target = !fi.target_met.values.empty();
    double const prob = fi.target_met.mean();
    h += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}–{}</td><td "
        "class=\"{}\">{}</td></tr>",
        html_escape(w.facilities.id[k]), html_escape(w.facilities.name[k]), w.facilities.places[k],
        sim::labelled_places(w, p, k), num(fi.avip_children.mean(), 1), pct(fi.avip_share.mean()),
        pct(fi.avip_share.lo()), pct(fi.avip_share.hi()),
        !has_target ? "" : (prob >= 0.8 ? "ok" : (prob < 0.5 ? "ko" : "")),
        has_target ? pct(prob) : std::string{"cible par membre (réseau)"});
  }
  h += "</table></div>";
  if (!r.networks.empty()) {
    h += "<h2 style=\"margin-top:14px\">Réseaux et gestionnaires "
         "labellisés</h2><table><tr><th>Réseau</th><th>Type</th><th>Membres</th><th>Places</th><th>Enfants "
         "AVIP</th><th>Ratio</th><th>Membres ayant accueilli un enfant AVIP</th><th>Probabilité d'atteindre "
         "l'objectif</th></tr>";
    for (auto const& n : r.networks) {
      h += fmt::format(
          "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
          html_escape(n.id),
          n.assmat_network ? "assistants maternels (≥ 1 par membre, chacun)" : "EAJE (≥ 20 % des places)",
          n.members, n.places, num(n.avip_children.mean(), 1),
          n.assmat_network ? num(n.ratio.mean(), 2) : pct(n.ratio.mean()),
          n.members_met_share.values.empty() ? std::string{"—"} : pct(n.members_met_share.mean()),
          pct(n.target_met.mean()));
    }
    h += "</table>";
  }
  h += "</section>";
  return h;
}

/// The yearly cost with the CAF's parameters.
std::string cost_section(report_input const& in) {
  auto const& [t, w, p, r, meta] = in;
  std::string h;
  h += fmt::format(
      "<section><h2>Coût annuel (paramètres CAF)</h2><table><tr><th>Poste</th><th></th><th>Montant</th></tr>"
      "<tr><td>Label AVIP</td><td>{} places labellisées en première année × {} + {} les années suivantes × "
      "{}</td><td>{}</td></tr>"
      "<tr><td>Référents et coordinateurs AVIP (0,1 ETP par 5 places labellisées, 50 "
      "%)</td><td></td><td>{}</td></tr>"
      "<tr><td>Baby Bus</td><td>{} bus × "
      "{}</td><td>{}</td></tr><tr><th>Total</th><th></th><th>{}</th></tr></table></section>",
      num(r.cost.labelled_places_first_year), euros(p.label_funding_first_year),
      num(r.cost.labelled_places - r.cost.labelled_places_first_year), euros(p.label_funding_later_years),
      euros(r.cost.label_funding), euros(r.cost.coordinator_funding), r.cost.baby_buses,
      euros(p.baby_bus_yearly_cost), euros(r.cost.baby_bus), euros(r.cost.total));
  return h;
}

/// The year bound, when it was computed.
std::string year_bound_section(report_input const& in) {
  auto const& [t, w, p, r, meta] = in;
  std::string h;
  h += fmt::format(
      "<section><h2>Borne annuelle</h2><p>Valeur pondérée (public prioritaire × {}) des familles placées "
      "par la "
      "politique : {:.1f} ; la meilleure possible sur l'année avec les mêmes orientations et durées "
      "(relaxation "
      "linéaire, borne supérieure) : {:.1f}.</p></section>",
      p.priority_weight, r.policy_value.mean(), r.bound_value.mean());
  return h;
}

/// Assumptions and data: provenance, transit days, roads, synthetic layers, the resolved scenario.
std::string assumptions_section(report_input const& in) {
  auto const& [t, w, p, r, meta] = in;
  std::string h;
  std::string synthetic;
  for (auto const& l : t.synthetic_layers) {
    synthetic += (synthetic.empty() ? "" : ", ") + l;
  }
  h += "<section><h2>Hypothèses et données</h2><p class=\"note\">" + html_escape(t.provenance) + "</p>";
  if (!meta.transit.feeds.empty()) {
    bool const expired = !meta.transit.warnings.empty();
    h += std::string{"<p class=\""} + (expired ? "ko" : "note") + "\">" + html_escape(meta.transit.line()) +
         (expired ? " — horaires expirés : les temps de bus décrivent un service qui ne roule plus." : "") +
         "</p>";
  }
  if (w.roads.empty()) {
    h += "<p class=\"ko\">temps en voiture et à pied : lignes droites × facteur de détour (pas de réseau "
         "routier)</p>";
  }
  if (!synthetic.empty()) {
    h += "<p class=\"ko\">Couches synthétiques (à remplacer par les fichiers réels de la CAF) : " +
         html_escape(synthetic) + "</p>";
  }
  h += "<p class=\"note\">Scénario résolu :</p><pre "
       "style=\"font-size:12px;max-height:300px;overflow:auto;background:#f4f6f8;padding:8px\">" +
       html_escape(meta.scenario_json) + "</pre></section>";
  return h;
}

}  // namespace

std::string report_style() {
  return kStyle;
}

std::string run_report(territory::territory const& t, sim::world const& w, sim::params const& p,
                       sim::run_results const& r, run_metadata const& meta,
                       std::vector<validation_row> const& validation) {
  report_input const in{t, w, p, r, meta};
  std::string h = report_head(in);
  h += key_figures_section(in);
  h += maps_section(in);
  h += group_coverage_section(in);
  h += unmet_reasons_section(in);
  h += equity_section(in);
  h += communes_section(in);
  h += labelled_section(in);
  h += cost_section(in);
  if (!validation.empty()) {
    h += validation_html(validation, r.validation, p.avip_target_share);
  }
  if (!r.bound_value.values.empty()) {
    h += year_bound_section(in);
  }
  h += assumptions_section(in);
  h += "<script>document.body.setAttribute('data-rendered', "
       "document.querySelectorAll('svg').length);</script></main></body></html>\n";
  return h;
}

std::string comparison_report(territory::territory const& t, std::vector<compared_scenario> const& scenarios,
                              sim::comparison const& c) {
  auto const& w = *scenarios.front().world;
  std::string h =
      std::string{
          "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>avipsim — "
          "comparaison</title>"} +
      kStyle + "</head><body>";
  h += fmt::format(
      "<header><h1>avipsim — comparaison de {} scénarios</h1><p>{} · référence : {} · nombres aléatoires "
      "communs, {} réplications</p></header><main>",
      c.names.size(), html_escape(t.name), html_escape(c.names.front()), c.results.front()->replications);
  std::vector<std::tuple<std::string, double, double, double>> bars;
  std::vector<std::tuple<std::string, double, double, double>> bars_all;
  for (std::size_t s = 0; s < c.names.size(); ++s) {
    auto const& r = *c.results[s];
    bars.emplace_back(c.names[s], r.island.priority_coverage.mean(), r.island.priority_coverage.lo(),
                      r.island.priority_coverage.hi());
    bars_all.emplace_back(c.names[s], r.island.coverage.mean(), r.island.coverage.lo(),
                          r.island.coverage.hi());
  }
  h += "<section><h2>Couverture par scénario</h2>" + bar_chart(bars, "Couverture du public prioritaire") +
       bar_chart(bars_all, "Couverture de l'ensemble des familles orientées") + "</section>";
  h += "<section><h2>Écarts à la référence (intervalle à 90 % des écarts "
       "appariés)</h2><table><tr><th>Scénario</th><th></th>"
       "<th>Δ familles prioritaires accueillies</th><th>Int. 90 %</th><th>Δ couverture prioritaire</th><th>Δ "
       "coût annuel</th><th>Coût par famille prioritaire en plus</th></tr>";
  for (auto const& d : c.deltas) {
    h += fmt::format(
        "<tr><td>{}</td><td></td><td>{:+.1f}</td><td>{:+.1f} à {:+.1f}</td><td>{:+.1f} "
        "pts</td><td>{}</td><td>{}</td></tr>",
        html_escape(d.name), d.island.priority_matched.mean(), d.island.priority_matched.lo(),
        d.island.priority_matched.hi(), 100 * d.island.priority_coverage.mean(), euros(d.cost_delta),
        euros(d.cost_per_additional_priority_family));
  }
  h += "</table></section><section><h2>Écart de couverture par commune</h2><div class=\"maps\">";
  for (std::size_t s = 1; s < c.deltas.size(); ++s) {
    std::vector<double> v(w.communes.size());
    for (std::size_t i = 0; i < w.communes.size(); ++i) {
      v[i] = c.deltas[s].communes[sim::commune_idx::from(i)].coverage.mean();
    }
    h += "<div><p><b>" + html_escape(c.deltas[s].name) + "</b> − " + html_escape(c.names.front()) + "</p>" +
         coverage_map(t, w, v, true, "Δ couverture") + "</div>";
  }
  if (c.deltas.size() == 1) {
    std::vector<double> v(w.communes.size(), 0.0);
    h += "<div>" + coverage_map(t, w, v, true, "Δ couverture") + "</div>";
  }
  h += "</div></section><script>document.body.setAttribute('data-rendered', "
       "document.querySelectorAll('svg').length);</script></main></body></html>\n";
  return h;
}

}  // namespace avip::viz
