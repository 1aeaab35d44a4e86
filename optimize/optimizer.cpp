#include "optimize/optimizer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/progress.hpp"
#include "geo/geometry_ops.hpp"
#include "geo/projection.hpp"
#include "geo/vector_writer.hpp"
#include "optimize/candidate_file.hpp"
#include "optimize/flow_state.hpp"
#include "optimize/optimize_report.hpp"
#include "optimize/solvers.hpp"
#include "scenarios/apply.hpp"
#include "scenarios/pipeline.hpp"
#include "scenarios/problems.hpp"
#include "sim/comparison.hpp"
#include "sim/cost.hpp"
#include "sim/engine.hpp"
#include "sim/opening_hours.hpp"
#include "sim/replication.hpp"
#include "sim/results_archive.hpp"
#include "viz/json_io.hpp"

namespace avip::optimize {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

bool facility_changed(sim::world const& a, sim::world const& b, std::size_t i) {
  auto const k = sim::facility_idx::from(i);
  auto const& x = a.facilities;
  auto const& y = b.facilities;
  return x.avip[k] != y.avip[k] || x.hours_text[k] != y.hours_text[k] || x.places[k] != y.places[k] ||
         (i < x.avip_places.size() && i < y.avip_places.size() && x.avip_places[k] != y.avip_places[k]) ||
         x.network[k] != y.network[k];
}

/// The samples of the objective's indicator in a run.
sim::samples const& indicator(sim::run_results const& r, objective o) {
  switch (o) {
    case objective::all:
      return r.island.matched;
    case objective::priority_qpv:
      return r.qpv.priority_matched;
    case objective::priority:
      break;
  }
  return r.island.priority_matched;
}
sim::samples const& delta_indicator(sim::scenario_delta const& d, objective o) {
  switch (o) {
    case objective::all:
      return d.island.matched;
    case objective::priority_qpv:
      return d.qpv.priority_matched;
    case objective::priority:
      break;
  }
  return d.island.priority_matched;
}

std::string budget_text(double b) {
  return b >= 1e6 ? fmt::format("{:g} M€", b / 1e6) : fmt::format("{:.0f} k€", b / 1e3);
}

/// The phases' wall times, in order (optimize.json's "timings", bench/optimize-reunion).
class phase_clock {
 public:
  explicit phase_clock(std::vector<std::pair<std::string, double>>& out) : out_{&out} {}
  void lap(std::string name) {
    out_->emplace_back(std::move(name), seconds_since(t0_));
    t0_ = std::chrono::steady_clock::now();
  }

