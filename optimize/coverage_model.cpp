#include "optimize/coverage_model.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "sim/candidates.hpp"
#include "sim/replication.hpp"

namespace avip::optimize {

namespace {

/// sim/replication.cpp: a child enters school in the September after it is 33 months old.
constexpr int kSchoolAgeMonths = 33;

}  // namespace

std::string objective_name(objective o) {
  switch (o) {
    case objective::all:
      return "all";
    case objective::priority_qpv:
      return "priority_qpv";
    case objective::priority:
      break;
  }
  return "priority";
}

bool counts(sim::world const& w, sim::family_idx f, objective o) {
  switch (o) {
    case objective::all:
      return true;
    case objective::priority_qpv:
      return w.families.priority(f) && w.families.qpv[f].valid();
    case objective::priority:
      break;
  }
  return w.families.priority(f);
}

std::pair<double, int> expected_referrals(sim::world const& w, sim::params const& p, sim::family_idx f) {
  int const warmup = std::clamp(p.warmup_months, 0, 120);
  int const months = warmup + std::clamp(p.horizon_months, 1, 120);
  auto const age_at = [&](int m) {
    return static_cast<int>(w.families.child_age_months[f]) + (m - p.warmup_months);
  };
  auto const calendar = [&](int m) { return (((m - p.warmup_months) % 12) + 12) % 12; };
  int school = months + 1;
  for (int m = 0; m < months + 12; ++m) {
    if (calendar(m) == p.school_entry_month && age_at(m) >= kSchoolAgeMonths) {
      school = m;
      break;
    }
  }
  int const max_age = w.families.disabled_child[f] != 0 ? p.max_age_months_disabled : p.max_age_months;
  auto const eligible = [&](int m) {
    int const a = age_at(m);
    return a >= 0 && a <= max_age && m < school;
  };
  // Age at the middle of the reported months when the child is eligible.
  int first = -1;
  int last = -1;
  for (int m = warmup; m < months; ++m) {
    if (eligible(m)) {
      first = first < 0 ? m : first;
      last = m;
    }
  }
  int const age = first < 0 ? 0 : age_at((first + last) / 2);
  auto const given = w.families.referral_month[f];
  if (given >= 0) {
    int const m = warmup + given;
    return {m < months && eligible(m) ? 1.0 : 0.0, first < 0 ? age_at(std::min(m, months - 1)) : age};
  }
  double const p_year = sim::referral_probability(p);
  double survive = 1.0;  // not referred in an earlier year (a family is referred once)
  double d = 0.0;
  for (int y0 = 0; y0 < months; y0 += 12) {
    int const y1 = std::min(months, y0 + 12);
    int n = 0;
    int n_reported = 0;
    for (int m = y0; m < y1; ++m) {
      if (eligible(m)) {
        ++n;
        n_reported += m >= warmup ? 1 : 0;
      }
    }
    double const q = std::min(1.0, p_year * n / 12.0);
    if (n > 0) {
      d += survive * q * n_reported / n;
    }
    survive *= 1.0 - q;
  }
  return {d, age};
}

coverage_model build_coverage_model(sim::world const& base, sim::world const& all, sim::params const& p,
                                    sim::candidates const& c0, sim::candidates const& cu,
                                    std::vector<action_effect> const& effects,
                                    std::vector<double> const& cost, std::vector<std::int32_t> const& group,
                                    objective o) {
  coverage_model m;
  m.cost = cost;
  m.group = group;
  for (auto g : group) {
    m.groups = std::max(m.groups, g + 1);
  }
  auto const n0 = base.facilities.size();
  auto const nk = all.facilities.size();

  // Which actions touch each facility; which change bus service.
  std::vector<std::vector<std::uint32_t>> touched(nk);
  std::vector<std::uint32_t> bus_actions;
  std::vector<double> base_cap(nk, 0.0);
  std::vector<std::vector<std::pair<std::uint32_t, double>>> added(nk);
  for (std::size_t a = 0; a < effects.size(); ++a) {
    for (auto k : effects[a].facilities) {
      touched[k.index()].push_back(static_cast<std::uint32_t>(a));
    }
    for (auto const& [k, c] : effects[a].capacity) {
      if (c > 0) {
        added[k.index()].push_back({static_cast<std::uint32_t>(a), c});
      }
    }
    if (effects[a].bus_service) {
      bus_actions.push_back(static_cast<std::uint32_t>(a));
    }
  }
  for (std::size_t k = 0; k < n0; ++k) {
    base_cap[k] = sim::avip_cap(base, p, sim::facility_idx::from(k));
  }

  // Enablers, interned.
  std::map<std::vector<std::uint32_t>, std::uint32_t> enabler_of;
  auto intern = [&](std::vector<std::uint32_t> v) -> std::uint32_t {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    auto [it, fresh] = enabler_of.try_emplace(v, static_cast<std::uint32_t>(m.enabler_offsets.size() - 1));
    if (fresh) {
      m.enabler_action.insert(m.enabler_action.end(), v.begin(), v.end());
      m.enabler_offsets.push_back(static_cast<std::uint32_t>(m.enabler_action.size()));
    }
    return it->second;
  };

  // Per family: its arcs (world facility, enabler); families with the same arcs form one node.
  std::map<std::vector<std::uint64_t>, std::uint32_t> node_of;
  std::vector<std::vector<std::uint64_t>> node_arcs;
  std::vector<double> node_demand;
  for (std::size_t i = 0; i < base.families.size(); ++i) {
    auto const f = sim::family_idx::from(i);
    if (!counts(base, f, o)) {
      continue;
    }
    auto const [d, age] = expected_referrals(base, p, f);
    if (d <= 0) {
      continue;
    }
    m.total_demand += d;
    std::vector<std::uint64_t> arcs;
    auto in_base = [&](sim::facility_idx k) {
      auto const b = c0.facility.begin() + c0.offsets[i];
      auto const e = c0.facility.begin() + c0.offsets[i + 1];
      return std::find(b, e, k) != e;
    };
    for (auto j = c0.offsets[i]; j < c0.offsets[i + 1]; ++j) {
      auto const k = c0.facility[j];
      if (sim::fits_age(base, p, f, k, age)) {
        arcs.push_back(std::uint64_t{k.index()} << 32U);
      }
    }
    bool const by_bus = base.families.mobility_mode[f] == sim::mobility::bus;
    for (auto j = cu.offsets[i]; j < cu.offsets[i + 1]; ++j) {
      auto const k = cu.facility[j];
      if (in_base(k) || !sim::fits_age(all, p, f, k, age)) {
        continue;
      }
      auto en = touched[k.index()];
      if (by_bus) {
        en.insert(en.end(), bus_actions.begin(), bus_actions.end());
      }
      if (en.empty()) {
        continue;  // in the list only because another facility left it (max_candidates): not an action's
      }
      arcs.push_back((std::uint64_t{k.index()} << 32U) | intern(en));
    }
    std::sort(arcs.begin(), arcs.end());
    auto [it, fresh] = node_of.try_emplace(arcs, static_cast<std::uint32_t>(node_arcs.size()));
    if (fresh) {
      node_arcs.push_back(arcs);
      node_demand.push_back(0.0);
    }
    node_demand[it->second] += d;
  }

  // Facilities that always have room: an open base facility with places for every node that can reach
  // it; its base nodes are always covered.
  std::vector<double> reach(nk, 0.0);
  for (std::size_t n = 0; n < node_arcs.size(); ++n) {
    for (auto a : node_arcs[n]) {
      reach[a >> 32U] += node_demand[n];
    }
  }
  std::vector<std::int64_t> local(nk, -1);
  m.arc_offsets.push_back(0);
  for (std::size_t n = 0; n < node_arcs.size(); ++n) {
    bool always = false;
    for (auto a : node_arcs[n]) {
      auto const k = a >> 32U;
      if ((a & 0xFFFFFFFFU) == 0 && base_cap[k] >= reach[k] - 1e-12) {
        always = true;
        break;
      }
    }
    if (always) {
      m.constant += node_demand[n];
      continue;
    }
    if (node_arcs[n].empty()) {
      continue;  // nothing can ever serve it
    }
    for (auto a : node_arcs[n]) {
      auto const k = a >> 32U;
      if (local[k] < 0) {
        local[k] = static_cast<std::int64_t>(m.world_facility.size());
        m.world_facility.push_back(static_cast<std::uint32_t>(k));
      }
      m.arc_facility.push_back(static_cast<std::uint32_t>(local[k]));
      m.arc_enabler.push_back(static_cast<std::uint32_t>(a & 0xFFFFFFFFU));
    }
    m.demand.push_back(node_demand[n]);
    m.arc_offsets.push_back(static_cast<std::uint32_t>(m.arc_facility.size()));
  }
  m.cap_offsets.push_back(0);
  for (auto k : m.world_facility) {
    m.base_capacity.push_back(base_cap[k]);
    for (auto const& [a, c] : added[k]) {
      m.cap_action.push_back(a);
      m.cap_amount.push_back(c);
    }
    m.cap_offsets.push_back(static_cast<std::uint32_t>(m.cap_action.size()));
  }
  return m;
}

coverage_model without_useless_actions(coverage_model const& m, std::vector<std::uint32_t>& kept) {
  std::vector<std::uint8_t> useful(m.actions(), 0);
  for (auto const e : m.arc_enabler) {
    for (auto i = m.enabler_offsets[e]; i < m.enabler_offsets[e + 1]; ++i) {
      useful[m.enabler_action[i]] = 1;
    }
  }
  for (std::size_t i = 0; i < m.cap_action.size(); ++i) {
    useful[m.cap_action[i]] = m.cap_amount[i] > 0 ? 1 : useful[m.cap_action[i]];
  }
  kept.clear();
  std::vector<std::uint32_t> index(m.actions(), 0);
  for (std::uint32_t a = 0; a < m.actions(); ++a) {
    if (useful[a] != 0) {
      index[a] = static_cast<std::uint32_t>(kept.size());
      kept.push_back(a);
    }
  }
  coverage_model r = m;
  r.cost.clear();
  r.group.clear();
  std::vector<std::int32_t> group_index(static_cast<std::size_t>(m.groups), -1);
  r.groups = 0;
  for (auto const a : kept) {
    r.cost.push_back(m.cost[a]);
    auto g = m.group[a];
    if (g >= 0) {
      auto& gi = group_index[static_cast<std::size_t>(g)];
      if (gi < 0) {
        gi = r.groups++;
      }
      g = gi;
    }
    r.group.push_back(g);
  }
  for (auto& a : r.enabler_action) {
    a = index[a];
  }
  // Places added by a useless action reach nobody: its entries go.
  r.cap_action.clear();
  r.cap_amount.clear();
  r.cap_offsets.assign(1, 0);
  for (std::size_t k = 0; k < m.facilities(); ++k) {
    for (auto i = m.cap_offsets[k]; i < m.cap_offsets[k + 1]; ++i) {
      if (useful[m.cap_action[i]] != 0) {
        r.cap_action.push_back(index[m.cap_action[i]]);
        r.cap_amount.push_back(m.cap_amount[i]);
      }
    }
    r.cap_offsets.push_back(static_cast<std::uint32_t>(r.cap_action.size()));
  }
  return r;
}

bool capacities_never_bind(coverage_model const& m) {
  std::vector<double> reach(m.facilities(), 0.0);
  for (std::size_t n = 0; n < m.nodes(); ++n) {
    for (auto a = m.arc_offsets[n]; a < m.arc_offsets[n + 1]; ++a) {
      reach[m.arc_facility[a]] += m.demand[n];
    }
  }
  for (std::size_t k = 0; k < m.facilities(); ++k) {
    if (m.base_capacity[k] < reach[k] - 1e-9) {
      return false;
    }
  }
  return true;
}

cover_lists make_cover_lists(coverage_model const& m) {
  auto const na = m.actions();
  auto const nn = m.nodes();
  cover_lists c;
  c.base_covered.assign(nn, 0);
  c.node_offsets.assign(nn + 1, 0);
  std::vector<std::uint32_t> last(na, UINT32_MAX);
  for (std::uint32_t n = 0; n < nn; ++n) {
    for (auto a = m.arc_offsets[n]; a < m.arc_offsets[n + 1]; ++a) {
      c.base_covered[n] = m.arc_enabler[a] == 0 ? 1 : c.base_covered[n];
    }
    if (c.base_covered[n] == 0) {
      for (auto a = m.arc_offsets[n]; a < m.arc_offsets[n + 1]; ++a) {
        auto const e = m.arc_enabler[a];
        for (auto i = m.enabler_offsets[e]; i < m.enabler_offsets[e + 1]; ++i) {
          auto const x = m.enabler_action[i];
          if (last[x] != n) {  // each action once per node
            last[x] = n;
            c.node_actions.push_back(x);
          }
        }
      }
    }
    c.node_offsets[n + 1] = static_cast<std::uint32_t>(c.node_actions.size());
  }
  c.action_offsets.assign(na + 1, 0);
  for (auto x : c.node_actions) {
    ++c.action_offsets[x + 1];
  }
  for (std::size_t x = 0; x < na; ++x) {
    c.action_offsets[x + 1] += c.action_offsets[x];
  }
  c.action_nodes.resize(c.node_actions.size());
  auto fill = c.action_offsets;
  for (std::uint32_t n = 0; n < nn; ++n) {
    for (auto i = c.node_offsets[n]; i < c.node_offsets[n + 1]; ++i) {
      c.action_nodes[fill[c.node_actions[i]]++] = n;
    }
  }
  return c;
}

std::vector<double> unmet_demand_by_cell(sim::world const& base, sim::params const& p,
                                         sim::candidates const& c0, objective o) {
  std::vector<double> out(base.grid.size(), 0.0);
  for (std::size_t i = 0; i < base.families.size(); ++i) {
    auto const f = sim::family_idx::from(i);
    auto const c = base.families.cell[f];
    if (!c.valid() || c.index() >= out.size() || !counts(base, f, o)) {
      continue;
    }
    auto const [d, age] = expected_referrals(base, p, f);
    if (d <= 0) {
      continue;
    }
    bool served = false;
    for (auto j = c0.offsets[i]; j < c0.offsets[i + 1] && !served; ++j) {
      served = sim::fits_age(base, p, f, c0.facility[j], age);
    }
    if (!served) {
      out[c.index()] += d;
    }
  }
  return out;
}

}  // namespace avip::optimize
