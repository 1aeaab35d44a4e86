#include "sim/engine.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <optional>

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include "core/progress.hpp"
#include "core/random.hpp"
#include "sim/candidates.hpp"
#include "sim/cost.hpp"
#include "sim/equity.hpp"
#include "sim/replication.hpp"
#include "sim/year_bound.hpp"

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
  kNotAllowed,
  kFull,
  kCensored,
  kPrioCensored,
  kPartial,
  kChildren,
  kWaitWeeks,
  kFields
};

constexpr std::uint64_t kValidationKey = 0x7A11D;

double ratio(double a, double b) {
  return b > 0 ? a / b : 0.0;
}

void fill_group(group_indicators& g, std::vector<std::vector<double>> const& per_rep, std::size_t group) {
  for (auto const& r : per_rep) {
    double const* v = &r[group * kFields];
    double const decided = v[kReferred] - v[kCensored];
    g.referred.values.push_back(v[kReferred]);
    g.matched.values.push_back(v[kMatched]);
    g.priority_referred.values.push_back(v[kPrioReferred]);
    g.priority_matched.values.push_back(v[kPrioMatched]);
    g.coverage.values.push_back(ratio(v[kMatched], decided));
    g.priority_coverage.values.push_back(ratio(v[kPrioMatched], v[kPrioReferred] - v[kPrioCensored]));
    g.unmet_unreachable.values.push_back(v[kUnreachable]);
    g.unmet_hours.values.push_back(v[kHours]);
    g.unmet_not_allowed.values.push_back(v[kNotAllowed]);
    g.unmet_full.values.push_back(v[kFull]);
    g.censored.values.push_back(v[kCensored]);
    g.matched_partial.values.push_back(v[kPartial]);
    g.children_placed.values.push_back(v[kChildren]);
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

/// The figures of one replication comparable with the 2023 evaluation (validation_indicators).
struct validation_rep {
  double parents{0}, children{0}, single{0}, under_26{0}, qpv{0}, under_12{0}, from_12_to_35{0};
  double ft{0}, caf{0}, exits{0}, exits_seeking{0}, exits_permanent{0}, exits_school{0}, exits_unplanned{0};
  double referrals{0};
};

validation_rep validate_replication(world const& w, params const& p, replication_state const& s,
                                    std::vector<facility_idx> const& labelled_eaje, int evaluated,
                                    std::uint64_t seed, int replication,
                                    std::vector<std::uint8_t>& in_sample) {
  validation_rep v;
  int const warmup = warmup_months(p);
  int const months = simulated_months(p);
  // The evaluated structures: `evaluated` labelled EAJE drawn at random (partial Fisher–Yates).
  std::vector<facility_idx> pool = labelled_eaje;
  random_stream r{seed, {kValidationKey, static_cast<std::uint64_t>(replication)}};
  auto const n = std::min<std::size_t>(pool.size(), static_cast<std::size_t>(std::max(0, evaluated)));
  in_sample.assign(w.facilities.size(), 0);
  for (std::size_t i = 0; i < n; ++i) {
    auto const j = i + r.below(pool.size() - i);
    std::swap(pool[i], pool[j]);
    in_sample[pool[i].index()] = 1;
  }
  auto const& fm = w.families;
  for (std::size_t i = 0; i < fm.size(); ++i) {
    if (s.referral_month[i] >= warmup && s.referral_month[i] < months) {
      ++v.referrals;
    }
    if (s.placed_month[i] < 0 || s.exit_month[i] <= warmup || in_sample[s.facility[i].index()] == 0) {
      continue;
    }
    auto const f = family_idx::from(i);
    int const kids = children_of(w, f);
    v.parents += 1;
    v.children += kids;
    v.single += fm.single_parent[f] != 0 ? 1 : 0;
    v.under_26 += fm.parent_under_26[f] != 0 ? 1 : 0;
    v.qpv += fm.qpv[f].valid() ? 1 : 0;
    int const age = age_at(w, p, f, s.placed_month[i]);
    for (int c = 0; c < kids; ++c) {
      int const a = c == 0 ? age : std::min(35, age + 15 * c);  // elder siblings: 15 months apart
      (a < 12 ? v.under_12 : v.from_12_to_35) += a <= 35 ? 1 : 0;
    }
    (s.referred_by[i] == referrer::caf ? v.caf : v.ft) += 1;
    if (s.exit_month[i] >= warmup && s.exit_month[i] < months && s.exit_why[i] != exit_reason::none) {
      v.exits += 1;
      v.exits_seeking += s.employed_at_exit[i] == 0 ? 1 : 0;
      v.exits_permanent += s.employed_at_exit[i] != 0 && s.permanent_job[i] != 0 ? 1 : 0;
      v.exits_school += s.exit_why[i] == exit_reason::school ? 1 : 0;
      v.exits_unplanned += s.exit_why[i] == exit_reason::dropout ? 1 : 0;
    }
  }
  return v;
}

/// The year bound's requests: every referred family with candidates, its wait window and its stays.
std::vector<bound_request> bound_requests(world const& w, params const& p, candidates const& c,
                                          replication_state const& s) {
  int const months = simulated_months(p);
  int const max_wait = max_wait_months(p);
  std::vector<bound_request> out;
  for (std::size_t i = 0; i < w.families.size(); ++i) {
    auto const f = family_idx::from(i);
    if (s.referral_month[i] < 0 || c.count(f) == 0) {
      continue;
    }
    bound_request q;
    q.family = f;
    q.first_month = s.referral_month[i];
    q.last_month = std::min(months - 1, q.first_month + max_wait);
    q.children = children_of(w, f);
    q.weight = w.families.priority(f) ? p.priority_weight : p.other_weight;
    for (int t = q.first_month; t <= q.last_month; ++t) {
      q.stay_months.push_back(static_cast<std::uint8_t>(
          std::min(255, stay_from(s.draws[i], p, t, s.school_month[i], months).months)));
    }
    out.push_back(std::move(q));
  }
  return out;
}

}  // namespace

run_results run(world const& w, params const& p, run_options const& options) {
  auto const nf = w.families.size();
  auto const nk = w.facilities.size();
  auto const nc = w.communes.size();
  auto const ns = w.sectors.size();
  auto const ncell = w.grid.size();
  int const reps = std::max(1, options.replications);
  int const warmup = warmup_months(p);
  int const months = simulated_months(p);
  auto const cand = build_candidates(w, p);
  auto const urep = static_cast<std::size_t>(reps);
  int const evaluated = validation_indicators{}.evaluated_structures;

  std::vector<facility_idx> labelled_eaje;
  for (std::size_t k = 0; k < nk; ++k) {
    auto const i = facility_idx::from(k);
    if (w.facilities.avip[i] != 0 && is_eaje(w.facilities.kind[i])) {
      labelled_eaje.push_back(i);
    }
  }
  std::vector<double> commune_poverty(nc, std::numeric_limits<double>::quiet_NaN());
  for (std::size_t c = 0; c < nc && c < w.communes.poverty_rate.size(); ++c) {
    commune_poverty[c] = w.communes.poverty_rate[commune_idx::from(c)];
  }

  // Groups: 0 island, 1 qpv, 2 non-qpv, 3 single parent, 4 other, then communes, then sectors, then
  // the three prescribers.
  std::size_t const n_groups = 5 + nc + ns + 3;
  std::vector<std::vector<double>> group_rep(urep, std::vector<double>(n_groups * kFields, 0.0));
  std::vector<std::vector<std::int32_t>> fac_children(urep);
  std::vector<std::vector<std::int32_t>> fac_taken_end(urep);
  std::vector<std::vector<std::int32_t>> fac_requests(urep);
  std::vector<std::vector<std::int32_t>> fac_found(urep);
  std::vector<validation_rep> rep_validation(urep);
  std::vector<double> rep_gini(urep);
  std::vector<std::optional<double>> rep_palma(urep);
  std::vector<double> rep_bound(urep, 0.0);
  std::vector<double> rep_policy(urep, 0.0);
  struct cell_sums {
    std::vector<std::int64_t> referred, matched, unmet, unmet_priority;
  };
  tbb::enumerable_thread_specific<cell_sums> cells_tls([&] {
    return cell_sums{std::vector<std::int64_t>(ncell), std::vector<std::int64_t>(ncell),
                     std::vector<std::int64_t>(ncell), std::vector<std::int64_t>(ncell)};
  });
  tbb::enumerable_thread_specific<std::unique_ptr<replication_state>> states;
  tbb::enumerable_thread_specific<std::vector<std::uint8_t>> sample_scratch;
  progress bar{"avipsim: replications", urep, options.progress};

  tbb::parallel_for(0, reps, [&](int r) {
    auto& st = states.local();
    if (!st) {
      st = std::make_unique<replication_state>();
    }
    run_replication(w, p, cand, *st, options.seed, r);
    auto const ur = static_cast<std::size_t>(r);
    auto& g = group_rep[ur];
    auto& cs = cells_tls.local();
    double policy_value = 0;
    for (std::size_t i = 0; i < nf; ++i) {
      auto const f = family_idx::from(i);
      bool const matched = st->placed_month[i] >= 0;
      if (matched) {
        policy_value += w.families.priority(f) ? p.priority_weight : p.other_weight;
      }
      // The reported year's indicators count the families referred in it.
      if (st->referral_month[i] < warmup) {
        continue;
      }
      bool const prio = w.families.priority(f);
      auto const why = st->unmet[i];
      bool const censored = why == unmet_reason::censored;
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
          v[kPartial] += st->partial[i];
          v[kChildren] += children_of(w, f);
          // Waiting counted in whole months, plus the 3-week notice before an entry (seed 000).
          v[kWaitWeeks] += (st->placed_month[i] - st->referral_month[i]) * kWeeksPerMonth + 3.0;
        } else {
          switch (why) {
            case unmet_reason::unreachable:
              v[kUnreachable] += 1;
              break;
            case unmet_reason::hours:
              v[kHours] += 1;
              break;
            case unmet_reason::not_allowed:
              v[kNotAllowed] += 1;
              break;
            case unmet_reason::censored:
              v[kCensored] += 1;
              v[kPrioCensored] += prio ? 1 : 0;  // censored: neither met nor unmet
              break;
            default:
              v[kFull] += 1;
              break;
          }
        }
      };
      for (auto gi : groups) {
        add(gi);
      }
      add(sector);
      add(5 + nc + ns + static_cast<std::size_t>(st->referred_by[i]));
      if (auto const c = w.families.cell[f]; c.valid() && !censored) {
        ++cs.referred[c.index()];
        if (matched) {
          ++cs.matched[c.index()];
        } else {
          ++cs.unmet[c.index()];
          cs.unmet_priority[c.index()] += prio ? 1 : 0;
        }
      }
    }
    // Equity: coverage of communes weighted by their children, and ranked by income for Palma.
    std::vector<double> cov, weight, poverty;
    for (std::size_t c = 0; c < nc; ++c) {
      double const* v = &g[(5 + c) * kFields];
      double const decided = v[kReferred] - v[kCensored];
      if (decided > 0) {
        cov.push_back(v[kMatched] / decided);
        weight.push_back(w.communes.children_under_3[commune_idx::from(c)]);
        poverty.push_back(commune_poverty[c]);
      }
    }
    rep_gini[ur] = weighted_gini(cov, weight);
    rep_palma[ur] = palma_by_income(cov, weight, poverty);
    fac_children[ur] = st->avip_year;
    fac_requests[ur] = st->l214_requests;
    fac_found[ur] = st->l214_found;
    fac_taken_end[ur].resize(nk);
    for (std::size_t k = 0; k < nk; ++k) {
      fac_taken_end[ur][k] = st->ordinary[k] + st->avip[k];
    }
    rep_validation[ur] =
        validate_replication(w, p, *st, labelled_eaje, evaluated, options.seed, r, sample_scratch.local());
    rep_policy[ur] = policy_value;
    if (p.year_bound) {
      rep_bound[ur] = year_bound(cand, bound_requests(w, p, cand, *st), st->avip_cap, months).value;
    }
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
    bool const is_labelled_eaje = w.facilities.avip[i] != 0 && is_eaje(w.facilities.kind[i]);
    bool const l214_applies = is_eaje(w.facilities.kind[i]) && pl >= p.l214_places_per_child;
    for (std::size_t r = 0; r < urep; ++r) {
      double const ch = fac_children[r][k];
      double const share = ratio(ch, pl);
      fi.avip_children.values.push_back(ch);
      fi.avip_share.values.push_back(share);
      if (is_labelled_eaje) {
        fi.target_met.values.push_back(share >= p.avip_target_share - 1e-12 ? 1.0 : 0.0);
      }
      if (l214_applies) {
        fi.l214_requests.values.push_back(fac_requests[r][k]);
        if (fac_requests[r][k] > 0) {
          fi.l214_available.values.push_back(static_cast<double>(fac_found[r][k]) / fac_requests[r][k]);
        }
      }
      fi.occupancy_end.values.push_back(ratio(fac_taken_end[r][k], pl));
    }
  }
  for (auto const& n : labelled_networks(w)) {
    network_indicators ni;
    ni.id = n.id;
    ni.assmat_network = n.assmat;
    ni.members = static_cast<std::int32_t>(n.members.size());
    ni.places = n.places;
    for (std::size_t r = 0; r < urep; ++r) {
      double ch = 0;
      double members_met = 0;
      for (auto k : n.members) {
        ch += fac_children[r][k.index()];
        members_met += fac_children[r][k.index()] >= p.assmat_network_target - 1e-12 ? 1 : 0;
      }
      double const rt = n.assmat ? ratio(ch, static_cast<double>(n.members.size())) : ratio(ch, n.places);
      ni.avip_children.values.push_back(ch);
      ni.ratio.values.push_back(rt);
      if (n.assmat) {
        // The target is per member (seed 002): every assistant maternel welcomes ≥ 1 AVIP child.
        double const share = ratio(members_met, static_cast<double>(n.members.size()));
        ni.members_met_share.values.push_back(share);
        ni.target_met.values.push_back(share >= 1.0 - 1e-12 ? 1.0 : 0.0);
      } else {
        ni.target_met.values.push_back(rt >= p.avip_target_share - 1e-12 ? 1.0 : 0.0);
      }
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
  for (std::size_t r = 0; r < urep; ++r) {
    auto const& g = group_rep[r];
    auto cov = [&](std::size_t gi) {
      return ratio(g[gi * kFields + kMatched], g[gi * kFields + kReferred] - g[gi * kFields + kCensored]);
    };
    res.equity.qpv_gap.values.push_back(cov(1) - cov(2));
    res.equity.single_parent_gap.values.push_back(cov(3) - cov(4));
    res.equity.gini_communes.values.push_back(rep_gini[r]);
    if (rep_palma[r]) {
      res.equity.palma_income.values.push_back(*rep_palma[r]);
    } else {
      ++res.equity.palma_undefined;
    }
  }
  // Validation against the 2023 evaluation.
  auto& v = res.validation;
  v.evaluated_structures = evaluated;
  for (std::size_t r = 0; r < urep; ++r) {
    auto const& x = rep_validation[r];
    v.parents.values.push_back(x.parents);
    v.children.values.push_back(x.children);
    v.single_parents.values.push_back(x.single);
    v.parents_under_26.values.push_back(x.under_26);
    v.parents_qpv.values.push_back(x.qpv);
    v.children_under_12_months.values.push_back(x.under_12);
    v.children_12_35_months.values.push_back(x.from_12_to_35);
    if (x.parents > 0) {
      v.share_france_travail.values.push_back(x.ft / x.parents);
      v.share_caf.values.push_back(x.caf / x.parents);
    }
    v.exits.values.push_back(x.exits);
    if (x.exits > 0) {
      v.exit_share_seeking.values.push_back(x.exits_seeking / x.exits);
      v.exit_share_permanent_job.values.push_back(x.exits_permanent / x.exits);
      v.exit_share_school.values.push_back(x.exits_school / x.exits);
    }
    v.exits_unplanned.values.push_back(x.exits_unplanned);
    v.referrals.values.push_back(x.referrals);
    for (auto k : labelled_eaje) {
      v.labelled_shares.push_back(ratio(fac_children[r][k.index()], w.facilities.places[k]));
    }
    if (p.year_bound) {
      res.bound_value.values.push_back(rep_bound[r]);
      res.policy_value.values.push_back(rep_policy[r]);
    }
  }
  res.cost = compute_cost(w, p);
  return res;
}

}  // namespace avip::sim