 private:
  std::vector<std::pair<std::string, double>>* out_;
  std::chrono::steady_clock::time_point t0_{std::chrono::steady_clock::now()};
};

/// A world holding only rows `rows` of `all`'s facilities (with their own managers and networks, no
/// bus): the cost model's figure for it is what opening those sites adds, each being its own manager.
sim::world sites_world(sim::world const& all, std::vector<sim::facility_idx> const& rows) {
  sim::world w;
  auto const& f = all.facilities;
  auto& t = w.facilities;
  t.network_id = f.network_id;
  t.network_has_coordinator = f.network_has_coordinator;
  t.manager_id = f.manager_id;
  for (auto k : rows) {
    t.id.push_back(f.id[k]);
    t.name.push_back(f.name[k]);
    t.kind.push_back(f.kind[k]);
    t.places.push_back(f.places[k]);
    t.hours.push_back(f.hours[k]);
    t.hours_text.push_back(f.hours_text[k]);
    t.occupancy.push_back(f.occupancy[k]);
    t.avip.push_back(f.avip[k]);
    t.avip_places.push_back(k.index() < f.avip_places.size() ? f.avip_places[k] : 0);
    t.label_year.push_back(k.index() < f.label_year.size() ? f.label_year[k] : std::int16_t{0});
    t.network.push_back(f.network[k]);
    t.manager.push_back(f.manager[k]);
    t.bus.push_back(sim::bus_idx::invalid());
    t.synthetic.push_back(f.synthetic[k]);
    t.source.push_back(f.source[k]);
    t.location.push_back(f.location[k]);
    t.commune.push_back(f.commune[k]);
    t.qpv.push_back(f.qpv[k]);
    t.cell.push_back(f.cell[k]);
  }
  return w;
}

/// An action of label and hours edits selecting facilities by id only, applied to `w` (the base's
/// offer) as scenarios/apply.cpp applies them, without apply_edits' per-call set-up (a PROJ transformer,
/// a copy of the world): the cheap path for hundreds of actions. Returns false, `w` possibly changed,
/// when the action needs apply_edits (other selectors, unknown ids, overlaps or checks that may fail:
/// apply_edits then gives its own message).
bool apply_by_ids(sim::world& w, std::unordered_map<std::string, std::size_t> const& index,
                  std::vector<scenarios::edit> const& edits, int year) {
  auto& fa = w.facilities;
  std::set<std::size_t> touched;
  for (auto const& e : edits) {
    auto const& s = e.select;
    if ((e.kind != scenarios::edit_kind::label && e.kind != scenarios::edit_kind::hours) || s.ids.empty() ||
        !s.communes.empty() || !s.kinds.empty() || !s.managers.empty() || !s.networks.empty() ||
        !s.within_geojson.empty() || (e.kind == scenarios::edit_kind::label && !e.label)) {
      return false;
    }
    std::vector<sim::facility_idx> sel;
    for (auto const& id : std::set<std::string>(s.ids.begin(), s.ids.end())) {
      auto const it = index.find(id);
      if (it == index.end() || !touched.insert(it->second).second) {
        return false;
      }
      sel.push_back(sim::facility_idx::from(it->second));
    }
    std::sort(sel.begin(), sel.end());
    if (e.kind == scenarios::edit_kind::hours) {
      auto const mask = sim::parse_opening_hours(e.hours);
      for (auto k : sel) {
        if (e.replace_hours) {
          fa.hours[k] = mask;
        } else {
          fa.hours[k] |= mask;
        }
        fa.hours_text[k] = sim::format_opening_hours(fa.hours[k]);
      }
      continue;
    }
    auto net = sim::network_idx::invalid();
    if (!e.network.empty()) {
      bool const assmat_only = std::all_of(sel.begin(), sel.end(), [&](sim::facility_idx k) {
        return fa.kind[k] == sim::facility_kind::assmat || fa.kind[k] == sim::facility_kind::mam;
      });
      if (assmat_only && sel.size() < 2) {
        return false;
      }
      auto const it = std::find(fa.network_id.begin(), fa.network_id.end(), e.network);
      net = sim::network_idx::from(static_cast<std::size_t>(it - fa.network_id.begin()));
      if (it == fa.network_id.end()) {
        fa.network_id.push_back(e.network);
      }
      while (fa.network_has_coordinator.size() < fa.network_id.size()) {
        fa.network_has_coordinator.push_back(0);
      }
      fa.network_has_coordinator[net] = e.coordinator ? 1 : 0;
    }
    for (auto k : sel) {
      if (e.labelled_places > fa.places[k]) {
        return false;
      }
      if (fa.avip[k] == 0 && fa.label_year[k] == 0) {
        fa.label_year[k] = static_cast<std::int16_t>(year);
      }
      if (e.labelled_places > 0) {
        fa.avip_places[k] = e.labelled_places;
      }
      fa.avip[k] = 1;
      if (net.valid()) {
        fa.network[k] = net;
      }
    }
  }
  return true;
}

/// What an action does, by facility id (its indices in the world with every action applied are known
/// only once that world is built).
struct action_delta {
  std::vector<std::pair<std::string, double>> facilities;  ///< touched or added, AVIP places added
  double cost{0};
};

/// --sites grid: a new structure of `t` at the centre of every populated cell with unmet demand.
std::vector<candidate_action> grid_sites(sim::world const& w, std::vector<double> const& unmet,
                                         site_template const& t, fs::path const& file,
                                         std::set<std::string> const& taken, scenarios::problems& p) {
  std::vector<candidate_action> out;
  geo::transformer const to_wgs84{w.epsg, 4326};
  for (std::size_t i = 0; i < w.grid.size(); ++i) {
    auto const c = sim::cell_idx::from(i);
    if (unmet[i] <= 0 || !(w.grid.people[c] > 0) || !w.grid.commune[c].valid()) {
      continue;
    }
    auto const id = "grid-" + w.grid.id[c];
    if (taken.count(id) != 0) {
      continue;
    }
    auto const ll = to_wgs84.forward({w.grid.centre[c].x, w.grid.centre[c].y});
    auto const& commune = w.communes.name[w.grid.commune[c]];
    auto a =
        site_action(t, id, fmt::format("Carreau {} ({})", w.grid.id[c], commune), ll.x, ll.y,
                    fmt::format("Ouvrir une micro-crèche de {} places à {} (carreau {}, {:.2f} famille{} "
                                "sans place possible)",
                                t.places, commune, w.grid.id[c], unmet[i], unmet[i] >= 2 ? "s" : ""),
                    fmt::format("--sites grid: cell {}", w.grid.id[c]), file, p);
    a.cost_note = t.cost ? "--site-cost" : "";
    if (!a.edits.empty()) {
      out.push_back(std::move(a));
    }
  }
  return out;
}

/// The edits of a portfolio, read back from their JSON text as a scenario file would give them.
std::vector<scenarios::edit> portfolio_edits(std::vector<std::string> const& texts, fs::path const& file) {
  scenarios::problems p{file.string()};
  std::vector<scenarios::edit> out;
  std::vector<fs::path> inputs;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    auto e = scenarios::read_edit(texts[i], file, fmt::format("/edits/{}", i), p, inputs);
    out.insert(out.end(), e.begin(), e.end());
  }
  p.throw_if_any();
  return out;
}

}  // namespace

