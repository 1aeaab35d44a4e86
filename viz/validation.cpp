#include "viz/validation.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "core/error.hpp"
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
    {"single_parents", "dont familles monoparentales", &sim::validation_indicators::single_parents, false, false},
    {"parents_under_26", "dont parents de moins de 26 ans", &sim::validation_indicators::parents_under_26, false,
     false},
    {"parents_qpv", "dont habitant un QPV", &sim::validation_indicators::parents_qpv, false, false},
    {"children_under_12_months", "Enfants de moins de 12 mois à l'entrée",
     &sim::validation_indicators::children_under_12_months, false, false},
    {"children_12_35_months", "Enfants de 12 à 35 mois à l'entrée",
     &sim::validation_indicators::children_12_35_months, false, false},
    {"share_france_travail", "Orientations par France Travail", &sim::validation_indicators::share_france_travail,
     true, false},
    {"share_caf", "Orientations par la CAF", &sim::validation_indicators::share_caf, true, false},
    {"exits", "Sorties dans l'année", &sim::validation_indicators::exits, false, false},
    {"exit_share_seeking", "Sorties : toujours en recherche d'emploi",
     &sim::validation_indicators::exit_share_seeking, true, true},
    {"exit_share_permanent_job", "Sorties : en CDI", &sim::validation_indicators::exit_share_permanent_job, true,
     false},
    {"exit_share_school", "Sorties : entrée à l'école", &sim::validation_indicators::exit_share_school, true,
     false},
    {"exits_unplanned", "Sorties imprévues", &sim::validation_indicators::exits_unplanned, false, false},
    {"referrals", "Orientations AVIP dans l'année (île)", &sim::validation_indicators::referrals, false, false},
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

std::string shown(double v, bool share) {
  return share ? fmt::format("{:.0f} %", 100 * v) : fmt::format("{:.1f}", v);
}

std::string esc(std::string const& s) {
  std::string o;
  for (char c : s) {
    o += c == '<' ? std::string{"&lt;"} : c == '>' ? std::string{"&gt;"} : c == '&' ? std::string{"&amp;"}
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
        throw data_error{fmt::format("{}:1: expected the header indicateur,observe,source,note", file.string())};
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
      throw data_error{fmt::format("{}:{}: the observed value of '{}' is not a number: '{}'", file.string(), n,
                                   f.key, cells.size() > 1 ? cells[1] : std::string{})};
    }
    f.source = cells.size() > 2 ? cells[2] : "";
    f.note = cells.size() > 3 ? cells[3] : "";
    out.push_back(std::move(f));
  }
  return out;
}

std::optional<fs::path> default_observed(territory::territory const& t) {
  auto const f = t.manifest.parent_path() / "observed" / "avip_2023.csv";
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
  return fmt::format("{} of {} observed figures inside their 90 % interval ({} fitted figures left out)", inside,
                     tested, rows.size() - static_cast<std::size_t>(tested));
}

std::string validation_text(std::vector<validation_row> const& rows, int evaluated_structures) {
  std::string s = fmt::format(
      "Validation against the 2023 evaluation ({} structures drawn at random among the labelled EAJE in each "
      "replication)\n",
      evaluated_structures);
  s += fmt::format("{:<44} {:>9} {:>9} {:>21}  {}\n", "indicateur", "observé", "simulé", "intervalle 90 %",
                   "verdict");
  for (auto const& r : rows) {
    bool const share = r.observed <= 1.0 && r.hi <= 1.0 && r.key.find("share") != std::string::npos;
    std::string const verdict = r.fitted ? "ajusté" : (!r.simulated ? "non simulé" : (r.inside ? "dans" : "HORS"));
    s += fmt::format("{:<44} {:>9} {:>9} {:>21}  {}\n", r.label, shown(r.observed, share),
                     r.simulated ? shown(r.mean, share) : "—",
                     r.simulated ? shown(r.lo, share) + " – " + shown(r.hi, share) : "—", verdict);
  }
  s += validation_verdict(rows) + "\n";
  return s;
}

void write_validation_csv(fs::path const& file, std::vector<validation_row> const& rows) {
  std::string out = "indicateur,libellé,observé,simulé,bas,haut,dans l'intervalle,ajusté\n";
  for (auto const& r : rows) {
    auto num = [&](double v) { return r.simulated ? fmt::format("{:.6g}", v) : std::string{}; };
    out += fmt::format("{},\"{}\",{:.6g},{},{},{},{},{}\n", r.key, r.label, r.observed, num(r.mean), num(r.lo),
                       num(r.hi), r.simulated ? (r.inside ? "oui" : "non") : "", r.fitted ? "oui" : "non");
  }
  detail::write_text(file, out);
}

