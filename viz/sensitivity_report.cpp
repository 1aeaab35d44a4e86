#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "viz/report.hpp"
#include "viz/sensitivity_outputs.hpp"
#include "viz/svg_map.hpp"

namespace avip::viz {

namespace {

/// One bar of a tornado chart: the parameter, its main value (μ* or ST), an inner value (σ or S1) and
/// the interval of the main value (Sobol' only).
struct tornado_bar {
  std::string label;
  double value{0.0}, inner{0.0}, lo{0.0}, hi{0.0};
};

std::string tornado(std::vector<tornado_bar> bars, std::string const& title, std::string const& legend) {
  std::sort(bars.begin(), bars.end(), [](auto const& a, auto const& b) { return a.value > b.value; });
  int const row = 26, left = 250, width = 760, plot = width - left - 90;
  int const height = row * static_cast<int>(bars.size()) + 58;
  double top = 0;
  for (auto const& b : bars) {
    top = std::max({top, std::abs(b.value), std::abs(b.hi), std::abs(b.inner)});
  }
  top = top > 0 ? top : 1.0;
  auto x = [&](double v) { return left + plot * std::clamp(std::abs(v) / top, 0.0, 1.0); };
  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {0} {1}\" width=\"100%\" "
      "style=\"max-width:{0}px\"><text x=\"4\" y=\"16\" font-weight=\"bold\">{2}</text>"
      "<text x=\"4\" y=\"{3}\" font-size=\"11\" fill=\"#555\">{4}</text>",
      width, height, html_escape(title), height - 4, html_escape(legend));
  for (std::size_t i = 0; i < bars.size(); ++i) {
    auto const& b = bars[i];
    int const y = 26 + row * static_cast<int>(i);
    s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", left - 8, y + 14,
                     html_escape(b.label));
    s += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"18\" fill=\"#3b82b6\"><title>{}: "
        "{:.4g}</title></rect>",
        left, y, x(b.value) - left, html_escape(b.label), b.value);
    s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"8\" fill=\"#f59e0b\"/>", left, y + 5,
                     x(b.inner) - left);
    if (b.hi > b.lo) {
      s += fmt::format(
          "<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{}\" y2=\"{}\" stroke=\"#111\" stroke-width=\"1.5\"/>",
          x(b.lo), x(b.hi), y + 9, y + 9);
    }
    s += fmt::format("<text x=\"{:.1f}\" y=\"{}\">{:.3g}</text>", std::max(x(b.value), x(b.hi)) + 6, y + 14,
                     b.value);
  }
  return s + "</svg>";
}

std::vector<tornado_bar> bars_of(sensitivity::analysis const& a,
                                 std::vector<sensitivity::morris_index> const& m,
                                 std::vector<sensitivity::sobol_index> const& x) {
  std::vector<tornado_bar> bars;
  for (std::size_t j = 0; j < a.parameters.size(); ++j) {
    if (a.method == sensitivity::method::morris && j < m.size()) {
      bars.push_back({a.parameters[j].name, m[j].mu_star, m[j].sigma, 0, 0});
    } else if (j < x.size()) {
      bars.push_back({a.parameters[j].name, x[j].st, x[j].s1, x[j].st_low, x[j].st_high});
    }
  }
  return bars;
}

std::string legend(sensitivity::analysis const& a) {
  return a.method == sensitivity::method::morris
             ? "bleu : μ* (effet moyen absolu sur toute la plage du paramètre) ; orange : σ (interactions, "
               "non-linéarité)"
             : "bleu : indice total ST (trait : intervalle à 90 %) ; orange : indice de premier ordre S1";
}

