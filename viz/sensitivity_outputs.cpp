#include "viz/sensitivity_outputs.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

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

namespace {

bool is_morris(sensitivity::analysis const& a) {
  return a.method == sensitivity::method::morris;
}

json parameters_json(sensitivity::analysis const& a) {
  json out = json::array();
  for (auto const& q : a.parameters) {
    out.push_back({{"name", q.name},
                   {"distribution", q.describe()},
                   {"min", q.spread.min()},
                   {"max", q.spread.max()},
                   {"justification", q.justification}});
  }
  return out;
}

json indices_json(sensitivity::analysis const& a, std::size_t s, std::size_t i) {
  json out = json::object();
  for (std::size_t j = 0; j < a.parameters.size(); ++j) {
    if (is_morris(a)) {
      auto const& m = a.morris_indices[s][i][j];
      out[a.parameters[j].name] = {{"mu_star", m.mu_star}, {"mu", m.mu}, {"sigma", m.sigma}};
    } else {
      auto const& x = a.sobol_indices[s][i][j];
      out[a.parameters[j].name] = {{"S1", x.s1}, {"S1_lo", x.s1_low}, {"S1_hi", x.s1_high},
                                   {"ST", x.st}, {"ST_lo", x.st_low}, {"ST_hi", x.st_high}};
    }
  }
  return out;
}

json analysis_json(sensitivity::analysis const& a) {
  json j;
  j["method"] = is_morris(a) ? "morris" : "sobol";
  j["description"] = a.description;
  j["points"] = a.sample().points();
  if (is_morris(a)) {
    j["trajectories"] = a.morris.trajectories;
    j["levels"] = a.morris.levels;
  } else {
    j["base_samples"] = a.sobol.base;
  }
  j["replications_per_point"] = a.replications;
  j["seed"] = a.seed;
  j["mpi_ranks"] = a.ranks;
  j["elapsed_seconds"] = a.seconds;
  j["parameters"] = parameters_json(a);
  j["ranked_by"] = a.indicators.empty() ? "" : a.indicators[0].key;
  for (std::size_t s = 0; s < a.scenario_names.size(); ++s) {
    json sc{{"name", a.scenario_names[s]},
            {"file", a.scenario_files[s]},
            {"p_beats_reference", a.p_beats_reference[s]},
            {"p_rank", a.p_rank[s]}};
    for (std::size_t i = 0; i < a.indicators.size(); ++i) {
      auto const& pi = a.pooled[s][i];
      sc["indicators"][a.indicators[i].key] = {{"label", a.indicators[i].label},
                                               {"mean", pi.mean},
                                               {"lo", pi.lo},
                                               {"hi", pi.hi},
                                               {"indices", indices_json(a, s, i)}};
    }
    j["scenarios"].push_back(std::move(sc));
  }
  return j;
}

void write_indices_csv(fs::path const& file, sensitivity::analysis const& a) {
  geo::output_layer l{"indices", "Indices de sensibilité", 0, {}, {}, {}};
  l.fields = {{"scenario", field_type::text, "Scénario"},
              {"indicateur", field_type::text, "Indicateur"},
              {"parametre", field_type::text, "Paramètre"}};
  if (is_morris(a)) {
    l.fields.push_back({"mu_etoile", field_type::real, "Effet élémentaire moyen absolu (μ*)"});
    l.fields.push_back({"mu", field_type::real, "Effet élémentaire moyen (μ)"});
    l.fields.push_back({"sigma", field_type::real, "Écart type des effets (σ)"});
  } else {
    for (char const* n : {"S1", "S1_bas", "S1_haut", "ST", "ST_bas", "ST_haut"}) {
      l.fields.push_back({n, field_type::real, "Indice de Sobol'"});
    }
  }
  for (std::size_t s = 0; s < a.scenario_names.size(); ++s) {
    for (std::size_t i = 0; i < a.indicators.size(); ++i) {
      for (std::size_t j = 0; j < a.parameters.size(); ++j) {
        std::vector<geo::field_value> row{a.scenario_names[s], a.indicators[i].label, a.parameters[j].name};
        if (is_morris(a)) {
          auto const& m = a.morris_indices[s][i][j];
          row.insert(row.end(), {m.mu_star, m.mu, m.sigma});
        } else {
          auto const& x = a.sobol_indices[s][i][j];
          row.insert(row.end(), {x.s1, x.s1_low, x.s1_high, x.st, x.st_low, x.st_high});
        }
        l.rows.push_back(std::move(row));
      }
    }
  }
  geo::write_vector(file.string(), geo::vector_format::csv, l);
}

void write_ranking_csv(fs::path const& file, sensitivity::analysis const& a) {
  geo::output_layer l{"classement", "Classement des scénarios", 0, {}, {}, {}};
  l.fields = {{"scenario", field_type::text, "Scénario"},
              {"p_meilleur_que_reference", field_type::real, "Probabilité de faire mieux que la référence"}};
  for (std::size_t r = 0; r < a.scenario_names.size(); ++r) {
    l.fields.push_back({fmt::format("p_rang_{}", r + 1), field_type::real, "Probabilité du rang"});
  }
  for (auto const& ind : a.indicators) {
    for (char const* part : {"moyenne", "bas", "haut"}) {
      l.fields.push_back({fmt::format("{}_{}", ind.key, part), field_type::real, ind.label});
    }
  }
  for (std::size_t s = 0; s < a.scenario_names.size(); ++s) {
    std::vector<geo::field_value> row{a.scenario_names[s], a.p_beats_reference[s]};
    for (double p : a.p_rank[s]) {
      row.emplace_back(p);
    }
    for (auto const& pi : a.pooled[s]) {
      row.insert(row.end(), {pi.mean, pi.lo, pi.hi});
    }
    l.rows.push_back(std::move(row));
  }
  geo::write_vector(file.string(), geo::vector_format::csv, l);
}

}  // namespace

void write_sensitivity_outputs(fs::path const& dir, sensitivity::analysis const& a) {
  detail::write_text(dir / "sensitivity.json", analysis_json(a).dump(2));
  write_indices_csv(dir / "indices.csv", a);
  write_ranking_csv(dir / "ranking.csv", a);
  detail::write_text(dir / "report.html", sensitivity_report(a));
}

}  // namespace avip::viz
