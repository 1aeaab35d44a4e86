#include "viz/validation.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "core/error.hpp"
#include "viz/csv_table.hpp"
#include "viz/json_io.hpp"

namespace avip::viz {

namespace fs = std::filesystem;

namespace {

struct indicator {
  char const* key;
  char const* label;
  sim::samples sim::validation_indicators::*field;
  bool share;  ///< a share (shown in %) rather than a count
  bool fitted;
};

/// Every figure the model can put beside an observation, with its French label. The figures the model
/// was fitted to (sim/calibration.hpp) are flagged: they reproduce an input and test nothing.
constexpr indicator kIndicators[] = {
    {"parents", "Parents accueillis sous AVIP", &sim::validation_indicators::parents, false, true},
    {"children", "Enfants accueillis", &sim::validation_indicators::children, false, false},
    {"single_parents", "dont familles monoparentales", &sim::validation_indicators::single_parents, false,
     false},
    {"parents_under_26", "dont parents de moins de 26 ans", &sim::validation_indicators::parents_under_26,
     false, false},
    {"parents_qpv", "dont habitant un QPV", &sim::validation_indicators::parents_qpv, false, false},
    {"children_under_12_months", "Enfants de moins de 12 mois à l'entrée",
     &sim::validation_indicators::children_under_12_months, false, false},
    {"children_12_35_months", "Enfants de 12 à 35 mois à l'entrée",
     &sim::validation_indicators::children_12_35_months, false, false},
    {"share_france_travail", "Orientations par France Travail",
     &sim::validation_indicators::share_france_travail, true, false},
    {"share_caf", "Orientations par la CAF", &sim::validation_indicators::share_caf, true, false},
    {"exits", "Sorties dans l'année", &sim::validation_indicators::exits, false, false},
    {"exit_share_seeking", "Sorties : toujours en recherche d'emploi",
     &sim::validation_indicators::exit_share_seeking, true, true},
    {"exit_share_permanent_job", "Sorties : en CDI", &sim::validation_indicators::exit_share_permanent_job,
     true, false},
    {"exit_share_school", "Sorties : entrée à l'école", &sim::validation_indicators::exit_share_school, true,
     false},
    {"exits_unplanned", "Sorties imprévues", &sim::validation_indicators::exits_unplanned, false, false},
    {"referrals", "Orientations AVIP dans l'année (île)", &sim::validation_indicators::referrals, false,
     false},
};

indicator const* find_indicator(std::string const& key) {
  for (auto const& i : kIndicators) {
    if (key == i.key) {
      return &i;
    }
  }
  return nullptr;
}

/// Splits one CSV line (RFC 4180 quotes).
std::vector<std::string> split_csv(std::string const& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char const c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else if (c != '\r') {
      out.back() += c;
    }
  }
  return out;
}

/// A share in whole percent; a count with one decimal, none when it is whole (observed figures, bounds).
std::string shown(double v, bool share) {
  if (share) {
    return fmt::format("{:.0f} %", 100 * v);
  }
  return std::abs(v - std::round(v)) < 1e-9 ? fmt::format("{:.0f}", v) : fmt::format("{:.1f}", v);
}

std::string esc(std::string const& s) {
  std::string o;
  for (char c : s) {
    o += c == '<'   ? std::string{"&lt;"}
         : c == '>' ? std::string{"&gt;"}
         : c == '&' ? std::string{"&amp;"}
                    : std::string{c};
  }
  return o;
}

}  // namespace

std::vector<observed_figure> read_observed(fs::path const& file) {
  std::ifstream in{file, std::ios::binary};
  if (!in) {
    throw data_error{fmt::format("{}: cannot read the observed figures", file.string())};
  }
  std::vector<observed_figure> out;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (n == 1) {
      auto const h = split_csv(line);
      if (h.size() < 2 || h[0].find("indicateur") == std::string::npos) {
        throw data_error{
            fmt::format("{}:1: expected the header indicateur,observe,source,note", file.string())};
      }
      continue;
    }
    if (line.find_first_not_of(" \t\r") == std::string::npos) {
      continue;
    }
    auto const cells = split_csv(line);
    if (find_indicator(cells[0]) == nullptr) {
      std::string known;
      for (auto const& i : kIndicators) {
        known += (known.empty() ? "" : ", ") + std::string{i.key};
      }
      throw data_error{
          fmt::format("{}:{}: unknown indicator '{}' (known: {})", file.string(), n, cells[0], known)};
    }
    observed_figure f;
    f.key = cells[0];
    std::size_t used = 0;
    try {
      f.value = cells.size() > 1 ? std::stod(cells[1], &used) : 0.0;
    } catch (std::exception const&) {
      used = 0;
    }
    if (cells.size() < 2 || used == 0 || used != cells[1].size() || !std::isfinite(f.value)) {
      throw data_error{fmt::format("{}:{}: the observed value of '{}' is not a number: '{}'", file.string(),
                                   n, f.key, cells.size() > 1 ? cells[1] : std::string{})};
    }
    f.source = cells.size() > 2 ? cells[2] : "";
    f.note = cells.size() > 3 ? cells[3] : "";
    out.push_back(std::move(f));
  }
  return out;
}

