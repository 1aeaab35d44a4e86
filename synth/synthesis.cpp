#include "synth/synthesis.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <numeric>
#include <optional>
#include <queue>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/random.hpp"
#include "geo/geos_context.hpp"
#include "geo/vector_writer.hpp"
#include "synth/qpv_cover.hpp"
#include "synth/qpv_statistics.hpp"

namespace avip::synth {

namespace {

using sim::cell_idx;
using sim::commune_idx;

// Real figures (data/reunion/derived/calibration_974_department.csv and seed 000/003).
constexpr int kQpvCount = 49;               // 2015 list
constexpr double kQpvResidents = 159300.0;  // INSEE 2018
constexpr int kMicroCreches = 231;          // CAF 2020
constexpr int kMicroPlaces = 2308;
constexpr int kEajePlaces = 7089;                     // CAF 2020
constexpr int kOtherEaje = 115;                       // ≈ 346 EAJE in all
constexpr int kAssmat = 1141;                         // 2017-Q2
constexpr double kChildrenUnder3 = 34000.0;           // INSEE 2021
constexpr double kRsaCoverage = 230155.0 / 861000.0;  // people covered ÷ population 2019 (27 %)
constexpr double kUnder3PerFamily = 1.1;     // children under 3 per RSA household with one (assumption)
constexpr double kSingleParentShare = 0.40;  // of families with a child under 3 (INSEE/DREES 2021)
// The island's counterpart of a QPV's ENF_2 × ARSAS ÷ A: children under 3 of CAF allocataires (38,075,
// CAF 2020) × the RSA share of allocataires (101,217 of 279,956, CAF 2019).
constexpr double kRsaHouseholds = 101217.0;
constexpr double kIslandChildrenInRsa = 38075.0 * kRsaHouseholds / 279956.0;
constexpr int kQpvCommunes = 13;  // communes with at least one QPV (2015 list)

constexpr char const* kSourceCalib = "calibration_974_department.csv";
constexpr int kLabelYear = 2021;  // seed 000: the 19 EAJE were labelled AVIP in 2021

/// Largest-remainder apportionment of `total` over `weights` (each ≥ `minimum`).
std::vector<int> apportion(int total, std::vector<double> const& weights, int minimum = 0) {
  std::vector<int> out(weights.size(), minimum);
  int left = total - minimum * static_cast<int>(weights.size());
  double const sum = std::accumulate(weights.begin(), weights.end(), 0.0);
  if (left <= 0 || sum <= 0) {
    return out;
  }
  std::vector<std::pair<double, std::size_t>> rem;
  int given = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    double const exact = left * weights[i] / sum;
    out[i] += static_cast<int>(std::floor(exact));
    given += static_cast<int>(std::floor(exact));
    rem.emplace_back(exact - std::floor(exact), i);
  }
  std::sort(rem.begin(), rem.end(),
            [](auto a, auto b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  for (int k = 0; k < left - given; ++k) {
    out[rem[static_cast<std::size_t>(k) % rem.size()].second] += 1;
  }
  return out;
}

/// Draws a cell of commune `c` with probability ∝ weight (cumulative table per commune).
struct cell_sampler {
  std::vector<std::vector<std::uint32_t>> cells;
  std::vector<std::vector<double>> cumulative;
  cell_sampler(sim::world const& w, std::vector<double> const& weight) {
    cells.resize(w.communes.size());
    cumulative.resize(w.communes.size());
    for (std::size_t i = 0; i < w.grid.size(); ++i) {
      auto const c = w.grid.commune[cell_idx::from(i)];
      if (!c.valid() || weight[i] <= 0) {
        continue;
      }
      cells[c.index()].push_back(static_cast<std::uint32_t>(i));
      double const prev = cumulative[c.index()].empty() ? 0.0 : cumulative[c.index()].back();
      cumulative[c.index()].push_back(prev + weight[i]);
    }
  }
  std::uint32_t draw(std::size_t commune, random_stream& rng) const {
    auto const& cum = cumulative[commune];
    if (cum.empty()) {
      throw data_error{"synthesis: a commune has no populated cell"};
    }
    auto const u = rng.uniform() * cum.back();
    auto const it = std::upper_bound(cum.begin(), cum.end(), u);
    return cells[commune][static_cast<std::size_t>(
        std::min<std::ptrdiff_t>(it - cum.begin(), static_cast<std::ptrdiff_t>(cum.size()) - 1))];
  }
};

std::size_t commune_by_name(sim::world const& w, std::string const& name) {
  for (std::size_t i = 0; i < w.communes.size(); ++i) {
    if (w.communes.name[commune_idx::from(i)] == name) {
      return i;
    }
  }
  throw data_error{fmt::format("synthesis: commune '{}' not found in the territory", name)};
}

std::string slug(std::string s) {
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) != 0) {
      out += static_cast<char>(std::tolower(ch));
    } else if (ch >= 0x80) {
      continue;  // accents: dropped from ids
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') {
    out.pop_back();
  }
  return out;
}

struct facility_row {
  std::string id, name, kind;
  int places{0};
  std::string hours;
  double occupancy{0.9};
  bool avip{false};
  std::string network, manager, bus, source;
  double x{0}, y{0};
  std::size_t commune{0};
};

/// The seed-000 profile of a family (2023), drawn in a fixed order on `rng`.
struct family_profile {
  bool young{false};  ///< parent under 26
  std::string path, hours, mobility;
  int age{18};  ///< of the youngest child, in months
  int kids{1};  ///< children under 3
  bool disabled{false};
};

family_profile draw_profile(random_stream& rng) {
  family_profile f;
  f.young = rng.bernoulli(0.38);   // 15 of 39 AVIP parents under 25 (seed 000)
  double const u = rng.uniform();  // paths: seed 000 entry motives
  f.path = u < 0.35
               ? "job_search"
               : (u < 0.62 ? "training" : (u < 0.88 ? "fixed_term" : (u < 0.96 ? "social" : "integration")));
  if (f.path == "job_search" || f.path == "social" || f.path == "integration") {
    f.hours = "Mo,Tu,Th 08:30-15:30";
  } else if (f.path == "training") {
    f.hours = "Mo-Fr 08:00-17:00";
  } else {
    f.hours = "Mo-Fr 07:30-18:00";
  }
  double const a = rng.uniform();  // atypical needs (seed 000 round tables): 25 % of working paths
  if (f.path == "fixed_term" || f.path == "training") {
    if (a < 0.10) {
      f.hours = "Mo-Fr 06:00-14:00";
    } else if (a < 0.18) {
      f.hours = "Mo-Fr 12:00-20:00";
    } else if (a < 0.25) {
      f.hours += "; Sa 08:00-12:00";
    }
  }
  double const m = rng.uniform();  // mobility: 45 % without a car (assumption, see README)
  f.mobility = m < 0.55 ? "car" : (m < 0.90 ? "bus" : "walk");
  f.age = rng.bernoulli(0.2) ? static_cast<int>(3 + rng.below(9)) : static_cast<int>(12 + rng.below(24));
  f.kids = rng.bernoulli(0.1) ? 2 : 1;
  f.disabled = rng.bernoulli(0.02);
  return f;
}

/// Checks of a QPV layer the territory gives (not grown): its count, its communes and its residents
/// against the published figures, which the layer was not built from. Those figures describe the 2015
/// list (codes QP…): another list (the 2024 one, codes QN…) gets no such rows.
void qpv_rows_of_given_layer(sim::world const& w, std::vector<calibration_row>& calib) {
  if (!std::all_of(w.qpvs.code.begin(), w.qpvs.code.end(),
                   [](std::string const& code) { return code.rfind("QP", 0) == 0; })) {
    return;
  }
  std::set<std::size_t> communes;
  std::vector<double> residents(w.communes.size(), 0.0);
  double total = 0;
  for (std::size_t q = 0; q < w.qpvs.size(); ++q) {
    auto const c = w.qpvs.commune[sim::qpv_idx::from(q)];
    double const r = w.qpvs.residents[sim::qpv_idx::from(q)];
    total += r;
    if (c.valid()) {
      communes.insert(c.index());
      residents[c.index()] += r;
    }
  }
  auto const check = row_nature::check;
  calib.push_back({"qpv_count", kSourceCalib, kQpvCount, static_cast<double>(w.qpvs.size()), check});
  calib.push_back({"qpv_communes", kSourceCalib, kQpvCommunes, static_cast<double>(communes.size()), check});
  if (total <= 0) {
    return;  // the layer gives no residents
  }
  calib.push_back({"qpv_residents island", kSourceCalib, kQpvResidents, total, check});
  // The communes whose QPV residents were published (INSEE 2018): Saint-Denis 34,300; the share of the
  // population in QPV of Le Port 75 %, Saint-Louis 34 %, Saint-Benoît 32 % (of the 2023 population here).
  struct published {
    char const* commune;
    double residents;  ///< or 0 when only the share is known
    double share;      ///< of the commune's population (2023 here)
  };
  for (auto const& p : {published{"Le Port", 0, 0.75}, published{"Saint-Benoît", 0, 0.32},
                        published{"Saint-Denis", 34300.0, 0}, published{"Saint-Louis", 0, 0.34}}) {
    auto const c = commune_by_name(w, p.commune);
    double const expected =
        p.residents > 0 ? p.residents : p.share * w.communes.population[commune_idx::from(c)];
    calib.push_back({fmt::format("qpv_residents {} {}", w.communes.code[commune_idx::from(c)], p.commune),
                     kSourceCalib, expected, residents[c], check});
  }
}

}  // namespace