std::string ranking_section(sensitivity::analysis const& a) {
  auto const& ind = a.indicators.front();
  std::string h = fmt::format(
      "<section><h2>Le classement tient-il ?</h2><p>Classement par « {} », à chaque point de l'échantillon "
      "(mêmes nombres aléatoires pour tous les scénarios). La moyenne et l'intervalle à 90 % incluent "
      "l'incertitude des paramètres et celle du tirage.</p><table><tr><th>scénario</th><th>P(fait mieux "
      "que la référence)</th>",
      html_escape(ind.label));
  for (std::size_t r = 0; r < a.scenario_names.size(); ++r) {
    h += fmt::format("<th>P(rang {})</th>", r + 1);
  }
  h += fmt::format("<th>{} (90 %)</th></tr>", html_escape(ind.label));
  for (std::size_t s = 0; s < a.scenario_names.size(); ++s) {
    h += fmt::format("<tr><td>{}{}</td><td>{}</td>", html_escape(a.scenario_names[s]),
                     s == 0 ? " (référence)" : "",
                     s == 0 ? "—" : fmt::format("{:.0f} %", 100 * a.p_beats_reference[s]));
    for (double p : a.p_rank[s]) {
      h += fmt::format("<td>{:.0f} %</td>", 100 * p);
    }
    auto const& pi = a.pooled[s][0];
    h += fmt::format("<td>{:.1f} ({:.1f}–{:.1f})</td></tr>", pi.mean, pi.lo, pi.hi);
  }
  return h + "</table></section>";
}

std::string difference_section(sensitivity::analysis const& a) {
  if (a.scenario_names.size() < 2) {
    return {};
  }
  std::string h = fmt::format(
      "<section><h2>Quel paramètre mesurer d'abord ?</h2><p>Sensibilité de l'écart « {} » entre chaque "
      "scénario et la référence : le paramètre en tête est celui dont la valeur décide le plus du "
      "classement.</p>",
      html_escape(a.indicators.front().label));
  for (std::size_t s = 1; s < a.scenario_names.size(); ++s) {
    h += tornado(bars_of(a, a.difference_morris[s], a.difference_sobol[s]),
                 fmt::format("{} − {}", a.scenario_names[s], a.scenario_names[0]), legend(a));
  }
  return h + "</section>";
}

std::string indicators_section(sensitivity::analysis const& a) {
  std::string h =
      fmt::format("<section><h2>Indicateurs de la référence ({})</h2>", html_escape(a.scenario_names[0]));
  for (std::size_t i = 0; i < a.indicators.size(); ++i) {
    auto const& pi = a.pooled[0][i];
    h += tornado(bars_of(a, a.morris_indices[0][i], a.sobol_indices[0][i]),
                 fmt::format("{} — moyenne {:.3g} (90 % : {:.3g} à {:.3g})", a.indicators[i].label, pi.mean,
                             pi.lo, pi.hi),
                 legend(a));
  }
  return h + "</section>";
}

std::string parameters_section(sensitivity::analysis const& a) {
  std::string h =
      "<section><h2>Paramètres incertains</h2><table><tr><th>paramètre</th><th>distribution</th>"
      "<th>justification</th></tr>";
  for (auto const& q : a.parameters) {
    h += fmt::format("<tr><td>{}</td><td>{}</td><td style=\"text-align:left\">{}</td></tr>",
                     html_escape(q.name), html_escape(q.describe()), html_escape(q.justification));
  }
  return h + "</table></section>";
}

}  // namespace

std::string sensitivity_report(sensitivity::analysis const& a) {
  bool const morris = a.method == sensitivity::method::morris;
  std::string h =
      "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>avipsim — analyse de "
      "sensibilité</title>" +
      report_style() + "</head><body>";
  h += fmt::format(
      "<header><h1>Analyse de sensibilité</h1><p>{} — {} : {} points × {} scénarios × {} réplications, "
      "graine {}, {:.0f} s ({} processus MPI)</p></header><main>",
      html_escape(a.description),
      morris ? fmt::format("Morris, {} trajectoires", a.morris.trajectories)
             : fmt::format("Sobol' (Saltelli 2010, Jansen), N = {}", a.sobol.base),
      a.sample().points(), a.scenario_names.size(), a.replications, a.seed, a.seconds, a.ranks);
  h += ranking_section(a) + difference_section(a) + indicators_section(a) + parameters_section(a);
  return h +
         "<script>document.body.setAttribute('data-rendered', "
         "document.querySelectorAll('svg').length);</script></main></body></html>\n";
}

}  // namespace avip::viz