std::optional<fs::path> default_observed(territory::territory const& t) {
  auto const f = (t.manifest.parent_path() / "observed" / "avip_2023.csv").lexically_normal();
  std::error_code ec;
  if (fs::is_regular_file(f, ec)) {
    return f;
  }
  return std::nullopt;
}

std::vector<validation_row> validation_table(sim::validation_indicators const& v,
                                             std::vector<observed_figure> const& observed) {
  std::vector<validation_row> rows;
  for (auto const& o : observed) {
    auto const* i = find_indicator(o.key);
    if (i == nullptr) {
      continue;
    }
    auto const& s = v.*(i->field);
    validation_row r;
    r.key = o.key;
    r.label = i->label;
    r.observed = o.value;
    r.simulated = !s.values.empty();
    r.mean = s.mean();
    r.lo = s.lo();
    r.hi = s.hi();
    r.inside = r.simulated && o.value >= r.lo - 1e-9 && o.value <= r.hi + 1e-9;
    r.fitted = i->fitted;
    r.share = i->share;
    r.note = o.note;
    rows.push_back(std::move(r));
  }
  return rows;
}

std::string validation_verdict(std::vector<validation_row> const& rows) {
  int tested = 0;
  int inside = 0;
  for (auto const& r : rows) {
    if (!r.fitted) {
      ++tested;
      inside += r.inside ? 1 : 0;
    }
  }
  auto const fitted = static_cast<int>(rows.size()) - tested;
  return fmt::format(
      "{} des {} chiffres observés dans leur intervalle à 90 % ({} chiffre{} ajusté{} mis à part)", inside,
      tested, fitted, fitted > 1 ? "s" : "", fitted > 1 ? "s" : "");
}

std::string validation_text(std::vector<validation_row> const& rows, int evaluated_structures) {
  std::string s = fmt::format(
      "Validation : le modèle face à l'évaluation 2023 ({} structures tirées au hasard parmi les EAJE "
      "labellisées à chaque réplication)\n",
      evaluated_structures);
  s += fmt::format("{:<44} {:>9} {:>9} {:>21}  {}\n", "indicateur", "observé", "simulé", "intervalle 90 %",
                   "verdict");
  for (auto const& r : rows) {
    std::string const verdict =
        r.fitted ? "ajusté" : (!r.simulated ? "non simulé" : (r.inside ? "dans" : "HORS"));
    s += fmt::format("{:<44} {:>9} {:>9} {:>21}  {}\n", r.label, shown(r.observed, r.share),
                     r.simulated ? shown(r.mean, r.share) : "—",
                     r.simulated ? shown(r.lo, r.share) + " – " + shown(r.hi, r.share) : "—", verdict);
  }
  s += validation_verdict(rows) + "\n";
  return s;
}

void write_validation_csv(fs::path const& file, std::vector<validation_row> const& rows) {
  std::vector<std::vector<std::string>> cells;
  for (auto const& r : rows) {
    auto num = [&](double v) { return r.simulated ? fmt::format("{:.6g}", v) : std::string{}; };
    cells.push_back({r.key, r.label, fmt::format("{:.6g}", r.observed), num(r.mean), num(r.lo), num(r.hi),
                     r.simulated ? (r.inside ? "oui" : "non") : "", r.fitted ? "oui" : "non"});
  }
  write_csv(file,
            {"indicateur", "libellé", "observé", "simulé", "bas", "haut", "dans l'intervalle", "ajusté"},
            cells);
}