std::string validation_html(std::vector<validation_row> const& rows, sim::validation_indicators const& v,
                            double target_share) {
  std::string h = "<section><h2>Validation : le modèle face à l'évaluation 2023</h2>";
  h += fmt::format(
      "<p>Figures of the 2023 AVIP evaluation of La Réunion (16 of 26 structures answered) beside the model's: in "
      "each replication, {} labelled EAJE are drawn at random and the AVIP families present in them during the "
      "year are counted. The bar is the 90 % interval over replications, the dot the observed figure. Figures "
      "marked <em>ajusté</em> were used to fit the model (awareness of AVIP, job finding) and test nothing. "
      "<strong>{}</strong>.</p>",
      v.evaluated_structures, esc(validation_verdict(rows)));
  h += "<table><tr><th>Indicateur</th><th>Observé</th><th>Simulé</th><th>Intervalle 90 %</th><th>Verdict</th>"
       "<th>Note</th></tr>";
  for (auto const& r : rows) {
    bool const share = r.key.find("share") != std::string::npos;
    h += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", esc(r.label),
                     shown(r.observed, share), r.simulated ? shown(r.mean, share) : "—",
                     r.simulated ? shown(r.lo, share) + " – " + shown(r.hi, share) : "—",
                     r.fitted ? "ajusté" : (!r.simulated ? "non simulé" : (r.inside ? "dans l'intervalle" : "<b>hors</b>")),
                     esc(r.note));
  }
  h += "</table>";
  // Dot-and-interval chart: each figure on its own scale (0 to the largest of observed and high bound).
  int const row_h = 26;
  int const width = 640;
  int const left = 260;
  int const height = row_h * static_cast<int>(rows.size()) + 20;
  h += fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {} {}\" width=\"100%\" "
      "role=\"img\" aria-label=\"Observé et intervalle simulé\">",
      width, height);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    auto const& r = rows[i];
    double const top = std::max({r.observed, r.hi, 1e-9}) * 1.1;
    auto x = [&](double v) { return left + (width - left - 20) * v / top; };
    int const y = 14 + row_h * static_cast<int>(i);
    h += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", left - 8, y + 4, esc(r.label));
    h += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"#ddd\"/>", left, width - 20, y, y);
    if (r.simulated) {
      h += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"10\" fill=\"{}\" opacity=\".6\"><title>simulé "
          "{:.3g} ({:.3g} – {:.3g})</title></rect>",
          x(r.lo), y - 5, std::max(1.0, x(r.hi) - x(r.lo)), r.fitted ? "#bbb" : "#4575b4", r.mean, r.lo, r.hi);
    }
    h += fmt::format(
        "<circle cx=\"{:.1f}\" cy=\"{}\" r=\"5\" fill=\"{}\"><title>observé {:.3g}</title></circle>", x(r.observed),
        y, r.inside || r.fitted ? "#1a9850" : "#d73027", r.observed);
  }
  h += "</svg>";
  // Histogram of the labelled structures' AVIP shares, with the 20 % target.
  if (!v.labelled_shares.empty()) {
    int const bins = 20;  // 0 to 40 %, 2 points each; the last bin holds everything above
    std::vector<int> count(bins, 0);
    int met = 0;
    for (double s : v.labelled_shares) {
      count[static_cast<std::size_t>(std::clamp(static_cast<int>(s / 0.02), 0, bins - 1))] += 1;
      met += s >= target_share - 1e-12 ? 1 : 0;
    }
    int const peak = std::max(1, *std::max_element(count.begin(), count.end()));
    int const hw = 640;
    int const hh = 200;
    h += fmt::format(
        "<p>AVIP share (AVIP children in the year ÷ PMI places) of the labelled EAJE, every structure in every "
        "replication: {:.1f} % of them reach the {:.0f} % target.</p>",
        100.0 * met / static_cast<double>(v.labelled_shares.size()), 100 * target_share);
    h += fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {} {}\" width=\"100%\" "
        "role=\"img\" aria-label=\"Distribution des parts AVIP\">",
        hw, hh + 30);
    double const bw = (hw - 40.0) / bins;
    for (int b = 0; b < bins; ++b) {
      double const bh = (hh - 10.0) * count[static_cast<std::size_t>(b)] / peak;
      h += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"#74add1\"/>",
                       20 + b * bw, hh - bh, bw - 1, bh);
      if (b % 5 == 0) {
        h += fmt::format("<text x=\"{:.1f}\" y=\"{}\">{} %</text>", 20 + b * bw, hh + 16, 2 * b);
      }
    }
    double const tx = 20 + target_share / 0.02 * bw;
    h += fmt::format(
        "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"0\" y2=\"{1}\" stroke=\"#d73027\" stroke-width=\"2\"/>"
        "<text x=\"{2:.1f}\" y=\"12\" fill=\"#d73027\">objectif {3:.0f} %</text></svg>",
        tx, hh, tx + 4, 100 * target_share);
  }
  return h + "</section>";
}

}  // namespace avip::viz