optimize_summary optimize_into(optimize_request const& request, fs::path const& dir,
                               scenarios::sweep_partition const& partition) {
  bool const root = partition.rank == 0;
  bool const show = request.progress && root;
  optimize_summary out;
  phase_clock clock{out.timings};
  auto cands = read_candidate_file(request.candidates);
  // Budgets: the one recommended, and the curve.
  std::optional<double> budget = request.budget ? request.budget : cands.budget;
  if (!budget && !request.budgets.empty()) {
    budget = *std::max_element(request.budgets.begin(), request.budgets.end());
  }
  if (!budget) {
    throw usage_error{
        fmt::format("optimize: give --budget (€ a year) or a \"budget\" in {}", request.candidates.string())};
  }
  std::vector<double> budgets = request.budgets;
  budgets.push_back(*budget);
  std::sort(budgets.begin(), budgets.end());
  budgets.erase(std::unique(budgets.begin(), budgets.end()), budgets.end());
  for (double b : budgets) {
    if (!(b >= 0) || !std::isfinite(b)) {
      throw usage_error{fmt::format("optimize: a budget must be a finite number ≥ 0, got {}", b)};
    }
  }
  std::optional<int> max_actions = request.max_actions ? request.max_actions : cands.max_actions;
  clock.lap("read the candidates");

  auto base = scenarios::prepare(request.base, true, show, request.date);
  auto const& params = base.spec.params;
  auto const n0 = base.world.facilities.size();
  int const reps = request.replications.value_or(base.spec.replications);
  std::uint64_t const seed = request.seed.value_or(base.spec.seed);
  clock.lap("base scenario (territory, edits, bus times)");

  // Rank 0 builds and solves the model; the portfolios to simulate reach the other ranks as the JSON
  // text of their edits.
  auto& actions = cands.actions;
  struct candidate_portfolio {
    std::string name;
    std::string method;
    double budget;
    portfolio p;
    std::string status;
    double gap{std::numeric_limits<double>::quiet_NaN()};
    double bound{std::numeric_limits<double>::quiet_NaN()};
    fs::path file;
    double sim_mean{0}, sim_lo{0}, sim_hi{0}, delta_mean{0}, delta_lo{0}, delta_hi{0}, sim_cost{0};
    bool simulated{false};
    std::size_t unique{0};  ///< index among the distinct portfolios (simulated once each)
  };
  std::vector<candidate_portfolio> portfolios;
  std::vector<std::vector<std::uint32_t>> distinct;  // sorted action lists, simulated once each
  std::size_t recommended = 0;
  struct solved {
    double budget;
    portfolio greedy;
    double greedy_seconds;
    mip_result mip;
  };
  std::vector<solved> curve;
  std::vector<action_effect> effects;
  std::vector<double> cost;
  coverage_model model;
  double model_base = 0;
  double build_seconds = 0;
  std::size_t populated_cells = 0;
  std::size_t unmet_cells = 0;
  std::size_t grid_proposed = 0;
  std::size_t useful_sites = 0;
  std::size_t model_actions = 0;
  sim::world all;
  std::string shared;  // the portfolios' edits, as rank 0 sends them
  if (root) {
    scenarios::problems problems{request.candidates.string()};
    // The engine's candidate lists in the base: the model's base arcs, and the unmet demand of the grid.
    auto const c0 = sim::build_candidates(base.world, params);
    clock.lap("base candidate lists");
    if (request.sites == "grid") {
      auto const unmet = unmet_demand_by_cell(base.world, params, c0, request.goal);
      for (std::size_t i = 0; i < base.world.grid.size(); ++i) {
        populated_cells += base.world.grid.people[sim::cell_idx::from(i)] > 0 ? 1 : 0;
        unmet_cells += unmet[i] > 0 ? 1 : 0;
      }
      site_template t;
      t.places = request.site_places;
      t.hours = request.site_hours;
      t.cost = request.site_cost;
      t.id_prefix = "grid";
      std::set<std::string> ids;
      for (auto const& a : actions) {
        ids.insert(a.id);
      }
      auto sites = grid_sites(base.world, unmet, t, request.candidates, ids, problems);
      problems.throw_if_any();
      grid_proposed = sites.size();
      actions.insert(actions.end(), std::make_move_iterator(sites.begin()),
                     std::make_move_iterator(sites.end()));
      clock.lap(fmt::format("grid sites ({} cells with unmet demand)", unmet_cells));
    }
    if (actions.empty()) {
      throw scenario_error{
          fmt::format("{}: /actions: no candidate action (and no grid cell with unmet demand)",
                      request.candidates.string())};
    }

    // Each action alone, on a territory without its population (only the offer is copied per action):
    // the facilities it touches or adds, the AVIP places it adds, its cost. A new structure at a site
    // is read from the world with every action applied instead.
    auto light = base.territory;
    light.world.families = {};
    light.world.grid = {};
    light.world.bus = {};
    light.world.roads = {};
    auto const light_base = scenarios::apply_edits(base.spec, light);
    double const base_cost = sim::compute_cost(light_base, params).total;
    // The cheap path holds when the base's own edits cannot overlap an action's (apply_edits refuses a
    // facility labelled and unlabelled, or two hours edits on one facility).
    bool const cheap =
        std::none_of(base.spec.edits.begin(), base.spec.edits.end(), [](scenarios::edit const& e) {
          return e.kind == scenarios::edit_kind::hours || (e.kind == scenarios::edit_kind::label && !e.label);
        });
    std::unordered_map<std::string, std::size_t> light_index;
    for (std::size_t k = 0; k < light_base.facilities.size(); ++k) {
      light_index.emplace(light_base.facilities.id[sim::facility_idx::from(k)], k);
    }
    std::vector<action_delta> deltas(actions.size());
    {
      progress bar{"optimize: actions", actions.size(), show};
      for (std::size_t i = 0; i < actions.size(); ++i) {
        auto const& a = actions[i];
        bar.advance();
        if (a.site) {
          continue;
        }
        sim::world w;
        w.facilities = light_base.facilities;
        if (!cheap || !apply_by_ids(w, light_index, a.edits, params.year)) {
          auto spec = base.spec;
          spec.edits.insert(spec.edits.end(), a.edits.begin(), a.edits.end());
          try {
            w = scenarios::apply_edits(spec, light);
          } catch (scenario_error const& e) {
            problems.add_message(e.what());
            continue;
          }
        }
        for (std::size_t k = 0; k < w.facilities.size(); ++k) {
          auto const kk = sim::facility_idx::from(k);
          bool const fresh = k >= n0;
          if (!fresh && !facility_changed(light_base, w, k)) {
            continue;
          }
          double const before = fresh ? 0.0 : sim::avip_cap(light_base, params, kk);
          deltas[i].facilities.emplace_back(w.facilities.id[kk], sim::avip_cap(w, params, kk) - before);
        }
        deltas[i].cost = sim::compute_cost(w, params).total - base_cost;
      }
    }
    // A bus is added once: the actions adding one bus must be alternatives (one group).
    std::map<std::string, std::size_t> bus_added_by;
    for (std::size_t i = 0; i < actions.size(); ++i) {
      for (auto const& e : actions[i].edits) {
        if (e.kind != scenarios::edit_kind::baby_bus_add) {
          continue;
        }
        auto const [it, fresh] = bus_added_by.try_emplace(e.bus, i);
        auto const& other = actions[it->second];
        if (!fresh && (actions[i].group.empty() || actions[i].group != other.group)) {
          problems.add(
              actions[i].pointer + "/group",
              fmt::format("'{}' and {} both add the Baby Bus '{}': give them one group (a bus is added "
                          "once, at one of its candidate stops)",
                          actions[i].id, other.pointer, e.bus));
        }
      }
    }
    problems.throw_if_any();
    // Without sites every cost is known here: a budget below all of them is refused before the
    // world with every action is built.
    auto check_budget = [&] {
      double const cheapest = *std::min_element(cost.begin(), cost.end());
      auto const at =
          actions[static_cast<std::size_t>(std::min_element(cost.begin(), cost.end()) - cost.begin())]
              .pointer;
      if (*budget < cheapest) {
        problems.add("/actions",
                     fmt::format("the budget of {:.0f} € a year is below every action's cost (the "
                                 "cheapest, {:.0f} €, is {})",
                                 *budget, cheapest, at));
      }
      problems.throw_if_any();
    };
    cost.assign(actions.size(), std::numeric_limits<double>::infinity());
    bool all_costed = true;
    for (std::size_t i = 0; i < actions.size(); ++i) {
      if (actions[i].cost) {
        cost[i] = *actions[i].cost;
      } else if (!actions[i].site) {
        cost[i] = deltas[i].cost;
      } else {
        all_costed = false;
        continue;
      }
      cost[i] = std::max(0.0, cost[i]);
    }
    if (all_costed) {
      check_budget();
    }
    clock.lap(fmt::format("actions alone ({})", actions.size()));

    // Every action at once: the world whose candidate lists say who could use what.
    auto all_spec = base.spec;
    for (auto const& a : actions) {
      for (auto e : a.edits) {
        if (e.kind == scenarios::edit_kind::baby_bus_add) {
          // Exclusive stops of one bus coexist in this world (it only says who could reach what): each
          // action's sites get a bus of their own here.
          e.bus += "@" + a.id;
          for (auto& f : e.facilities) {
            f.bus = e.bus;
          }
        }
        all_spec.edits.push_back(std::move(e));
      }
    }
    all = scenarios::apply_edits(all_spec, base.territory);
    {
      scenarios::bus_access_options o;
      o.progress = show;
      o.service_date = request.date.empty() ? base.spec.date : request.date;
      all.bus = scenarios::compute_bus_access(base.territory, all, params, all_spec.edits, o);
      all.roads = scenarios::compute_road_access(base.territory, all, params);
    }
    clock.lap("world with every action (edits, bus times)");
    std::unordered_map<std::string, std::size_t> index_in_all;
    for (std::size_t k = 0; k < all.facilities.size(); ++k) {
      index_in_all[all.facilities.id[sim::facility_idx::from(k)]] = k;
    }
    effects.resize(actions.size());
    for (std::size_t i = 0; i < actions.size(); ++i) {
      auto& e = effects[i];
      e.bus_service = actions[i].type == "bus_service";
      if (!actions[i].site) {
        for (auto const& [id, added] : deltas[i].facilities) {
          auto const k = sim::facility_idx::from(index_in_all.at(id));
          e.facilities.push_back(k);
          e.capacity.push_back({k, added});
        }
        continue;
      }
      for (auto const& e0 : actions[i].edits) {
        for (auto const& f : e0.facilities) {
          auto const k = sim::facility_idx::from(index_in_all.at(f.id));
          e.facilities.push_back(k);
          e.capacity.push_back({k, static_cast<double>(sim::avip_cap(all, params, k))});
        }
      }
      if (!actions[i].cost) {
        cost[i] = std::max(0.0, sim::compute_cost(sites_world(all, e.facilities), params).total);
      }
    }
    if (!all_costed) {
      check_budget();
    }
    std::vector<std::int32_t> group(actions.size(), -1);
    std::map<std::string, std::int32_t> group_ids;
    for (std::size_t i = 0; i < actions.size(); ++i) {
      if (!actions[i].group.empty()) {
        group[i] = group_ids.try_emplace(actions[i].group, static_cast<std::int32_t>(group_ids.size()))
                       .first->second;
      }
    }

    auto t0 = std::chrono::steady_clock::now();
    auto const cu = sim::build_candidates(all, params);
    auto const full =
        build_coverage_model(base.world, all, params, c0, cu, effects, cost, group, request.goal);
    std::vector<std::uint32_t> kept;
    model = without_useless_actions(full, kept);
    model_actions = model.actions();
    for (auto const a : kept) {
      useful_sites += actions[a].site ? 1 : 0;
    }
    build_seconds = seconds_since(t0);
    model_base = covered(model, {});
    clock.lap(
        fmt::format("coverage model ({} of {} actions can add coverage)", model.actions(), actions.size()));
    // Back from the model's actions to the candidates'.
    auto to_actions = [&](portfolio p) {
      for (auto& a : p.actions) {
        a = kept[a];
      }
      return p;
    };

    // Solve for every budget.
    {
      progress bar{"optimize: solve", budgets.size(), show};
      for (double b : budgets) {
        limits l{b, max_actions.value_or(-1)};
        solved s;
        s.budget = b;
        t0 = std::chrono::steady_clock::now();
        auto const g = greedy(model, l);
        s.greedy_seconds = seconds_since(t0);
        // CBC starts from the better of the greedy and the smaller budget's best portfolio filled
        // greedily (feasible here: budgets grow).
        auto start = g;
        if (!curve.empty() && curve.back().mip.has_solution) {
          auto const& previous = curve.back().mip.best_in_model;
          auto filled = greedy(model, l, previous);
          if (filled.covered > start.covered + 1e-9) {
            start = std::move(filled);
          }
        }
        s.mip = solve_mip(model, l, request.time_limit_seconds, &start, request.mip_gap);
        s.mip.best_in_model = s.mip.best.actions;
        s.greedy = to_actions(g);
        s.mip.best = to_actions(s.mip.best);
        curve.push_back(std::move(s));
        bar.advance();
      }
    }
    clock.lap(fmt::format("solve ({} budgets, greedy and MIP)", budgets.size()));

    // Portfolios to simulate: each budget's greedy and MIP (when different).
    for (auto const& s : curve) {
      std::vector<std::uint32_t> g_sorted = s.greedy.actions;
      std::sort(g_sorted.begin(), g_sorted.end());
      candidate_portfolio g{fmt::format("greedy-{:.0f}", s.budget),
                            "greedy",
                            s.budget,
                            s.greedy,
                            "heuristic (lazy cost-benefit greedy)",
                            std::numeric_limits<double>::quiet_NaN(),
                            std::numeric_limits<double>::quiet_NaN(),
                            {}};
      std::size_t best_here = portfolios.size();
      portfolios.push_back(g);
      if (s.mip.has_solution) {
        std::vector<std::uint32_t> m_sorted = s.mip.best.actions;
        std::sort(m_sorted.begin(), m_sorted.end());
        candidate_portfolio m{fmt::format("mip-{:.0f}", s.budget),
                              "mip",
                              s.budget,
                              s.mip.best,
                              s.mip.status,
                              s.mip.gap,
                              s.mip.bound,
                              {}};
        if (m_sorted != g_sorted) {
          portfolios.push_back(m);
          if (m.p.covered > g.p.covered + 1e-9) {
            best_here = portfolios.size() - 1;
          }
        } else {
          portfolios.back().method = "greedy = mip";
          portfolios.back().status = s.mip.status;
          portfolios.back().gap = s.mip.gap;
          portfolios.back().bound = s.mip.bound;
        }
      }
      if (s.budget == *budget) {
        recommended = best_here;
      }
    }
    // Identical portfolios are simulated once.
    json texts = json::array();
    for (auto& c : portfolios) {
      std::vector<std::uint32_t> key = c.p.actions;
      std::sort(key.begin(), key.end());
      auto const it = std::find(distinct.begin(), distinct.end(), key);
      c.unique = static_cast<std::size_t>(it - distinct.begin());
      if (it == distinct.end()) {
        distinct.push_back(key);
        json edits = json::array();
        for (auto a : c.p.actions) {
          edits.push_back(actions[a].edit_json);
        }
        texts.push_back(edits);
      }
    }
    shared = texts.dump();
  }

  // Scenario files: base + the actions' edits. `base` is relative to the folder the file lands in
  // (the staging folder sits beside the target, so the path holds once it is moved into place).
  auto const target = fs::absolute(request.target).lexically_normal();
  auto const base_abs = fs::weakly_canonical(fs::absolute(request.base));
  auto scenario_json = [&](candidate_portfolio const& c, fs::path const& folder_in_target) {
    json j;
    j["name"] = fmt::format("Optimisation {} ({}, budget {})", c.method, objective_name(request.goal),
                            budget_text(c.budget));
    j["description"] = fmt::format(
        "avipsim optimize: {} actions from {} for {:.0f} € a year, chosen by {} ({}); coverage model: {:.2f} "
        "families a year.",
        c.p.actions.size(), request.candidates.filename().string(), c.p.cost, c.method, c.status,
        c.p.covered);
    j["base"] = base_abs.lexically_relative(folder_in_target).string();
    j["replications"] = reps;
    j["seed"] = seed;
    json edits = json::array();
    for (auto a : c.p.actions) {
      edits.push_back(json::parse(actions[a].edit_json));
    }
    j["edits"] = edits;
    return j;
  };
  if (root) {
    fs::create_directories(dir / "portfolios");
    for (auto& c : portfolios) {
      c.file = dir / "portfolios" / (c.name + ".json");
      viz::detail::write_text(c.file, scenario_json(c, target / "portfolios").dump(2) + "\n");
    }
    viz::detail::write_text(dir / "recommendation.json",
                            scenario_json(portfolios[recommended], target).dump(2) + "\n");
  }

  // Simulation on common random numbers against the base: item 0 is the base, item i the distinct
  // portfolio i − 1; item i runs on rank i mod size, its results reach rank 0 bit for bit.
  double sim_base = 0;
  double sim_base_referred = 0;
  if (request.simulate) {
    auto const texts = json::parse(partition.broadcast(shared));
    std::size_t const items = 1 + texts.size();
    sim::run_options o;
    o.replications = reps;
    o.seed = seed;
    o.progress = show;
    std::vector<std::string> ran;
    for (auto const i : partition.mine(items)) {
      if (i == 0) {
        ran.push_back(sim::encode_results(sim::run(base.world, params, o)));
        continue;
      }
      std::vector<std::string> edit_texts;
      for (auto const& e : texts[i - 1]) {
        edit_texts.push_back(e.get<std::string>());
      }
      auto spec = base.spec;
      auto const more = portfolio_edits(edit_texts, request.candidates);
      spec.edits.insert(spec.edits.end(), more.begin(), more.end());
      if (!request.date.empty()) {
        spec.date = request.date;
      }
      // As `run` prepares the portfolio's scenario file, without reading the territory again.
      auto w = scenarios::apply_edits(spec, base.territory);
      scenarios::bus_access_options bo;
      bo.progress = show;
      bo.service_date = spec.date;
      w.bus = scenarios::compute_bus_access(base.territory, w, spec.params, spec.edits, bo);
      w.roads = scenarios::compute_road_access(base.territory, w, spec.params);
      ran.push_back(sim::encode_results(sim::run(w, spec.params, o)));
    }
    auto const results = partition.gather_items(ran, items);
    if (root) {
      auto const base_run = sim::decode_results(results[0]);
      sim_base = indicator(base_run, request.goal).mean();
      sim_base_referred = request.goal == objective::all ? base_run.island.referred.mean()
                          : request.goal == objective::priority_qpv
                              ? base_run.qpv.priority_referred.mean()
                              : base_run.island.priority_referred.mean();
      std::vector<std::optional<std::tuple<double, double, double, double, double, double, double>>> figures(
          distinct.size());
      for (auto& c : portfolios) {
        auto& f = figures[c.unique];
        if (!f) {
          auto const r = sim::decode_results(results[1 + c.unique]);
          auto const cmp = sim::compare({"base", c.name}, {&base_run, &r});
          auto const& s = indicator(r, request.goal);
          auto const& d = delta_indicator(cmp.deltas[1], request.goal);
          f = std::make_tuple(s.mean(), s.lo(), s.hi(), d.mean(), d.lo(), d.hi(), r.cost.total);
        }
        std::tie(c.sim_mean, c.sim_lo, c.sim_hi, c.delta_mean, c.delta_lo, c.delta_hi, c.sim_cost) = *f;
        c.simulated = true;
      }
    }
    clock.lap(fmt::format("simulation ({} runs of {} replications)", items, reps));
  }
  if (!root) {
    return out;
  }

  auto const& rec = portfolios[recommended];

  // Outputs.
  report_data rd;
  rd.title = fmt::format("avipsim optimize — {}", base.spec.name);
  rd.objective = objective_name(request.goal);
  rd.base_name = base.spec.name;
  rd.candidates_file = request.candidates.string();
  rd.actions_count = actions.size();
  rd.model_nodes = model.nodes();
  rd.model_arcs = model.arc_facility.size();
  rd.model_facilities = model.facilities();
  rd.model_total_demand = model.total_demand;
  rd.model_base = model_base;
  rd.model_actions = model_actions;
  rd.populated_cells = populated_cells;
  rd.unmet_cells = unmet_cells;
  rd.grid_sites = grid_proposed;
  rd.site_actions = cands.site_actions;
  rd.useful_sites = useful_sites;
  rd.sites_mode = request.sites;
  rd.build_seconds = build_seconds;
  rd.sim_base = sim_base;
  rd.sim_base_referred = sim_base_referred;
  rd.replications = reps;
  rd.seed = seed;
  rd.simulated = request.simulate;
  rd.epsg = all.epsg;
  for (auto const& s : curve) {
    report_data::budget_row b;
    b.budget = s.budget;
    b.greedy = s.greedy.covered;
    b.greedy_cost = s.greedy.cost;
    b.greedy_actions = s.greedy.actions.size();
    b.greedy_seconds = s.greedy_seconds;
    b.mip_available = s.mip.available;
    b.mip_has_solution = s.mip.has_solution;
    b.mip = s.mip.best.covered;
    b.mip_cost = s.mip.best.cost;
    b.mip_actions = s.mip.best.actions.size();
    b.mip_bound = s.mip.bound;
    b.mip_gap = s.mip.gap;
    b.mip_seconds = s.mip.seconds;
    b.mip_status = s.mip.status;
    b.mip_optimal = s.mip.proven_optimal;
    b.mip_variables = s.mip.variables;
    b.mip_constraints = s.mip.constraints;
    rd.budgets.push_back(b);
  }
  for (auto const& c : portfolios) {
    report_data::portfolio_row p;
    p.name = c.name;
    p.method = c.method;
    p.budget = c.budget;
    p.cost = c.p.cost;
    p.actions = c.p.actions.size();
    p.model = c.p.covered;
    p.status = c.status;
    p.gap = c.gap;
    p.simulated = c.simulated;
    p.sim_mean = c.sim_mean;
    p.sim_lo = c.sim_lo;
    p.sim_hi = c.sim_hi;
    p.delta_mean = c.delta_mean;
    p.delta_lo = c.delta_lo;
    p.delta_hi = c.delta_hi;
    p.sim_cost = c.sim_cost;
    p.recommended = &c == &portfolios[recommended];
    rd.portfolios.push_back(p);
  }
  auto const& fa = all.facilities;
  for (std::size_t i = 0; i < rec.p.actions.size(); ++i) {
    auto const a = rec.p.actions[i];
    report_data::action_row r;
    r.id = actions[a].id;
    r.title = actions[a].title;
    r.type = actions[a].type;
    r.cost = cost[a];
    r.cost_note = actions[a].cost_note.empty() ? (actions[a].cost ? "donné" : "modèle de coût (sim/cost.cpp)")
                                               : actions[a].cost_note;
    r.gain = rec.p.marginal[i];
    r.rank = static_cast<int>(i + 1);
    if (!effects[a].facilities.empty()) {
      auto const k = effects[a].facilities.front();
      r.site = fa.name[k].empty() ? fa.id[k] : fa.name[k];
      r.site_id = fa.id[k];
      auto const c = fa.commune[k];
      r.commune = c.valid() ? all.communes.name[c] : "";
      r.x = fa.location[k].x;
      r.y = fa.location[k].y;
      r.has_point = true;
      r.sites = effects[a].facilities.size();
    }
    rd.chosen.push_back(r);
  }
  for (std::size_t k = 0; k < fa.size(); ++k) {
    auto const kk = sim::facility_idx::from(k);
    if (k < n0) {
      rd.facility_points.push_back(
          {fa.location[kk].x, fa.location[kk].y, base.world.facilities.avip[kk] != 0});
    }
  }
  rd.timings = out.timings;
  write_optimize_outputs(dir, rd);
  clock.lap("outputs");

  out.budget = *budget;
  out.method = rec.method;
  out.model_base = model_base;
  for (auto const& s : curve) {
    if (s.budget == *budget) {
      out.model_greedy = s.greedy.covered;
      out.model_mip = s.mip.best.covered;
      out.mip_bound = s.mip.bound;
      out.mip_gap = s.mip.gap;
      out.mip_status = s.mip.status;
      out.greedy_seconds = s.greedy_seconds;
      out.mip_seconds = s.mip.seconds;
    }
  }
  out.sim_base = sim_base;
  out.sim_recommended = rec.sim_mean;
  out.sim_delta = rec.delta_mean;
  out.sim_delta_lo = rec.delta_lo;
  out.sim_delta_hi = rec.delta_hi;
  out.cost = rec.p.cost;
  out.actions = rec.p.actions.size();
  return out;
}

}  // namespace avip::optimize