std::string validation_html(std::vector<validation_row> const& rows, sim::validation_indicators const& v,
                            double target_share) {
  std::string h = "<section><h2>Validation : le modèle face à l'évaluation 2023</h2>";
  h += fmt::format(
      "<p>Chiffres de l'évaluation AVIP 2023 de La Réunion (16 structures sur 26 ont répondu : 19 "
      "labellisées et 7 expérimentations) à côté de ceux du modèle. À chaque réplication, {} EAJE "
      "labellisées sont tirées au hasard et l'on compte les familles AVIP qu'elles ont accueillies dans "
      "l'année. La barre est l'intervalle à 90 % des réplications, le point le chiffre observé (vert : dans "
      "l'intervalle, rouge : hors) ; comptes et parts n'ayant pas la même unité, chaque ligne du graphique a "
      "sa propre échelle, de 0 au plus grand des deux chiffres. Les chiffres marqués <em>ajusté</em> ont "
      "servi à ajuster le modèle (connaissance du dispositif, retour à l'emploi) : ils ne le testent pas. "
      "<strong>{}</strong>.</p>",
      v.evaluated_structures, esc(validation_verdict(rows)));
  h += "<table><tr><th>Indicateur</th><th>Note</th><th>Observé</th><th>Simulé</th><th>Intervalle 90 %</th>"
       "<th>Verdict</th></tr>";
  for (auto const& r : rows) {
    std::string const verdict = r.fitted       ? "ajusté"
                                : !r.simulated ? "non simulé"
                                : r.inside     ? "<span class=\"ok\">dans l'intervalle</span>"
                                               : "<span class=\"ko\">hors de l'intervalle</span>";
    h += fmt::format(
        "<tr><td>{}</td><td class=\"note\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        esc(r.label), esc(r.note), shown(r.observed, r.share), r.simulated ? shown(r.mean, r.share) : "—",
        r.simulated ? shown(r.lo, r.share) + " – " + shown(r.hi, r.share) : "—", verdict);
  }
  h += "</table>";
  // Dot-and-interval chart. Counts and shares differ in unit, so each row has its own scale, from 0 to
  // the largest of the observed figure and the high bound; the figures are written at the right.
  int const row_h = 28;
  int const width = 900;
  int const left = 300;
  int const right = 230;
  int const plot = width - left - right;
  int const height = row_h * static_cast<int>(rows.size()) + 34;
  h += fmt::format(
      "<h3>Chiffre observé et intervalle simulé</h3><svg xmlns=\"http://www.w3.org/2000/svg\" "
      "class=\"chart\" "
      "viewBox=\"0 0 {0} {1}\" width=\"100%\" style=\"max-width:{0}px\" role=\"img\" "
      "aria-label=\"Chiffres observés et intervalles simulés\">",
      width, height);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    auto const& r = rows[i];
    double const top = std::max({r.observed, r.simulated ? r.hi : 0.0, 1e-9}) * 1.1;
    auto x = [&](double val) { return left + plot * std::clamp(val / top, 0.0, 1.0); };
    int const y = 16 + row_h * static_cast<int>(i);
    h += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", left - 10, y + 4, esc(r.label));
    h += fmt::format(
        "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\" stroke=\"#dde\"/>"
        "<line x1=\"{0}\" x2=\"{0}\" y1=\"{3}\" y2=\"{4}\" stroke=\"#99a\"/>",
        left, left + plot, y, y - 6, y + 6);
    if (r.simulated) {
      h += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"12\" rx=\"3\" fill=\"{}\" "
          "opacity=\".55\"><title>simulé {} ({} – {})</title></rect>"
          "<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{}\" y2=\"{}\" stroke=\"#1d2733\" stroke-width=\"2\"/>",
          x(r.lo), y - 6, std::max(2.0, x(r.hi) - x(r.lo)), r.fitted ? "#aaa" : "#4575b4",
          shown(r.mean, r.share), shown(r.lo, r.share), shown(r.hi, r.share), x(r.mean), x(r.mean), y - 8,
          y + 8);
    }
    char const* colour = r.fitted ? "#777" : (r.inside ? "#1a9850" : "#d73027");
    h += fmt::format(
        "<circle cx=\"{:.1f}\" cy=\"{}\" r=\"6\" fill=\"{}\" stroke=\"#fff\" stroke-width=\"1.5\">"
        "<title>observé {}</title></circle>",
        x(r.observed), y, colour, shown(r.observed, r.share));
    h += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"{}\">observé {} · simulé {}</text>", left + plot + 12,
                     y + 4, colour, shown(r.observed, r.share),
                     r.simulated ? shown(r.lo, r.share) + " – " + shown(r.hi, r.share) : std::string{"—"});
  }
  int const ly = height - 10;
  h += fmt::format(
      "<circle cx=\"{0}\" cy=\"{1}\" r=\"5\" fill=\"#1a9850\"/><text x=\"{2}\" y=\"{3}\">observé, dans "
      "l'intervalle</text><circle cx=\"{4}\" cy=\"{1}\" r=\"5\" fill=\"#d73027\"/><text x=\"{5}\" "
      "y=\"{3}\">observé, hors de l'intervalle</text><rect x=\"{6}\" y=\"{7}\" width=\"24\" height=\"10\" "
      "fill=\"#4575b4\" opacity=\".55\"/><text x=\"{8}\" y=\"{3}\">intervalle simulé à 90 % (trait : "
      "moyenne ; gris : chiffre ajusté)</text></svg>",
      40, ly - 4, 50, ly, 240, 250, 450, ly - 9, 480);
  // Histogram of the labelled structures' AVIP shares, with the 20 % target.
  if (!v.labelled_shares.empty()) {
    int const bins = 20;  // 0 to 40 %, 2 points each; the last bin holds everything above
    std::vector<int> count(bins, 0);
    int met = 0;
    for (double sh : v.labelled_shares) {
      count[static_cast<std::size_t>(std::clamp(static_cast<int>(sh / 0.02), 0, bins - 1))] += 1;
      met += sh >= target_share - 1e-12 ? 1 : 0;
    }
    sim::samples all;
    all.values = v.labelled_shares;
    double const total = static_cast<double>(v.labelled_shares.size());
    int const peak = std::max(1, *std::max_element(count.begin(), count.end()));
    // Vertical axis: share of the structures, on a round scale (1, 2 or 5 × 10^k per tick).
    double const raw = peak / total / 4;
    double const mag = std::pow(10.0, std::floor(std::log10(raw)));
    double const step = raw / mag <= 1 ? mag : raw / mag <= 2 ? 2 * mag : raw / mag <= 5 ? 5 * mag : 10 * mag;
    int const ticks = static_cast<int>(std::ceil(peak / total / step - 1e-9));
    double const top = step * ticks;
    int const hw = 720;
    int const hh = 200;
    int const hl = 50;
    h += fmt::format(
        "<h3>Part AVIP des EAJE labellisées</h3><p>Enfants AVIP accueillis dans l'année ÷ places agréées "
        "PMI, pour chaque EAJE labellisée à chaque réplication : médiane {:.1f} % (5–95 % : {:.1f}–{:.1f} %) "
        "; {:.1f} % atteignent l'objectif de {:.0f} %.</p>",
        100 * all.quantile(0.5), 100 * all.quantile(0.05), 100 * all.quantile(0.95), 100.0 * met / total,
        100 * target_share);
    h += fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {0} {1}\" width=\"100%\" "
        "style=\"max-width:{0}px\" role=\"img\" aria-label=\"Distribution des parts AVIP des EAJE "
        "labellisées\">",
        hw, hh + 44);
    double const bw = (hw - hl - 20.0) / bins;
    for (int k = 0; k <= ticks; ++k) {
      double const frac = step * k;
      double const yy = hh - (hh - 10.0) * frac / top;
      h += fmt::format(
          "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"#eef\"/><text x=\"{3}\" "
          "y=\"{4:.1f}\" text-anchor=\"end\">{5:.0f} %</text>",
          hl, hw - 20, yy, hl - 4, yy + 4, 100 * frac);
    }
    for (int b = 0; b < bins; ++b) {
      double const bh = (hh - 10.0) * count[static_cast<std::size_t>(b)] / total / top;
      h += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
          "fill=\"#74add1\"><title>{}–{}{} "
          "% : {:.1f} % des structures</title></rect>",
          hl + b * bw, hh - bh, bw - 1, bh, 2 * b, 2 * b + 2, b == bins - 1 ? " et plus" : "",
          100.0 * count[static_cast<std::size_t>(b)] / total);
      if (b % 5 == 0) {
        h += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{} %</text>", hl + b * bw,
                         hh + 16, 2 * b);
      }
    }
    double const tx = hl + std::min(target_share, 0.4) / 0.02 * bw;
    h += fmt::format(
        "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"0\" y2=\"{1}\" stroke=\"#d73027\" stroke-width=\"2\" "
        "stroke-dasharray=\"6 3\"/><text x=\"{2:.1f}\" y=\"14\" fill=\"#d73027\">objectif {3:.0f} %</text>"
        "<text x=\"{4}\" y=\"{5}\" text-anchor=\"middle\">part AVIP (enfants AVIP de l'année ÷ places)</text>"
        "</svg>",
        tx, hh, tx + 5, 100 * target_share, hl + (hw - hl - 20) / 2, hh + 36);
  }
  return h + "</section>";
}

}  // namespace avip::viz
