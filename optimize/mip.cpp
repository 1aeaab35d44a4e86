#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>

#ifdef AVIP_HAVE_CBC
#include <Cbc_C_Interface.h>
#include <ClpSimplex.hpp>
#include <OsiClpSolverInterface.hpp>
#endif

#include "optimize/solvers.hpp"

namespace avip::optimize {

#ifdef AVIP_HAVE_CBC

namespace {

/// Demand in thousandths of a family, so that CBC's absolute tolerances (1e-6 and the like) stay far
/// below the objective's unit.
constexpr double kScale = 1000.0;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string status_text(int status, int secondary, bool optimal, bool has_solution) {
  if (optimal) {
    return "optimal (CBC: search completed)";
  }
  std::string s;
  switch (secondary) {
    case 1:
      s = "linear relaxation infeasible";
      break;
    case 2:
      s = "stopped on the allowed gap";
      break;
    case 3:
      s = "stopped on the node limit";
      break;
    case 4:
      s = "stopped on the time limit";
      break;
    case 5:
      s = "stopped by the user";
      break;
    case 6:
      s = "stopped on the solution limit";
      break;
    case 7:
      s = "linear relaxation unbounded";
      break;
    case 8:
      s = "stopped on the iteration limit";
      break;
    default:
      s = fmt::format("status {} / {}", status, secondary);
      break;
  }
  return s + (has_solution ? ", best solution kept" : ", no integer solution");
}

}  // namespace

mip_result solve_mip(coverage_model const& m, limits const& l, double time_limit_seconds,
                     portfolio const* start, double relative_gap) {
  auto const t0 = std::chrono::steady_clock::now();
  mip_result r;
  r.available = true;
  auto const na = static_cast<int>(m.actions());
  auto const narcs = static_cast<int>(m.arc_facility.size());
  auto const nn = static_cast<int>(m.nodes());
  auto const nf = static_cast<int>(m.facilities());
  // Columns: the actions (binary), then per arc what it carries of its node's demand: its flow in
  // thousandths of a family when capacities bind (places are counted in families), else its share (0–1:
  // every gating row then reads share ≤ Σ actions with unit coefficients, as an MCLP's coverage rows do,
  // which CBC solves faster on large set-cover-like models). unit(n): the column's value for all of it.
  // Rows: nodes, facilities, gated arcs, budget, count, groups.
  bool const shares = capacities_never_bind(m);
  auto unit = [&](int n) { return shares ? 1.0 : m.demand[static_cast<std::size_t>(n)] * kScale; };
  std::vector<std::vector<std::pair<int, double>>> cols(static_cast<std::size_t>(na + narcs));
  std::vector<double> row_lo;
  std::vector<double> row_hi;
  auto new_row = [&](double hi) {
    row_lo.push_back(-std::numeric_limits<double>::max());
    row_hi.push_back(hi);
    return static_cast<int>(row_hi.size() - 1);
  };
  std::vector<int> arc_node(static_cast<std::size_t>(narcs));
  for (int n = 0; n < nn; ++n) {
    auto const b = m.arc_offsets[static_cast<std::size_t>(n)];
    auto const e = m.arc_offsets[static_cast<std::size_t>(n) + 1];
    // A node of one arc needs no demand row: the arc's own upper bound is the demand.
    int const row = e - b > 1 ? new_row(unit(n)) : -1;
    for (auto a = b; a < e; ++a) {
      if (row >= 0) {
        cols[static_cast<std::size_t>(na) + a].push_back({row, 1.0});
      }
      arc_node[a] = n;
    }
  }
  // Facilities with room for all the demand that can reach them need no capacity row.
  std::vector<double> reach(static_cast<std::size_t>(nf), 0.0);
  for (int a = 0; a < narcs; ++a) {
    reach[m.arc_facility[static_cast<std::size_t>(a)]] +=
        m.demand[static_cast<std::size_t>(arc_node[static_cast<std::size_t>(a)])];
  }
  std::vector<int> fac_row(static_cast<std::size_t>(nf), -1);
  for (int k = 0; k < nf; ++k) {
    if (m.base_capacity[static_cast<std::size_t>(k)] >= reach[static_cast<std::size_t>(k)] - 1e-9) {
      continue;
    }
    fac_row[static_cast<std::size_t>(k)] = new_row(m.base_capacity[static_cast<std::size_t>(k)] * kScale);
    for (auto i = m.cap_offsets[static_cast<std::size_t>(k)];
         i < m.cap_offsets[static_cast<std::size_t>(k) + 1]; ++i) {
      cols[m.cap_action[i]].push_back({fac_row[static_cast<std::size_t>(k)], -m.cap_amount[i] * kScale});
    }
  }
  for (int a = 0; a < narcs; ++a) {
    int const n = arc_node[static_cast<std::size_t>(a)];
    if (int const row = fac_row[m.arc_facility[static_cast<std::size_t>(a)]]; row >= 0) {
      cols[static_cast<std::size_t>(na + a)].push_back(
          {row, m.demand[static_cast<std::size_t>(n)] * kScale / unit(n)});
    }
    auto const e = m.arc_enabler[static_cast<std::size_t>(a)];
    if (e == 0) {
      continue;
    }
    int const row = new_row(0.0);
    cols[static_cast<std::size_t>(na + a)].push_back({row, 1.0});
    for (auto i = m.enabler_offsets[e]; i < m.enabler_offsets[e + 1]; ++i) {
      cols[m.enabler_action[i]].push_back({row, -unit(n)});
    }
  }
  int const budget_row = new_row(l.budget);
  for (int a = 0; a < na; ++a) {
    cols[static_cast<std::size_t>(a)].push_back({budget_row, m.cost[static_cast<std::size_t>(a)]});
  }
  if (l.max_actions >= 0) {
    int const row = new_row(l.max_actions);
    for (int a = 0; a < na; ++a) {
      cols[static_cast<std::size_t>(a)].push_back({row, 1.0});
    }
  }
  if (m.groups > 0) {
    int const first = static_cast<int>(row_hi.size());
    for (int g = 0; g < m.groups; ++g) {
      new_row(1.0);
    }
    for (int a = 0; a < na; ++a) {
      if (m.group[static_cast<std::size_t>(a)] >= 0) {
        cols[static_cast<std::size_t>(a)].push_back({first + m.group[static_cast<std::size_t>(a)], 1.0});
      }
    }
  }
  std::vector<CoinBigIndex> starts{0};
  std::vector<int> index;
  std::vector<double> value;
  std::vector<double> lb(cols.size(), 0.0);
  std::vector<double> ub(cols.size(), 1.0);
  std::vector<double> obj(cols.size(), 0.0);
  for (std::size_t c = 0; c < cols.size(); ++c) {
    for (auto const& [row, v] : cols[c]) {
      index.push_back(row);
      value.push_back(v);
    }
    starts.push_back(static_cast<CoinBigIndex>(index.size()));
    if (c >= static_cast<std::size_t>(na)) {
      int const n = arc_node[c - static_cast<std::size_t>(na)];
      ub[c] = unit(n);
      obj[c] = m.demand[static_cast<std::size_t>(n)] * kScale / unit(n);
    }
  }
  r.variables = static_cast<int>(cols.size());
  r.constraints = static_cast<int>(row_hi.size());
  // In the set-cover form, the start is first improved by swaps, and the Lagrangian relaxation gives a
  // bound in a few seconds: on large maximal-covering models Clp's root relaxation can take far longer
  // than the limit, and that bound is then what proves the gap.
  portfolio improved;
  if (shares && start != nullptr && !start->actions.empty()) {
    improved = improve_by_swaps(m, l, *start, 0.1 * time_limit_seconds);
    start = &improved;
  }
  double lagrangian = std::numeric_limits<double>::infinity();
  std::string lagrangian_text;
  if (shares) {
    double const lower = start != nullptr && !start->actions.empty() ? start->covered : m.constant;
    auto const lag = lagrangian_bound(m, l, lower, 0.15 * time_limit_seconds);
    lagrangian = std::max(lag.bound, lower);
    lagrangian_text = fmt::format("; Lagrangian bound {:.3f} ({} subgradient iterations, {:.1f} s)",
                                  lag.bound, lag.iterations, lag.seconds);
  }
  // When CBC has no result: the start is kept, with the Lagrangian bound in the set-cover form.
  auto without_cbc = [&](std::string status) {
    r.status = std::move(status);
    if (start != nullptr && !start->actions.empty()) {
      r.best = *start;
      r.has_solution = true;
      r.status += ", start solution kept";
    } else {
      r.status += ", no integer solution";
    }
    r.bound = r.has_solution ? std::max(lagrangian, r.best.covered) : lagrangian;
    r.status += lagrangian_text;
    r.gap = r.has_solution && std::isfinite(r.bound) && r.best.covered > 0
                ? (r.bound - r.best.covered) / r.best.covered
                : std::numeric_limits<double>::infinity();
    r.seconds = seconds_since(t0);
    return r;
  };
  // CBC solves the root relaxation before its own time limit applies, and on large set-cover-like models
  // that one LP can take far longer than the limit. So the root is first solved by Clp alone, under a
  // wall-clock deadline: when that fails, CBC does not run. CBC then solves the root again (giving it the
  // basis would need its C++ interface, through which its search differed and now and then spun to the
  // time limit on a four-action model), so the limit can be exceeded by about one root solve.
  {
    OsiClpSolverInterface probe;
    probe.messageHandler()->setLogLevel(0);
    probe.loadProblem(static_cast<int>(cols.size()), static_cast<int>(row_hi.size()), starts.data(),
                      index.data(), value.data(), lb.data(), ub.data(), obj.data(), row_lo.data(),
                      row_hi.data());
    probe.setObjSense(-1.0);  // maximise
    probe.getModelPtr()->setMaximumWallSeconds(std::max(0.0, time_limit_seconds - seconds_since(t0)));
    probe.initialSolve();
    r.root_solved = probe.isProvenOptimal();
    if (r.root_solved) {
      r.root_bound = m.constant + probe.getObjValue() / kScale;
    }
  }
  if (!r.root_solved) {
    return without_cbc("stopped on the time limit before the root linear relaxation was solved (Clp)");
  }
  Cbc_Model* model = Cbc_newModel();
  Cbc_loadProblem(model, static_cast<int>(cols.size()), static_cast<int>(row_hi.size()), starts.data(),
                  index.data(), value.data(), lb.data(), ub.data(), obj.data(), row_lo.data(), row_hi.data());
  Cbc_setObjSense(model, -1.0);  // maximise
  for (int a = 0; a < na; ++a) {
    Cbc_setInteger(model, a);
  }
  Cbc_setLogLevel(model, 0);
  Cbc_setMaximumSeconds(model, std::max(0.0, time_limit_seconds - seconds_since(t0)));
  // No "threads" parameter: CBC then searches in the calling thread. With "-threads 1" CBC 2.10 hands the
  // search to one worker thread, and now and then the main thread waited for it until the time limit
  // ("Thread 0 used 0 times, waiting to start 10.0"), even on a four-action model.
  Cbc_setParameter(model, "timeMode", "elapsed");  // the limit is wall-clock time, not CPU time
  if (start != nullptr && !start->actions.empty()) {
    std::vector<int> idx(static_cast<std::size_t>(na));
    std::vector<double> val(static_cast<std::size_t>(na), 0.0);
    for (int a = 0; a < na; ++a) {
      idx[static_cast<std::size_t>(a)] = a;
    }
    for (auto a : start->actions) {
      val[a] = 1.0;
    }
    Cbc_setMIPStartI(model, na, idx.data(), val.data());
  }
  double allowable = 0.0;  // families a year
  if (relative_gap > 0) {
    // The gap is that of the covered demand, the constant included; CBC's objective leaves the constant
    // out, so the tolerance is given absolute, from a lower bound of the optimum (the start's coverage).
    double const lower = start != nullptr ? start->covered : m.constant;
    allowable = relative_gap * std::max(lower, 1e-3);
    Cbc_setAllowableGap(model, allowable * kScale);
  }
  Cbc_solve(model);
  r.cbc_status = Cbc_status(model);
  r.cbc_secondary_status = Cbc_secondaryStatus(model);
  r.proven_optimal = Cbc_isProvenOptimal(model) != 0;
  auto const nodes = Cbc_getNodeCount(model);
  double const* x = Cbc_bestSolution(model);
  r.has_solution = x != nullptr;
  // The root relaxation's value is a bound; CBC's best possible value is one only once its search has
  // begun: stopped in the root node, CBC 2.10 gives its incumbent's value there. A search completed at the
  // root proves the incumbent within the allowed gap.
  r.bound = std::min(r.root_bound, lagrangian);
  if (nodes > 0) {
    r.bound = std::min(r.bound, m.constant + Cbc_getBestPossibleObjValue(model) / kScale);
  }
  if (r.has_solution) {
    std::vector<std::uint32_t> chosen;
    for (int a = 0; a < na; ++a) {
      if (x[a] > 0.5) {
        chosen.push_back(static_cast<std::uint32_t>(a));
      }
    }
    r.best = order_by_gain(m, chosen);
    if (nodes == 0 && r.proven_optimal) {
      r.bound = std::min(r.bound, r.best.covered + allowable);
    }
    // The portfolio's coverage is recomputed by maximum flow (the figure the greedy reports too); CBC's
    // bound is raised to it when tolerances leave it a hair below.
    r.bound = std::max(r.bound, r.best.covered);
    r.gap = r.best.covered > 0 ? (r.bound - r.best.covered) / r.best.covered : 0.0;
    r.gap = std::max(0.0, r.gap);
  }
  Cbc_deleteModel(model);
  if (!r.has_solution) {
    return without_cbc(
        "stopped on the time limit in CBC's root node, before it read the start or found a solution");
  }
  r.status = status_text(r.cbc_status, r.cbc_secondary_status, r.proven_optimal, r.has_solution);
  if (r.proven_optimal && relative_gap > 0 && r.gap > 1e-9) {
    r.status = fmt::format("optimal within the allowed gap of {:g} % (CBC; proven gap {:.3f} %)",
                           100 * relative_gap, 100 * r.gap);
  }
  r.status += lagrangian_text;
  r.seconds = seconds_since(t0);
  return r;
}

#else

mip_result solve_mip(coverage_model const& /*m*/, limits const& /*l*/, double /*time_limit_seconds*/,
                     portfolio const* /*start*/, double /*relative_gap*/) {
  mip_result r;
  r.status = "not available: avipsim was built without CBC (apt-get install coinor-libcbc-dev, then rebuild)";
  return r;
}

#endif

}  // namespace avip::optimize
