#include "sim/engine.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <memory>

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include "core/progress.hpp"
#include "sim/candidates.hpp"
#include "sim/equity.hpp"
#include "sim/replication.hpp"

namespace avip::sim {

namespace {

// Per group and replication: the counts below, in this order.
enum group_field : std::size_t {
  kReferred,
  kMatched,
  kPrioReferred,
  kPrioMatched,
  kUnreachable,
  kHours,
  kFull,
  kWaitWeeks,
  kFields
};

double ratio(double a, double b) {
  return b > 0 ? a / b : 0.0;
}

void fill_group(group_indicators& g, std::vector<std::vector<double>> const& per_rep, std::size_t group) {
  for (auto const& r : per_rep) {
    double const* v = &r[group * kFields];
    g.referred.values.push_back(v[kReferred]);
    g.matched.values.push_back(v[kMatched]);
    g.priority_referred.values.push_back(v[kPrioReferred]);
    g.priority_matched.values.push_back(v[kPrioMatched]);
    g.coverage.values.push_back(ratio(v[kMatched], v[kReferred]));
    g.priority_coverage.values.push_back(ratio(v[kPrioMatched], v[kPrioReferred]));
    g.unmet_unreachable.values.push_back(v[kUnreachable]);
    g.unmet_hours.values.push_back(v[kHours]);
    g.unmet_full.values.push_back(v[kFull]);
    g.mean_wait_weeks.values.push_back(ratio(v[kWaitWeeks], v[kMatched]));
  }
}

/// Labelled networks (a network id with labelled members) and managers of labelled EAJE.
struct network_def {
  std::string id;
  bool assmat{false};
  std::vector<facility_idx> members;
  std::int32_t places{0};
};

std::vector<network_def> labelled_networks(world const& w) {
  std::map<std::string, network_def> out;
  auto const& fa = w.facilities;
  for (std::size_t i = 0; i < fa.size(); ++i) {
    auto const k = facility_idx::from(i);
    if (fa.avip[k] == 0) {
      continue;
    }
    std::string key;
    if (fa.network[k].valid()) {
      key = "network:" + fa.network_id[fa.network[k]];
    } else if (fa.manager[k].valid() && is_eaje(fa.kind[k])) {
      key = "manager:" + fa.manager_id[fa.manager[k]];
    } else {
      continue;
    }
    auto& n = out[key];
    n.id = key;
    n.members.push_back(k);
    n.places += fa.places[k];
  }
  std::vector<network_def> v;
  for (auto& [key, n] : out) {
    n.assmat = std::all_of(n.members.begin(), n.members.end(), [&](facility_idx k) {
      return fa.kind[k] == facility_kind::assmat || fa.kind[k] == facility_kind::mam;
    });
    v.push_back(std::move(n));
  }
  return v;
}

}  // namespace

run_results run(world const& w, params const& p, run_options const& options) {
  auto const nf = w.families.size();
  auto const nk = w.facilities.size();
  auto const nc = w.communes.size();
  auto const ns = w.sectors.size();
  auto const ncell = w.grid.size();
  int const reps = std::max(1, options.replications);
  auto const cand = build_candidates(w, p);

  // Groups: 0 island, 1 qpv, 2 non-qpv, 3 single parent, 4 other, then communes, then sectors, then
  // the three prescribers.
  std::size_t const n_groups = 5 + nc + ns + 3;
  std::vector<std::vector<double>> group_rep(static_cast<std::size_t>(reps),
                                             std::vector<double>(n_groups * kFields, 0.0));
  std::vector<std::vector<std::int32_t>> fac_children(static_cast<std::size_t>(reps));
  std::vector<std::vector<std::int32_t>> fac_free_end(static_cast<std::size_t>(reps));
  std::vector<double> rep_gini(static_cast<std::size_t>(reps));
  std::vector<double> rep_palma(static_cast<std::size_t>(reps));
  struct cell_sums {
    std::vector<std::int64_t> referred, matched, unmet, unmet_priority;
  };
  tbb::enumerable_thread_specific<cell_sums> cells_tls([&] {
    return cell_sums{std::vector<std::int64_t>(ncell), std::vector<std::int64_t>(ncell),
                     std::vector<std::int64_t>(ncell), std::vector<std::int64_t>(ncell)};
  });
  tbb::enumerable_thread_specific<std::unique_ptr<replication_state>> states;
  tbb::enumerable_thread_specific<std::vector<double>> scratch;
  progress bar{"avipsim: replications", static_cast<std::size_t>(reps), options.progress};

  tbb::parallel_for(0, reps, [&](int r) {
    auto& st = states.local();
    if (!st) {
      st = std::make_unique<replication_state>();
    }
    run_replication(w, p, cand, *st, options.seed, r);
    auto& g = group_rep[static_cast<std::size_t>(r)];
    auto& cs = cells_tls.local();
    std::vector<std::int64_t> cell_ref(ncell, 0), cell_match(ncell, 0);
    for (std::size_t i = 0; i < nf; ++i) {
      if (st->referral_month[i] < 0) {
        continue;
      }
      auto const f = family_idx::from(i);
      bool const prio = w.families.priority(f);
      bool const matched = st->placed_month[i] >= 0;
      std::size_t const groups[4] = {
          0, static_cast<std::size_t>(w.families.qpv[f].valid() ? 1 : 2),
          static_cast<std::size_t>(w.families.single_parent[f] != 0 ? 3 : 4),
          w.families.commune[f].valid() ? 5 + w.families.commune[f].index() : n_groups};
      std::size_t const sector = w.families.commune[f].valid()
                                     ? 5 + nc + w.communes.sector[w.families.commune[f]].index()
                                     : n_groups;
      auto add = [&](std::size_t gi) {
        if (gi >= n_groups) {
          return;
        }
        double* v = &g[gi * kFields];
        v[kReferred] += 1;
        v[kPrioReferred] += prio ? 1 : 0;
        if (matched) {
          v[kMatched] += 1;
          v[kPrioMatched] += prio ? 1 : 0;
          v[kWaitWeeks] += (st->placed_month[i] - st->referral_month[i]) * 4.33 + 2.0;
        } else {
          auto const why = st->unmet_reason[i];
          v[why == 1 ? kUnreachable : (why == 2 ? kHours : kFull)] += 1;
        }
      };
      for (auto gi : groups) {
        add(gi);
      }
      add(sector);
      add(5 + nc + ns + static_cast<std::size_t>(st->referred_by[i]));
      if (auto const c = w.families.cell[f]; c.valid()) {
        ++cs.referred[c.index()];
        ++cell_ref[c.index()];
        if (matched) {
          ++cs.matched[c.index()];
          ++cell_match[c.index()];
        } else {
          ++cs.unmet[c.index()];
          cs.unmet_priority[c.index()] += prio ? 1 : 0;
        }
      }
    }
    auto& cov = scratch.local();
    cov.clear();
    for (std::size_t c = 0; c < ncell; ++c) {
      if (cell_ref[c] > 0) {
        cov.push_back(static_cast<double>(cell_match[c]) / static_cast<double>(cell_ref[c]));
      }
    }
    rep_gini[static_cast<std::size_t>(r)] = gini(cov);
    rep_palma[static_cast<std::size_t>(r)] = palma(cov);
    fac_children[static_cast<std::size_t>(r)] = st->avip_children;
    fac_free_end[static_cast<std::size_t>(r)] = st->free_places;
    bar.advance();
  });
  bar.finish();

  run_results res;
  res.replications = reps;
  res.seed = options.seed;
  res.horizon_months = p.horizon_months;
  fill_group(res.island, group_rep, 0);
  fill_group(res.qpv, group_rep, 1);
  fill_group(res.non_qpv, group_rep, 2);
  fill_group(res.single_parent, group_rep, 3);
  fill_group(res.other_parent, group_rep, 4);
  fill_group(res.by_france_travail, group_rep, 5 + nc + ns);
  fill_group(res.by_caf, group_rep, 5 + nc + ns + 1);
  fill_group(res.by_mission_locale, group_rep, 5 + nc + ns + 2);
  res.communes.resize(nc);
  std::vector<double> places(nc, 0.0);
  for (std::size_t k = 0; k < nk; ++k) {
    auto const c = w.facilities.commune[facility_idx::from(k)];
    if (c.valid()) {
      places[c.index()] += w.facilities.places[facility_idx::from(k)];
    }
  }
  for (std::size_t c = 0; c < nc; ++c) {
    fill_group(res.communes[commune_idx::from(c)].demand, group_rep, 5 + c);
    res.communes[commune_idx::from(c)].places = places[c];
    res.communes[commune_idx::from(c)].taux_couverture =
        100.0 * ratio(places[c], w.communes.children_under_3[commune_idx::from(c)]);
  }
  res.sectors.resize(ns);
  for (std::size_t s = 0; s < ns; ++s) {
    fill_group(res.sectors[sector_idx::from(s)], group_rep, 5 + nc + s);
  }
  // Facilities: AVIP children in the year ÷ PMI places, the 20 % target, L.214-7 (1 per 20).
  res.facilities.resize(nk);
  for (std::size_t k = 0; k < nk; ++k) {
    auto const i = facility_idx::from(k);
    auto& fi = res.facilities[i];
    double const pl = w.facilities.places[i];
    for (int r = 0; r < reps; ++r) {
      double const ch = fac_children[static_cast<std::size_t>(r)][k];
      double const share = ratio(ch, pl);
      fi.avip_children.values.push_back(ch);
      fi.avip_share.values.push_back(share);
      bool const l214 = ch >= std::floor(pl / p.l214_places_per_child);
      fi.l214_met.values.push_back(is_eaje(w.facilities.kind[i]) ? (l214 ? 1.0 : 0.0) : 0.0);
      bool const target = w.facilities.avip[i] != 0 && share >= p.avip_target_share - 1e-12;
      fi.target_met.values.push_back(target ? 1.0 : 0.0);
      fi.occupancy_end.values.push_back(1.0 - ratio(fac_free_end[static_cast<std::size_t>(r)][k], pl));
    }
  }
  for (auto const& n : labelled_networks(w)) {
    network_indicators ni;
    ni.id = n.id;
    ni.assmat_network = n.assmat;
    ni.members = static_cast<std::int32_t>(n.members.size());
    ni.places = n.places;
    for (int r = 0; r < reps; ++r) {
      double ch = 0;
      for (auto k : n.members) {
        ch += fac_children[static_cast<std::size_t>(r)][k.index()];
      }
      double const rt = n.assmat ? ratio(ch, static_cast<double>(n.members.size())) : ratio(ch, n.places);
      ni.avip_children.values.push_back(ch);
      ni.ratio.values.push_back(rt);
      ni.target_met.values.push_back(
          rt >= (n.assmat ? p.assmat_network_target : p.avip_target_share) - 1e-12 ? 1.0 : 0.0);
    }
    res.networks.push_back(std::move(ni));
  }
  // Cells: integer sums are exact whatever the thread that added them, so the means are deterministic.
  cell_sums total{std::vector<std::int64_t>(ncell), std::vector<std::int64_t>(ncell),
                  std::vector<std::int64_t>(ncell), std::vector<std::int64_t>(ncell)};
  for (auto const& cs : cells_tls) {
    for (std::size_t c = 0; c < ncell; ++c) {
      total.referred[c] += cs.referred[c];
      total.matched[c] += cs.matched[c];
      total.unmet[c] += cs.unmet[c];
      total.unmet_priority[c] += cs.unmet_priority[c];
    }
  }
  res.cells.resize(ncell);
  for (std::size_t c = 0; c < ncell; ++c) {
    auto& ci = res.cells[cell_idx::from(c)];
    ci.referred = static_cast<double>(total.referred[c]) / reps;
    ci.matched = static_cast<double>(total.matched[c]) / reps;
    ci.unmet = static_cast<double>(total.unmet[c]) / reps;
    ci.unmet_priority = static_cast<double>(total.unmet_priority[c]) / reps;
    ci.coverage = ratio(static_cast<double>(total.matched[c]), static_cast<double>(total.referred[c]));
  }
  for (int r = 0; r < reps; ++r) {
    auto const& g = group_rep[static_cast<std::size_t>(r)];
    auto cov = [&](std::size_t gi) { return ratio(g[gi * kFields + kMatched], g[gi * kFields + kReferred]); };
    res.equity.qpv_gap.values.push_back(cov(1) - cov(2));
    res.equity.single_parent_gap.values.push_back(cov(3) - cov(4));
    res.equity.gini_cells.values.push_back(rep_gini[static_cast<std::size_t>(r)]);
    res.equity.palma_cells.values.push_back(rep_palma[static_cast<std::size_t>(r)]);
  }
  // Cost: CAF label funding per labelled place, coordinators of networks, Baby Buses.
  double labelled_places = 0;
  double network_places = 0;
  for (std::size_t k = 0; k < nk; ++k) {
    auto const i = facility_idx::from(k);
    if (w.facilities.avip[i] != 0) {
      labelled_places += w.facilities.places[i];
      if (w.facilities.network[i].valid()) {
        network_places += w.facilities.places[i];
      }
    }
  }
  res.cost.labelled_places = labelled_places;
  res.cost.label_funding =
      labelled_places * (p.first_label_year ? p.label_funding_first_year : p.label_funding_later_years);
  res.cost.coordinator_funding =
      std::ceil(network_places / p.coordinator_places_per_tenth_fte) * p.coordinator_funding_per_tenth_fte;
  res.cost.baby_buses = static_cast<std::int32_t>(w.facilities.bus_id.size());
  res.cost.baby_bus = res.cost.baby_buses * p.baby_bus_yearly_cost;
  res.cost.total = res.cost.label_funding + res.cost.coordinator_funding + res.cost.baby_bus;
  return res;
}

}  // namespace avip::sim
