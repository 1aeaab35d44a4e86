#include "optimize/optimizer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <limits>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/progress.hpp"
#include "geo/geometry_ops.hpp"
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
#include "sim/replication.hpp"
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

}  // namespace

optimize_summary optimize_into(optimize_request const& request, fs::path const& dir) {
  auto const cands = read_candidate_file(request.candidates);
  auto const& actions = cands.actions;
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

  auto base = scenarios::prepare(request.base, true, request.progress, request.date);
  auto const& params = base.spec.params;
  auto const n0 = base.world.facilities.size();

  // Each action alone on the base: what it touches, the places it adds, its cost.
  scenarios::problems problems{request.candidates.string()};
  std::vector<sim::world> alone;
  alone.reserve(actions.size());
  {
    progress bar{"optimize: actions", actions.size(), request.progress};
    for (auto const& a : actions) {
      auto spec = base.spec;
      spec.edits.insert(spec.edits.end(), a.edits.begin(), a.edits.end());
      try {
        alone.push_back(scenarios::apply_edits(spec, base.territory));
      } catch (scenario_error const& e) {
        problems.add_message(e.what());
        alone.push_back(base.world);
      }
      bar.advance();
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
  double const base_cost = sim::compute_cost(base.world, params).total;
  std::vector<double> cost(actions.size());
  std::vector<std::int32_t> group(actions.size(), -1);
  std::map<std::string, std::int32_t> group_ids;
  for (std::size_t i = 0; i < actions.size(); ++i) {
    cost[i] = actions[i].cost ? *actions[i].cost : sim::compute_cost(alone[i], params).total - base_cost;
    cost[i] = std::max(0.0, cost[i]);
    if (!actions[i].group.empty()) {
      group[i] =
          group_ids.try_emplace(actions[i].group, static_cast<std::int32_t>(group_ids.size())).first->second;
    }
  }
  double const cheapest = *std::min_element(cost.begin(), cost.end());
  auto const cheapest_at =
      actions[static_cast<std::size_t>(std::min_element(cost.begin(), cost.end()) - cost.begin())].pointer;
  if (*budget < cheapest) {
    problems.add("/actions", fmt::format("the budget of {:.0f} € a year is below every action's cost (the "
                                         "cheapest, {:.0f} €, is {})",
                                         *budget, cheapest, cheapest_at));
  }
  problems.throw_if_any();

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
  auto all = scenarios::apply_edits(all_spec, base.territory);
  {
    scenarios::bus_access_options o;
    o.progress = request.progress;
    o.service_date = request.date.empty() ? base.spec.date : request.date;
    all.bus = scenarios::compute_bus_access(base.territory, all, params, all_spec.edits, o);
    all.roads = scenarios::compute_road_access(base.territory, all, params);
  }
  std::map<std::string, std::size_t> index_in_all;
  for (std::size_t k = 0; k < all.facilities.size(); ++k) {
    index_in_all[all.facilities.id[sim::facility_idx::from(k)]] = k;
  }
  std::vector<action_effect> effects(actions.size());
  for (std::size_t i = 0; i < actions.size(); ++i) {
    auto const& w = alone[i];
    for (std::size_t k = 0; k < w.facilities.size(); ++k) {
      auto const kk = sim::facility_idx::from(k);
      bool const fresh = k >= n0;
      if (!fresh && !facility_changed(base.world, w, k)) {
        continue;
      }
      auto const in_all = sim::facility_idx::from(index_in_all.at(w.facilities.id[kk]));
      effects[i].facilities.push_back(in_all);
      double const before = fresh ? 0.0 : sim::avip_cap(base.world, params, kk);
      effects[i].capacity.push_back({in_all, sim::avip_cap(w, params, kk) - before});
    }
    effects[i].bus_service = actions[i].type == "bus_service";
  }

  auto t0 = std::chrono::steady_clock::now();
  auto const model = build_coverage_model(base.world, all, params, effects, cost, group, request.goal);
  double const build_seconds = seconds_since(t0);
  double const model_base = covered(model, {});

  // Solve for every budget.
  struct solved {
    double budget;
    portfolio greedy;
    double greedy_seconds;
    mip_result mip;
  };
  std::vector<solved> curve;
  {
    progress bar{"optimize: solve", budgets.size(), request.progress};
    for (double b : budgets) {
      limits l{b, max_actions.value_or(-1)};
      solved s;
      s.budget = b;
      t0 = std::chrono::steady_clock::now();
      s.greedy = greedy(model, l);
      s.greedy_seconds = seconds_since(t0);
      s.mip = solve_mip(model, l, request.time_limit_seconds, &s.greedy);
      curve.push_back(std::move(s));
      bar.advance();
    }
  }

  // Portfolios to simulate: each budget's greedy and MIP (when different).
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
  };
  std::vector<candidate_portfolio> portfolios;
  std::size_t recommended = 0;
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

  // Scenario files: base + the actions' edits. `base` is relative to the folder the file lands in
  // (the staging folder sits beside the target, so the path holds once it is moved into place).
  auto const target = fs::absolute(request.target).lexically_normal();
  auto const base_abs = fs::weakly_canonical(fs::absolute(request.base));
  int const reps = request.replications.value_or(base.spec.replications);
  std::uint64_t const seed = request.seed.value_or(base.spec.seed);
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
  fs::create_directories(dir / "portfolios");
  for (auto& c : portfolios) {
    c.file = dir / "portfolios" / (c.name + ".json");
    viz::detail::write_text(c.file, scenario_json(c, target / "portfolios").dump(2) + "\n");
  }
  viz::detail::write_text(dir / "recommendation.json",
                          scenario_json(portfolios[recommended], target).dump(2) + "\n");

  // Simulation on common random numbers against the base.
  double sim_base = 0;
  double sim_base_referred = 0;
  if (request.simulate) {
    sim::run_options o;
    o.replications = reps;
    o.seed = seed;
    o.progress = request.progress;
    auto const base_run = sim::run(base.world, params, o);
    sim_base = indicator(base_run, request.goal).mean();
    sim_base_referred = request.goal == objective::all            ? base_run.island.referred.mean()
                        : request.goal == objective::priority_qpv ? base_run.qpv.priority_referred.mean()
                                                                  : base_run.island.priority_referred.mean();
    std::map<std::string, std::size_t> done;  // identical portfolios are simulated once
    for (auto& c : portfolios) {
      std::vector<std::uint32_t> key = c.p.actions;
      std::sort(key.begin(), key.end());
      auto const k = fmt::format("{}", fmt::join(key, ","));
      if (auto it = done.find(k); it != done.end()) {
        auto const& d = portfolios[it->second];
        std::tie(c.sim_mean, c.sim_lo, c.sim_hi, c.delta_mean, c.delta_lo, c.delta_hi, c.sim_cost) =
            std::tie(d.sim_mean, d.sim_lo, d.sim_hi, d.delta_mean, d.delta_lo, d.delta_hi, d.sim_cost);
        c.simulated = true;
        continue;
      }
      auto const prep = scenarios::prepare(c.file, true, request.progress, request.date);
      auto const r = sim::run(prep.world, prep.spec.params, o);
      auto const cmp = sim::compare({"base", c.name}, {&base_run, &r});
      auto const& s = indicator(r, request.goal);
      auto const& d = delta_indicator(cmp.deltas[1], request.goal);
      c.sim_mean = s.mean();
      c.sim_lo = s.lo();
      c.sim_hi = s.hi();
      c.delta_mean = d.mean();
      c.delta_lo = d.lo();
      c.delta_hi = d.hi();
      c.sim_cost = r.cost.total;
      c.simulated = true;
      done[k] = static_cast<std::size_t>(&c - portfolios.data());
    }
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
  write_optimize_outputs(dir, rd);

  optimize_summary out;
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