std::string_view nature_label(row_nature n) {
  return n == row_nature::check ? "contrôle" : "entrée reproduite";
}

std::vector<calibration_row> synthesise(territory::territory const& t, std::filesystem::path const& out_dir,
                                        synthesis_options const& options) {
  auto const& w = t.world;
  std::vector<calibration_row> calib;
  std::size_t const n_communes = w.communes.size();
  double const cell = w.grid.cell_size;

  // Per-commune scale from the 2010 grid to the légale 2023 population.
  std::vector<double> grid_people(n_communes, 0.0);
  for (std::size_t i = 0; i < w.grid.size(); ++i) {
    if (auto c = w.grid.commune[cell_idx::from(i)]; c.valid()) {
      grid_people[c.index()] += w.grid.people[cell_idx::from(i)];
    }
  }
  std::vector<double> scale(n_communes, 1.0);
  for (std::size_t c = 0; c < n_communes; ++c) {
    scale[c] = grid_people[c] > 0 ? w.communes.population[commune_idx::from(c)] / grid_people[c] : 1.0;
  }
  auto people_2023 = [&](std::size_t i) {
    auto c = w.grid.commune[cell_idx::from(i)];
    return c.valid() ? w.grid.people[cell_idx::from(i)] * scale[c.index()] : 0.0;
  };

  std::vector<double> low_income(n_communes, 0.0);
  for (std::size_t i = 0; i < w.grid.size(); ++i) {
    if (auto c = w.grid.commune[cell_idx::from(i)]; c.valid()) {
      low_income[c.index()] += w.grid.low_income_households[cell_idx::from(i)];
    }
  }

  // Grid neighbours through the regular lattice.
  std::map<std::pair<long, long>, std::uint32_t> at;
  auto key = [&](sim::point p) {
    return std::pair<long, long>{std::lround(std::floor(p.x / cell)), std::lround(std::floor(p.y / cell))};
  };
  for (std::size_t i = 0; i < w.grid.size(); ++i) {
    at[key(w.grid.centre[cell_idx::from(i)])] = static_cast<std::uint32_t>(i);
  }
  std::vector<int> qpv_of_cell(w.grid.size(), -1);
  geo::geos_context geos;
  geo::output_layer qpv_layer{"qpv",
                              "Quartiers prioritaires (synthétiques)",
                              w.epsg,
                              {{"code", geo::field_type::text, "QPV code (synthetic)"},
                               {"name", geo::field_type::text, "name"},
                               {"commune", geo::field_type::text, "INSEE code of the commune"},
                               {"residents", geo::field_type::real, "residents (2023 scale)"},
                               {"synthetic", geo::field_type::boolean, "synthesised"},
                               {"source", geo::field_type::text, "method and calibration"}},
                              {},
                              {}};
  bool const qpv_given = !t.qpv_geometry.empty();
  if (qpv_given) {
    // ---------------- QPV: the territory's own layer (real), checked against the published figures.
    qpv_rows_of_given_layer(w, calib);
    for (std::size_t i = 0; i < w.grid.size(); ++i) {
      auto const q = w.grid.qpv[cell_idx::from(i)];
      qpv_of_cell[i] = q.valid() ? static_cast<int>(q.index()) : -1;
    }
  } else {
    // ---------------- QPV: 49 polygons grown from the poorest cells of 13 communes.
    std::map<std::string, double> qpv_target;  // commune name -> residents
    auto pop = [&](std::string const& n) {
      return w.communes.population[commune_idx::from(commune_by_name(w, n))];
    };
    qpv_target["Saint-Denis"] = 34300.0;
    qpv_target["Le Port"] = 0.75 * pop("Le Port");
    qpv_target["Saint-Louis"] = 0.34 * pop("Saint-Louis");
    qpv_target["Saint-Benoît"] = 0.32 * pop("Saint-Benoît");
    // The other nine: the communes with the most low-income households in 2010 (assumption; the 2015 list
    // itself was not reachable), sharing the rest of the 159,300 residents in proportion to those.
    std::vector<std::pair<double, std::string>> others;
    for (std::size_t c = 0; c < n_communes; ++c) {
      auto const& n = w.communes.name[commune_idx::from(c)];
      if (!qpv_target.contains(n)) {
        others.emplace_back(low_income[c], n);
      }
    }
    std::sort(others.begin(), others.end(), std::greater<>{});
    double named = 0;
    for (auto const& [n, v] : qpv_target) {
      named += v;
    }
    double others_weight = 0;
    for (std::size_t k = 0; k < 9; ++k) {
      others_weight += others[k].first;
    }
    for (std::size_t k = 0; k < 9; ++k) {
      qpv_target[others[k].second] = (kQpvResidents - named) * others[k].first / others_weight;
    }
    std::vector<std::string> qpv_communes;
    std::vector<double> qpv_weights;
    for (auto const& [n, v] : qpv_target) {
      qpv_communes.push_back(n);
      qpv_weights.push_back(v);
    }
    auto const qpv_per_commune = apportion(kQpvCount, qpv_weights, 1);
    int qpv_number = 0;
    for (std::size_t k = 0; k < qpv_communes.size(); ++k) {
      auto const c = commune_by_name(w, qpv_communes[k]);
      auto commune_geom = geos.from_wkb(t.commune_geometry[c]);
      int const n = qpv_per_commune[k];
      double const per = qpv_target[qpv_communes[k]] / n;
      double commune_done = 0;
      for (int q = 0; q < n; ++q) {
        double const goal = (q == n - 1) ? qpv_target[qpv_communes[k]] - commune_done : per;
        // Seeds: the free cells of the commune with the highest low-income share (jittered by the seed);
        // a patch that runs out of neighbours before its target continues from the next seed, so a QPV
        // may have several parts, as real ones do.
        random_stream rng{options.seed, {1, static_cast<std::uint64_t>(qpv_number)}};
        auto next_seed = [&]() -> std::int64_t {
          std::int64_t found = -1;
          double best = -1;
          for (std::size_t i = 0; i < w.grid.size(); ++i) {
            auto const ci = cell_idx::from(i);
            if (w.grid.commune[ci].index() != c || qpv_of_cell[i] >= 0 || w.grid.people[ci] < 20) {
              continue;
            }
            double const share =
                w.grid.low_income_households[ci] / std::max(1.0, w.grid.people[ci]) * rng.uniform(0.9, 1.1);
            if (share > best) {
              best = share;
              found = static_cast<std::int64_t>(i);
            }
          }
          return found;
        };
        double residents = 0;
        std::vector<std::uint32_t> members;
        auto const priority = [&](std::uint32_t i) {
          return w.grid.low_income_households[cell_idx{i}] / std::max(1.0, w.grid.people[cell_idx{i}]);
        };
        std::set<std::uint32_t> queued;
        bool done = false;
        for (int patch = 0; patch < 20 && !done && residents < goal * 0.98; ++patch) {
          auto const seed_cell = next_seed();
          if (seed_cell < 0) {
            break;
          }
          std::priority_queue<std::pair<double, std::uint32_t>> frontier;
          frontier.emplace(1e9, static_cast<std::uint32_t>(seed_cell));
          queued.insert(static_cast<std::uint32_t>(seed_cell));
          while (!frontier.empty() && residents < goal) {
            auto const [prio, i] = frontier.top();
            frontier.pop();
            if (qpv_of_cell[i] >= 0) {
              continue;
            }
            double const add = people_2023(i);
            if (residents > 0 && residents + add > goal * 1.02) {
              if (residents >= goal * 0.98) {
                done = true;
                break;  // close enough: stop growing
              }
              continue;  // too big a step: try the smaller cells of the frontier
            }
            residents += add;
            members.push_back(i);
            qpv_of_cell[i] = qpv_number;
            auto const kk = key(w.grid.centre[cell_idx{i}]);
            for (auto [dx, dy] : {std::pair{1, 0}, {-1, 0}, {0, 1}, {0, -1}}) {
              auto it = at.find({kk.first + dx, kk.second + dy});
              if (it == at.end() || queued.contains(it->second) || qpv_of_cell[it->second] >= 0 ||
                  w.grid.commune[cell_idx{it->second}].index() != c) {
                continue;
              }
              queued.insert(it->second);
              frontier.emplace(priority(it->second), it->second);
            }
          }
        }
        if (members.empty()) {
          break;
        }
        commune_done += residents;
        std::vector<geo::geos_context::geometry> squares;
        for (auto i : members) {
          auto const& p = w.grid.centre[cell_idx{i}];
          squares.push_back(geos.box(p.x - cell / 2, p.y - cell / 2, p.x + cell / 2, p.y + cell / 2));
        }
        auto merged = geos.unary_union(std::move(squares));
        auto clipped = geos.intersection(merged.get(), commune_geom.get());
        auto const code = fmt::format("QS974{:03d}", qpv_number + 1);
        auto const& commune_code = w.communes.code[commune_idx::from(c)];
        qpv_layer.rows.push_back(
            {code, fmt::format("Quartier synthétique {} n°{}", qpv_communes[k], q + 1), commune_code,
             std::round(residents), true,
             fmt::format("synthetic: grown from the 200 m cells with the highest low-income share "
                         "(INSEE 2010 grid scaled to 2023); calibrated on {} (seed {})",
                         kSourceCalib, options.seed)});
        qpv_layer.geometry.push_back(geos.to_wkb(clipped.get()));
        ++qpv_number;
      }
      calib.push_back(
          {fmt::format("qpv_residents {} {}", w.communes.code[commune_idx::from(c)], qpv_communes[k]),
           "calibration (commune share)", qpv_target[qpv_communes[k]], commune_done});
    }
    double qpv_total = 0;
    for (auto const& r : qpv_layer.rows) {
      qpv_total += std::get<double>(r[3]);
    }
    calib.insert(calib.begin(),
                 {"qpv_count", kSourceCalib, kQpvCount, static_cast<double>(qpv_layer.rows.size())});
    calib.insert(calib.begin() + 1, {"qpv_residents island", kSourceCalib, kQpvResidents, qpv_total});
  }

  std::optional<qpv_cover> cover;
  if (qpv_given) {
    cover.emplace(t, geos);
  }

  // ---------------- Facilities.
  std::vector<double> children(w.grid.size());
  for (std::size_t i = 0; i < w.grid.size(); ++i) {
    children[i] = w.grid.children_0_3[cell_idx::from(i)];
  }
  cell_sampler by_children{w, children};
  std::vector<double> commune_children(n_communes);
  for (std::size_t c = 0; c < n_communes; ++c) {
    commune_children[c] = w.communes.children_under_3[commune_idx::from(c)];
  }
  auto const bras = commune_by_name(w, "Bras-Panon");
  auto const poss = commune_by_name(w, "La Possession");
  std::vector<facility_row> fac;
  auto place = [&](facility_row& f, std::uint64_t k, int qpv_wanted = -1) {
    random_stream rng{options.seed, {2, k}};
    if (qpv_wanted >= 0 && cover) {  // inside one of the commune's QPV, by children 0–3
      std::vector<std::uint32_t> qs;
      std::vector<double> weights;
      for (std::size_t q = 0; q < w.qpvs.size(); ++q) {
        if (w.qpvs.commune[sim::qpv_idx::from(q)] == commune_idx::from(f.commune)) {
          qs.push_back(static_cast<std::uint32_t>(q));
          weights.push_back(cover->weight_in(qs.back(), children) + 1e-9);
        }
      }
      if (!qs.empty()) {
        double u = rng.uniform() * std::accumulate(weights.begin(), weights.end(), 0.0);
        std::size_t j = 0;
        while (j + 1 < qs.size() && (u -= weights[j]) >= 0) {
          ++j;
        }
        auto const p = cover->draw_inside(qs[j], children, rng);
        f.x = p.x;
        f.y = p.y;
        return;
      }
    }
    std::uint32_t i = by_children.draw(f.commune, rng);
    if (qpv_wanted >= 0) {  // draw again until in a QPV (bounded)
      for (int tries = 0; tries < 200 && qpv_of_cell[i] < 0; ++tries) {
        i = by_children.draw(f.commune, rng);
      }
    }
    auto const& p = w.grid.centre[cell_idx{i}];
    f.x = p.x + rng.uniform(-0.4, 0.4) * cell;
    f.y = p.y + rng.uniform(-0.4, 0.4) * cell;
  };
  auto eaje_hours = [&](random_stream& rng) -> std::string {
    double const u = rng.uniform();
    if (u < 0.78) return "Mo-Fr 07:00-18:30";
    if (u < 0.88) return "Mo-Fr 07:30-17:30";
    if (u < 0.94) return "Mo-Fr 06:00-19:30";    // atypical: early and late
    return "Mo-Fr 07:00-18:30; Sa 08:00-12:30";  // atypical: Saturday morning
  };
  // Micro-crèches: 231 with 2,308 places, La Possession pinned to 25.
  std::vector<double> wm = commune_children;
  wm[poss] = 0;
  wm[bras] = 0;
  auto micro = apportion(kMicroCreches - 25 - 2, wm);
  micro[poss] = 25;
  micro[bras] = 2;
  // Other EAJE: 115 (crèches, multi-accueils, jardins d'enfants), La Possession 6 MA + 3 JE + 2 crèches,
  // Bras-Panon 3 (5 structures in all with its 2 micro-crèches).
  auto other = apportion(kOtherEaje - 11 - 3, wm);
  other[poss] = 11;
  other[bras] = 3;
  int micro_left = kMicroPlaces;
  int micro_count_left = kMicroCreches;
  for (std::size_t c = 0; c < n_communes; ++c) {
    auto const cname = w.communes.name[commune_idx::from(c)];
    for (int k = 0; k < micro[c]; ++k) {
      random_stream rng{options.seed, {3, fac.size()}};
      facility_row f;
      f.commune = c;
      f.kind = "micro_creche";
      int const avg = micro_left / micro_count_left;
      f.places =
          (micro_count_left == 1) ? micro_left : std::clamp(avg + static_cast<int>(rng.below(3)) - 1, 6, 12);
      micro_left -= f.places;
      --micro_count_left;
      f.id = fmt::format("eaje-{}-micro-{:03d}", w.communes.code[commune_idx::from(c)], k + 1);
      f.name = fmt::format("Micro-crèche {} {}", cname, k + 1);
      f.hours = eaje_hours(rng);
      f.occupancy = std::round(rng.uniform(0.85, 0.98) * 100) / 100;
      f.manager = fmt::format("mgr-{}-micro-{}", slug(cname), k / 3 + 1);
      place(f, fac.size());
      fac.push_back(f);
    }
  }
  int const other_places_total = kEajePlaces - kMicroPlaces - 92 + 2 * 10;  // Bras-Panon pinned below
  int other_left = other_places_total;
  int other_count_left = kOtherEaje - 3;
  for (std::size_t c = 0; c < n_communes; ++c) {
    auto const cname = w.communes.name[commune_idx::from(c)];
    for (int k = 0; k < other[c]; ++k) {
      random_stream rng{options.seed, {4, fac.size()}};
      facility_row f;
      f.commune = c;
      if (c == poss) {
        f.kind = k < 6 ? "multi_accueil" : (k < 9 ? "jardin_enfants" : "creche");
      } else {
        double const u = rng.uniform();
        f.kind = u < 0.55 ? "multi_accueil" : (u < 0.9 ? "creche" : "jardin_enfants");
      }
      if (c == bras) {
        f.places = 0;  // set below: Bras-Panon's 5 structures hold 92 places
      } else {
        int const avg = other_left / std::max(1, other_count_left);
        f.places = (other_count_left == 1) ? other_left
                                           : std::clamp(avg + static_cast<int>(rng.below(21)) - 10, 15, 80);
        other_left -= f.places;
        --other_count_left;
      }
      f.id = fmt::format("eaje-{}-{}-{:02d}", w.communes.code[commune_idx::from(c)], f.kind, k + 1);
      f.name = fmt::format(
          "{} {} {}",
          f.kind == "creche" ? "Crèche" : (f.kind == "jardin_enfants" ? "Jardin d'enfants" : "Multi-accueil"),
          cname, k + 1);
      f.hours = eaje_hours(rng);
      f.occupancy = std::round(rng.uniform(0.85, 0.98) * 100) / 100;
      f.manager = fmt::format("mgr-{}-{}", slug(cname), k % 2 == 0 ? "commune" : "assoc");
      place(f, fac.size());
      fac.push_back(f);
    }
  }
  // Bras-Panon: 2 micro-crèches (10 places each, set below) + 3 others = 92 places.
  {
    int bp_other = 92 - 20;
    int n_other = 0;
    for (auto& f : fac) {
      if (f.commune == bras && f.kind == "micro_creche") {
        micro_left += f.places - 10;  // keep the island micro total
        f.places = 10;
      }
      if (f.commune == bras && f.kind != "micro_creche") {
        ++n_other;
      }
    }
    int k = 0;
    for (auto& f : fac) {
      if (f.commune == bras && f.kind != "micro_creche") {
        f.places = (k == n_other - 1) ? bp_other : bp_other / (n_other - k);
        bp_other -= f.places;
        ++k;
      }
    }
    // Give back the micro places the pin moved, to the largest micro-crèche elsewhere below 12 places.
    for (auto& f : fac) {
      if (micro_left == 0) {
        break;
      }
      if (f.kind == "micro_creche" && f.commune != bras) {
        int const d = std::clamp(micro_left, -(f.places - 6), 12 - f.places);
        f.places += d;
        micro_left -= d;
      }
    }
  }
  // AVIP: 19 labelled EAJE (2021, spread over the island: the largest crèche or multi-accueil of the
  // communes with the most children) and 7 experiments of seed 000 (4 in Sainte-Clotilde, 2 Saint-André,
  // 1 Sainte-Suzanne), named so that scenarios can label them.
  {
    std::vector<std::pair<double, std::size_t>> order;
    for (std::size_t c = 0; c < n_communes; ++c) {
      order.emplace_back(commune_children[c], c);
    }
    std::sort(order.begin(), order.end(), std::greater<>{});
    int labelled = 0;
    for (int round = 0; labelled < 19 && round < 3; ++round) {
      for (auto const& [v, c] : order) {
        if (labelled >= 19) {
          break;
        }
        facility_row* bestf = nullptr;
        for (auto& f : fac) {
          if (f.commune == c && !f.avip && f.kind != "micro_creche" &&
              (bestf == nullptr || f.places > bestf->places)) {
            bestf = &f;
          }
        }
        if (bestf != nullptr) {
          bestf->avip = true;
          ++labelled;
        }
      }
    }
    auto name_experiment = [&](std::size_t c, std::string const& name, std::string const& id,
                               std::string const& network) {
      for (auto& f : fac) {
        if (f.commune == c && !f.avip && f.kind != "micro_creche" && f.network.empty() &&
            f.id.find("exp") == std::string::npos) {
          f.name = name;
          f.id = id;
          f.network = network;
          f.manager = network.empty() ? f.manager : network;
          f.source = "experiment";
          return;
        }
      }
    };
    auto const sd = commune_by_name(w, "Saint-Denis");
    auto const sa = commune_by_name(w, "Saint-André");
    auto const ss = commune_by_name(w, "Sainte-Suzanne");
    name_experiment(sd, "Crèche Les P'tits Mounes (Sainte-Clotilde)", "exp-sainte-clotilde-ptits-mounes", "");
    name_experiment(sd, "Crèche Les Jonquilles (Sainte-Clotilde)", "exp-sainte-clotilde-jonquilles", "");
    name_experiment(sd, "Crèche Colombine (Sainte-Clotilde)", "exp-sainte-clotilde-colombine", "");
    name_experiment(sd, "Crèche municipale de Sainte-Clotilde", "exp-sainte-clotilde-municipale",
                    "net-saint-denis-municipal");
    name_experiment(sa, "Crèche Saint-André 1 (réseau Est)", "exp-saint-andre-1", "net-saint-andre");
    name_experiment(sa, "Crèche Saint-André 2 (réseau Est)", "exp-saint-andre-2", "net-saint-andre");
    name_experiment(ss, "Crèche Sainte-Suzanne (réseau Est)", "exp-sainte-suzanne-1", "net-sainte-suzanne");
  }
  // Assistants maternels: 1,141; Bras-Panon 19 (3 in the AVIP experiment, 5 places), La Possession 85
  // (8 in QPV in the experiment).
  {
    std::vector<double> wa = commune_children;
    wa[bras] = 0;
    wa[poss] = 0;
    auto n_assmat = apportion(kAssmat - 19 - 85, wa);
    n_assmat[bras] = 19;
    n_assmat[poss] = 85;
    for (std::size_t c = 0; c < n_communes; ++c) {
      auto const cname = w.communes.name[commune_idx::from(c)];
      for (int k = 0; k < n_assmat[c]; ++k) {
        random_stream rng{options.seed, {5, fac.size()}};
        facility_row f;
        f.commune = c;
        f.kind = "assmat";
        f.places = rng.bernoulli(0.7) ? 4 : 3;
        double const u = rng.uniform();
        f.hours = u < 0.7 ? "Mo-Fr 07:00-18:00"
                          : (u < 0.9 ? "Mo-Fr 06:00-19:30" : "Mo-Fr 07:00-18:00; Sa 07:00-13:00");
        f.occupancy = std::round(rng.uniform(0.75, 0.95) * 100) / 100;
        f.id = fmt::format("assmat-{}-{:03d}", w.communes.code[commune_idx::from(c)], k + 1);
        f.name = fmt::format("Assistant maternel {} {}", cname, k + 1);
        f.manager = f.id;
        bool qpv_wanted = false;
        if (c == bras && k < 3) {
          f.network = "ram-bras-panon";
          f.places = k == 0 ? 1 : 2;  // 5 places in all
          f.id = fmt::format("ram-bras-panon-{}", k + 1);
          f.source = "experiment";
        }
        if (c == poss && k < 8) {
          f.network = "ram-la-possession";
          f.id = fmt::format("ram-la-possession-{}", k + 1);
          f.source = "experiment";
          qpv_wanted = true;
        }
        place(f, fac.size(), qpv_wanted ? 1 : -1);
        fac.push_back(f);
      }
    }
  }
  // Baby Bus: 4 buses (seed 003), 2–3 sites each, 12 children per session, Mo/Tu/Th/Fr 08:30–16:00 shared.
  {
    std::vector<std::pair<std::string, int>> buses{
        {"Salazie", 2}, {"Saint-Joseph", 3}, {"Saint-Paul", 3}, {"La Possession", 2}};
    std::array<char const*, 3> days2{"Mo,Th 08:30-16:00", "Tu,Fr 08:30-16:00", ""};
    std::array<char const*, 3> days3{"Mo,Th 08:30-16:00", "Tu 08:30-16:00", "Fr 08:30-16:00"};
    for (auto const& [cname, sites] : buses) {
      auto const c = commune_by_name(w, cname);
      for (int s = 0; s < sites; ++s) {
        facility_row f;
        f.commune = c;
        f.kind = "baby_bus_site";
        f.places = 12;
        f.hours = sites == 2 ? days2[static_cast<std::size_t>(s)] : days3[static_cast<std::size_t>(s)];
        f.occupancy = 0.5;
        f.bus = fmt::format("babybus-{}", slug(cname));
        f.id = fmt::format("{}-site-{}", f.bus, s + 1);
        f.name = fmt::format("Baby Bus {} — site {}", cname, s + 1);
        f.manager = "babyland";
        place(f, fac.size());
        fac.push_back(f);
      }
    }
  }
  // The labelled EAJE carry their label year; their labelled places (avip_places) are left out: the
  // conventions' figures are unknown, so the model applies labelled_places_share to their places.
  geo::output_layer fac_layer{"facilities",
                              "Offre d'accueil (synthétique)",
                              w.epsg,
                              {{"id", geo::field_type::text, ""},
                               {"name", geo::field_type::text, ""},
                               {"kind", geo::field_type::text, ""},
                               {"places", geo::field_type::integer, ""},
                               {"hours", geo::field_type::text, ""},
                               {"occupancy", geo::field_type::real, ""},
                               {"avip", geo::field_type::boolean, ""},
                               {"label_year", geo::field_type::integer, ""},
                               {"network", geo::field_type::text, ""},
                               {"manager", geo::field_type::text, ""},
                               {"bus", geo::field_type::text, ""},
                               {"synthetic", geo::field_type::boolean, ""},
                               {"source", geo::field_type::text, ""}},
                              {},
                              {}};
  int eaje = 0, micro_n = 0, micro_p = 0, eaje_p = 0, assmat_n = 0, bp_n = 0, bp_p = 0, bp_a = 0, pos_a = 0,
      avip_n = 0, eaje_qpv_p = 0;
  for (auto const& f : fac) {
    auto const source = fmt::format(
        "synthetic{}: placed on populated 200 m cells ∝ children 0–3; counts and places "
        "calibrated on {} and seed 000 (seed {})",
        f.source.empty() ? "" : " (" + f.source + " named in seed 000)", kSourceCalib, options.seed);
    fac_layer.rows.push_back(
        {f.id, f.name, f.kind, static_cast<std::int64_t>(f.places), f.hours, f.occupancy, f.avip,
         f.avip ? geo::field_value{static_cast<std::int64_t>(kLabelYear)} : geo::field_value{},
         f.network.empty() ? geo::field_value{} : geo::field_value{f.network}, f.manager,
         f.bus.empty() ? geo::field_value{} : geo::field_value{f.bus}, true, source});
    auto pt = geos.point(f.x, f.y);
    fac_layer.geometry.push_back(geos.to_wkb(pt.get()));
    bool const is_eaje = f.kind != "assmat" && f.kind != "mam" && f.kind != "baby_bus_site";
    if (is_eaje) {
      ++eaje;
      eaje_p += f.places;
      avip_n += f.avip ? 1 : 0;
      auto const k = key({f.x, f.y});
      if (auto it = at.find(k); it != at.end() && qpv_of_cell[it->second] >= 0) {
        eaje_qpv_p += f.places;
      }
    }
    if (f.kind == "micro_creche") {
      ++micro_n;
      micro_p += f.places;
    }
    if (f.kind == "assmat") {
      ++assmat_n;
      bp_a += f.commune == bras ? 1 : 0;
      pos_a += f.commune == poss ? 1 : 0;
    }
    if (is_eaje && f.commune == bras) {
      ++bp_n;
      bp_p += f.places;
    }
  }
  calib.push_back({"eaje_count", "CAF 2020 (231 micro + ≈115 others)", 346, static_cast<double>(eaje)});
  calib.push_back({"eaje_places", kSourceCalib, kEajePlaces, static_cast<double>(eaje_p)});
  calib.push_back({"micro_creches_count", kSourceCalib, kMicroCreches, static_cast<double>(micro_n)});
  calib.push_back({"micro_creches_places", kSourceCalib, kMicroPlaces, static_cast<double>(micro_p)});
  calib.push_back({"assistants_maternels", kSourceCalib, kAssmat, static_cast<double>(assmat_n)});
  calib.push_back({"avip_labelled_eaje", "seed 000 (19 labelled in 2021)", 19, static_cast<double>(avip_n)});
  calib.push_back({"bras_panon_eaje", "seed 000 annex 2", 5, static_cast<double>(bp_n)});
  calib.push_back({"bras_panon_eaje_places", "seed 000 annex 2", 92, static_cast<double>(bp_p)});
  calib.push_back({"bras_panon_assmat", "seed 000 annex 2", 19, static_cast<double>(bp_a)});
  calib.push_back({"la_possession_assmat (> 80)", "seed 000", 85, static_cast<double>(pos_a)});
  (void)eaje_qpv_p;  // reported in the README: placement ∝ children puts fewer places in QPV than 18.9 %

  // ---------------- Families: RSA households with a child under 3.
  // 34,000 children under 3 × 27 % of the population covered by the RSA ÷ 1.1 children under 3 each.
  double const families_target = kChildrenUnder3 * kRsaCoverage / kUnder3PerFamily;
  int const n_families = static_cast<int>(std::lround(families_target * options.family_scale));
  std::vector<double> poor(n_communes);
  double sp_island = 0, hh_island = 0;
  for (std::size_t c = 0; c < n_communes; ++c) {
    poor[c] = w.communes.population[commune_idx::from(c)] * low_income[c] / std::max(1.0, grid_people[c]);
  }
  auto per_commune = apportion(n_families, poor);
  std::vector<double> li(w.grid.size());
  for (std::size_t i = 0; i < w.grid.size(); ++i) {
    li[i] = w.grid.low_income_households[cell_idx::from(i)] + 0.05 * w.grid.children_0_3[cell_idx::from(i)];
  }
  cell_sampler by_low_income{w, li};
  (void)sp_island;
  (void)hh_island;
  geo::output_layer fam_layer{"families",
                              "Familles en insertion (synthétiques)",
                              w.epsg,
                              {{"id", geo::field_type::text, ""},
                               {"children_under_3", geo::field_type::integer, ""},
                               {"child_age_months", geo::field_type::integer, ""},
                               {"disabled_child", geo::field_type::boolean, ""},
                               {"single_parent", geo::field_type::boolean, ""},
                               {"parent_under_26", geo::field_type::boolean, ""},
                               {"path", geo::field_type::text, ""},
                               {"hours", geo::field_type::text, ""},
                               {"mobility", geo::field_type::text, ""},
                               {"referral_month", geo::field_type::integer, ""},
                               {"synthetic", geo::field_type::boolean, ""},
                               {"source", geo::field_type::text, ""}},
                              {},
                              {}};
  // One family row, its point in the metric CRS.
  auto add_family = [&](int id, family_profile const& f, bool single_parent, double x, double y,
                        std::string const& source) {
    fam_layer.rows.push_back({fmt::format("fam-{:05d}", id + 1), static_cast<std::int64_t>(f.kids),
                              static_cast<std::int64_t>(f.age), f.disabled, single_parent, f.young, f.path,
                              f.hours, f.mobility, geo::field_value{}, true, source});
    auto pt = geos.point(x, y);
    fam_layer.geometry.push_back(geos.to_wkb(pt.get()));
  };
  int fid = 0, single = 0, in_qpv = 0;
  if (!qpv_given) {
    std::string const fam_source = fmt::format(
        "synthetic: RSA households with a child under 3, spread by commune ∝ low-income households and on "
        "the 200 m grid; profile of seed 000 (2023); seed {}",
        options.seed);
    double expected_qpv = 0;
    for (std::size_t c = 0; c < n_communes; ++c) {
      for (int k = 0; k < per_commune[c]; ++k) {
        random_stream rng{options.seed, {6, static_cast<std::uint64_t>(fid)}};
        auto const i = by_low_income.draw(c, rng);
        auto const& p = w.grid.centre[cell_idx{i}];
        double const x = p.x + rng.uniform(-0.45, 0.45) * cell;
        double const y = p.y + rng.uniform(-0.45, 0.45) * cell;
        bool const sp = rng.bernoulli(0.40);  // 40 % single-parent families with a child under 3
        auto const f = draw_profile(rng);
        add_family(fid, f, sp, x, y, fam_source);
        single += sp ? 1 : 0;
        in_qpv += qpv_of_cell[i] >= 0 ? 1 : 0;
        ++fid;
      }
    }
    double li_total = 0, li_qpv = 0;
    for (std::size_t c = 0; c < n_communes; ++c) {
      double tot = 0, q = 0;
      for (std::size_t k = 0; k < by_low_income.cells[c].size(); ++k) {
        auto const i = by_low_income.cells[c][k];
        double const wgt = li[i];
        tot += wgt;
        q += qpv_of_cell[i] >= 0 ? wgt : 0;
      }
      if (tot > 0) {
        li_qpv += per_commune[c] * q / tot;
        li_total += per_commune[c];
      }
    }
    expected_qpv = li_total > 0 ? li_qpv / li_total : 0;
    calib.push_back({"families (RSA with a child under 3)", "34,000 under-3s × 27 % RSA coverage ÷ 1.1",
                     families_target * options.family_scale, static_cast<double>(fid)});
    calib.push_back({"families share single parent", kSourceCalib, 0.40,
                     fid > 0 ? static_cast<double>(single) / fid : 0});
    calib.push_back({"families share in QPV", "low-income households in QPV cells", expected_qpv,
                     fid > 0 ? static_cast<double>(in_qpv) / fid : 0});
  } else {
    // The territory's QPV layer: each QPV receives the families its CAF figures give (its children 0–2
    // in RSA households, as a share of the island's), with its own share of single parents; the others
    // spread by commune ∝ low-income households, as before, outside every QPV ("around" them).
    auto const stats = read_qpv_statistics(t);
    std::size_t const n_qpv = cover->qpv_count();
    std::vector<std::size_t> qpv_commune(n_qpv);
    for (std::size_t q = 0; q < n_qpv; ++q) {
      auto const c = w.qpvs.commune[sim::qpv_idx::from(q)];
      if (!c.valid()) {
        throw data_error{
            fmt::format("synthesis: QPV '{}' lies in no commune", w.qpvs.code[sim::qpv_idx::from(q)])};
      }
      qpv_commune[q] = c.index();
    }
    std::vector<double> weight(n_qpv);  // expected families of each QPV, in any unit
    std::vector<double> sp_share(n_qpv, kSingleParentShare);
    double share_target = 0;
    if (stats) {
      for (std::size_t q = 0; q < n_qpv; ++q) {
        weight[q] = stats->input[q].children_0_2_in_rsa();
        sp_share[q] = stats->input[q].single_parent_share();
        share_target += weight[q] / kIslandChildrenInRsa;
      }
    } else {
      // As drawing on every cell by low-income households would: each commune's families × the QPV's
      // part of the commune's weight.
      std::vector<double> commune_li(n_communes, 0.0);
      for (std::size_t c = 0; c < n_communes; ++c) {
        commune_li[c] = by_low_income.cumulative[c].empty() ? 0.0 : by_low_income.cumulative[c].back();
      }
      for (std::size_t q = 0; q < n_qpv; ++q) {
        auto const c = qpv_commune[q];
        weight[q] = commune_li[c] > 0
                        ? per_commune[c] * cover->weight_in(static_cast<std::uint32_t>(q), li) / commune_li[c]
                        : 0.0;
        share_target += n_families > 0 ? weight[q] / n_families : 0.0;
      }
    }
    int const n_in = std::min(n_families, static_cast<int>(std::lround(n_families * share_target)));
    auto const in_q = apportion(n_in, weight);
    std::vector<int> in_commune(n_communes, 0);
    for (std::size_t q = 0; q < n_qpv; ++q) {
      in_commune[qpv_commune[q]] += in_q[q];
    }
    std::vector<double> room(n_communes);
    for (std::size_t c = 0; c < n_communes; ++c) {
      room[c] = std::max(0, per_commune[c] - in_commune[c]);
    }
    int const n_out = n_families - n_in;
    auto const out_c = apportion(n_out, room);
    // Single parents: exactly each QPV's share of its families, and outside as many as keep the island
    // at 40 %, drawn at random within each group.
    auto choose = [](int n, int k, random_stream rng) {
      std::vector<std::uint8_t> chosen(static_cast<std::size_t>(std::max(0, n)), 0);
      std::vector<int> order(chosen.size());
      std::iota(order.begin(), order.end(), 0);
      for (int j = 0; j < k && j < n; ++j) {  // partial Fisher–Yates
        auto const r = j + static_cast<int>(rng.below(static_cast<std::uint64_t>(n - j)));
        std::swap(order[static_cast<std::size_t>(j)], order[static_cast<std::size_t>(r)]);
        chosen[static_cast<std::size_t>(order[static_cast<std::size_t>(j)])] = 1;
      }
      return chosen;
    };
    std::vector<std::vector<std::uint8_t>> sp_in(n_qpv);
    int sp_in_total = 0;
    for (std::size_t q = 0; q < n_qpv; ++q) {
      int const k = std::min(in_q[q], static_cast<int>(std::lround(in_q[q] * sp_share[q])));
      sp_in[q] = choose(in_q[q], k, random_stream{options.seed, {7, static_cast<std::uint64_t>(q)}});
      sp_in_total += k;
    }
    int const sp_out_total =
        std::clamp(static_cast<int>(std::lround(kSingleParentShare * n_families)) - sp_in_total, 0, n_out);
    auto const sp_out = choose(n_out, sp_out_total, random_stream{options.seed, {8}});
    // Outside: cells by low-income households on the part of each cell outside every QPV.
    std::vector<double> li_out(w.grid.size());
    for (std::size_t i = 0; i < w.grid.size(); ++i) {
      li_out[i] = li[i] * (1.0 - cover->covered(static_cast<std::uint32_t>(i)));
    }
    cell_sampler by_low_income_out{w, li_out};
    std::string const source =
        stats ? fmt::format(
                    "synthetic: RSA households with a child under 3; in each QPV as many as its children "
                    "0–2 in RSA households give (CAF {}), with its share of single parents; elsewhere by "
                    "commune ∝ low-income households on the 200 m grid; profile of seed 000 (2023); seed {}",
                    stats->edition, options.seed)
              : fmt::format(
                    "synthetic: RSA households with a child under 3, spread by commune ∝ low-income "
                    "households and on the 200 m grid, in and outside the QPV polygons; profile of seed "
                    "000 (2023); seed {}",
                    options.seed);
    int single_in = 0;
    int outside = 0;
    for (std::size_t c = 0; c < n_communes; ++c) {
      for (std::size_t q = 0; q < n_qpv; ++q) {
        if (qpv_commune[q] != c) {
          continue;
        }
        for (int k = 0; k < in_q[q]; ++k) {
          random_stream rng{options.seed, {6, static_cast<std::uint64_t>(fid)}};
          auto const p = cover->draw_inside(static_cast<std::uint32_t>(q), li, rng);
          bool const sp = sp_in[q][static_cast<std::size_t>(k)] != 0;
          add_family(fid, draw_profile(rng), sp, p.x, p.y, source);
          bool const inside = cover->inside(static_cast<std::uint32_t>(q), p.x, p.y);
          in_qpv += inside ? 1 : 0;
          single_in += inside && sp ? 1 : 0;
          single += sp ? 1 : 0;
          ++fid;
        }
      }
      for (int k = 0; k < out_c[c]; ++k) {
        random_stream rng{options.seed, {6, static_cast<std::uint64_t>(fid)}};
        double x = 0;
        double y = 0;
        bool found = false;
        for (int tries = 0; tries < 1000 && !found; ++tries) {
          auto const i = by_low_income_out.draw(c, rng);
          auto const& centre = w.grid.centre[cell_idx{i}];
          x = centre.x + rng.uniform(-0.45, 0.45) * cell;
          y = centre.y + rng.uniform(-0.45, 0.45) * cell;
          found = !cover->near_any(i, x, y);
        }
        if (!found) {
          throw data_error{fmt::format("synthesis: no point outside the QPV found in commune {}",
                                       w.communes.name[commune_idx::from(c)])};
        }
        bool const sp = sp_out[static_cast<std::size_t>(outside)] != 0;
        add_family(fid, draw_profile(rng), sp, x, y, source);
        single += sp ? 1 : 0;
        ++outside;
        ++fid;
      }
    }
    double const share = fid > 0 ? static_cast<double>(in_qpv) / fid : 0.0;
    double const sp_share_in = in_qpv > 0 ? static_cast<double>(single_in) / in_qpv : 0.0;
    calib.push_back({"families (RSA with a child under 3)", "34,000 under-3s × 27 % RSA coverage ÷ 1.1",
                     families_target * options.family_scale, static_cast<double>(fid)});
    calib.push_back({"families share single parent", kSourceCalib, kSingleParentShare,
                     fid > 0 ? static_cast<double>(single) / fid : 0});
    if (!stats) {
      calib.push_back(
          {"families share in QPV", "low-income households in the QPV polygons", share_target, share});
    } else {
      // The figures the families were built from (input), then those of another edition and the QPV's
      // share of the island's RSA households, which the synthesis was not given (checks).
      auto sp_target = [&](std::vector<qpv_figures> const& figures) {
        double num = 0;
        double den = 0;
        for (auto const& f : figures) {
          num += f.children_0_2_in_rsa() * f.single_parent_share();
          den += f.children_0_2_in_rsa();
        }
        return den > 0 ? num / den : 0.0;
      };
      auto share_of = [&](std::vector<qpv_figures> const& figures) {
        double x = 0;
        for (auto const& f : figures) {
          x += f.children_0_2_in_rsa();
        }
        return x / kIslandChildrenInRsa;
      };
      std::string const earlier = stats->earlier_input.empty()
                                      ? std::string{}
                                      : fmt::format(" ({} QPV secret in {}: last earlier edition)",
                                                    stats->earlier_input.size(), stats->edition);
      calib.push_back(
          {"families share in QPV",
           fmt::format("QPV CAF {}: children 0–2 × RSA share of allocataires ÷ island (CAF 2020, 2019){}",
                       stats->edition, earlier),
           share_of(stats->input), share});
      calib.push_back(
          {"families share single parent in QPV",
           fmt::format("QPV CAF {}: single parents ÷ allocataires with children{}", stats->edition, earlier),
           sp_target(stats->input), sp_share_in});
      if (!stats->check.empty()) {
        calib.push_back({fmt::format("families share in QPV (CAF {})", stats->check_edition),
                         fmt::format("QPV CAF {}, not given to the synthesis", stats->check_edition),
                         share_of(stats->check), share, row_nature::check});
        calib.push_back({fmt::format("families share single parent in QPV (CAF {})", stats->check_edition),
                         fmt::format("QPV CAF {}, not given to the synthesis", stats->check_edition),
                         sp_target(stats->check), sp_share_in, row_nature::check});
      }
      double rsa_in_qpv = 0;
      for (auto const& f : stats->input) {
        rsa_in_qpv += f.rsa_households;
      }
      calib.push_back(
          {"families share in QPV vs RSA households in QPV",
           fmt::format("RSA households in QPV (CAF {}) ÷ 101,217 on the island (2019)", stats->edition),
           rsa_in_qpv / kRsaHouseholds, share, row_nature::check});
    }
  }

  auto const dir = out_dir.string();
  if (!qpv_given) {
    geo::write_vector(dir + "/qpv.geojson", geo::vector_format::geojson, qpv_layer);
  }
  geo::write_vector(dir + "/facilities.geojson", geo::vector_format::geojson, fac_layer);
  geo::write_vector(dir + "/families.geojson", geo::vector_format::geojson, fam_layer);
  std::ofstream csv{out_dir / "calibration.csv"};
  csv << "indicateur,source,cible,valeur_synthetique,ecart_relatif,nature\n";
  for (auto const& r : calib) {
    csv << fmt::format("\"{}\",\"{}\",{:.4f},{:.4f},{:.4f},\"{}\"\n", r.target, r.source, r.expected,
                       r.synthesised, r.gap(), nature_label(r.nature));
  }
  return calib;
}

std::string format_calibration(std::vector<calibration_row> const& rows) {
  std::string out =
      fmt::format("{:<48} {:>12} {:>12} {:>8}  {}\n", "target", "expected", "synthesised", "gap", "nature");
  for (auto const& r : rows) {
    out += fmt::format("{:<48} {:>12.2f} {:>12.2f} {:>7.2f}%  {}{}\n", r.target.substr(0, 48), r.expected,
                       r.synthesised, 100 * r.gap(), nature_label(r.nature),
                       std::abs(r.gap()) > 0.05 ? "  <-- over 5 %" : "");
  }
  return out;
}

}  // namespace avip::synth
