#include "sim/engine.hpp"

#include <atomic>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include "core/progress.hpp"
#include "sim/candidates.hpp"
#include "sim/cost.hpp"
#include "sim/equity.hpp"
#include "sim/evaluation_sample.hpp"
#include "sim/facility_summary.hpp"
#include "sim/group_tally.hpp"
#include "sim/replication.hpp"
#include "sim/year_bound.hpp"

namespace avip::sim {

namespace {

double ratio(double a, double b) {
  return b > 0 ? a / b : 0.0;
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

/// Referred, matched and unmet families of the reported year per grid cell, summed over replications
/// (integers: exact whatever the thread that added them, so the means are deterministic).
struct cell_sums {
  std::vector<std::int64_t> referred, matched, unmet, unmet_priority;
  explicit cell_sums(std::size_t n) : referred(n), matched(n), unmet(n), unmet_priority(n) {}

  void add(world const& w, params const& p, replication_state const& s) {
    int const warmup = warmup_months(p);
    for (std::size_t i = 0; i < w.families.size(); ++i) {
      auto const f = family_idx::from(i);
      auto const c = w.families.cell[f];
      if (s.referral_month[i] < warmup || !c.valid() || s.unmet[i] == unmet_reason::censored) {
        continue;
      }
      ++referred[c.index()];
      if (s.placed_month[i] >= 0) {
        ++matched[c.index()];
      } else {
        ++unmet[c.index()];
        unmet_priority[c.index()] += w.families.priority(f) ? 1 : 0;
      }
    }
  }
  void add(cell_sums const& o) {
    for (std::size_t c = 0; c < referred.size(); ++c) {
      referred[c] += o.referred[c];
      matched[c] += o.matched[c];
      unmet[c] += o.unmet[c];
      unmet_priority[c] += o.unmet_priority[c];
    }
  }
};

index_vector<cell_idx, cell_indicators> cell_indicators_of(cell_sums const& total, int reps) {
  index_vector<cell_idx, cell_indicators> out;
  out.resize(total.referred.size());
  for (std::size_t c = 0; c < total.referred.size(); ++c) {
    auto& ci = out[cell_idx::from(c)];
    ci.referred = static_cast<double>(total.referred[c]) / reps;
    ci.matched = static_cast<double>(total.matched[c]) / reps;
    ci.unmet = static_cast<double>(total.unmet[c]) / reps;
    ci.unmet_priority = static_cast<double>(total.unmet_priority[c]) / reps;
    ci.coverage = ratio(static_cast<double>(total.matched[c]), static_cast<double>(total.referred[c]));
  }
  return out;
}

/// Children under 3 of each commune for the taux de couverture: the communes layer's figure, else the
/// grid's children of its cells; NaN (left empty in the outputs) when neither gives any.
std::vector<double> commune_children(world const& w) {
  auto const nc = w.communes.size();
  std::vector<double> from_grid(nc, 0.0);
  for (std::size_t i = 0; i < w.grid.size(); ++i) {
    auto const c = w.grid.commune[cell_idx::from(i)];
    if (c.valid() && c.index() < nc) {
      from_grid[c.index()] += std::max(0.0, w.grid.children_0_3[cell_idx::from(i)]);
    }
  }
  std::vector<double> out(nc, std::numeric_limits<double>::quiet_NaN());
  for (std::size_t c = 0; c < nc; ++c) {
    double const layer = w.communes.children_under_3[commune_idx::from(c)];
    if (layer > 0) {
      out[c] = layer;
    } else if (from_grid[c] > 0) {
      out[c] = from_grid[c];
    }
  }
  return out;
}

void fill_communes(world const& w, std::vector<group_counts> const& per_rep, group_layout const& layout,
                   run_results& res) {
  auto const nc = w.communes.size();
  std::vector<double> places(nc, 0.0);
  for (std::size_t k = 0; k < w.facilities.size(); ++k) {
    auto const c = w.facilities.commune[facility_idx::from(k)];
    if (c.valid()) {
      places[c.index()] += w.facilities.places[facility_idx::from(k)];
    }
  }
  auto const children = commune_children(w);
  res.communes.resize(nc);
  for (std::size_t c = 0; c < nc; ++c) {
    auto const ci = commune_idx::from(c);
    fill_group(res.communes[ci].demand, per_rep, layout.commune(ci));
    res.communes[ci].places = places[c];
    res.communes[ci].taux_couverture =
        std::isnan(children[c]) ? children[c] : 100.0 * (places[c] / children[c]);
  }
}

/// Equity of one replication: Gini of commune coverage weighted by children under 3, Palma with the
/// communes ranked by poverty rate (Filosofi).
std::pair<double, std::optional<double>> commune_equity(world const& w, group_counts const& g,
                                                        group_layout const& layout) {
  std::vector<double> cov, weight, poverty;
  for (std::size_t c = 0; c < w.communes.size(); ++c) {
    auto const ci = commune_idx::from(c);
    double const* v = &g[layout.commune(ci) * group_layout::kFields];
    if (v[group_layout::kReferred] - v[group_layout::kCensored] > 0) {
      cov.push_back(group_coverage(g, layout.commune(ci)));
      weight.push_back(w.communes.children_under_3[ci]);
      poverty.push_back(c < w.communes.poverty_rate.size() ? w.communes.poverty_rate[ci]
                                                           : std::numeric_limits<double>::quiet_NaN());
    }
  }
  return {weighted_gini(cov, weight), palma_by_income(cov, weight, poverty)};
}

/// Everything one replication leaves for the indicators.
struct replication_record {
  group_counts groups;
  facility_year facilities;
  evaluation_sample evaluation;
  double gini{0.0};
  std::optional<double> palma;
  double policy_value{0.0};
  double bound_value{0.0};
};

/// Every indicator from the replications' records (in replication order).
run_results summarise(world const& w, params const& p, std::vector<replication_record>& records,
                      cell_sums const& total, std::vector<facility_idx> const& labelled_eaje,
                      run_options const& options) {
  run_results res;
  auto const urep = records.size();
  int const evaluated = validation_indicators{}.evaluated_structures;
  group_layout const layout{w};
  res.replications = static_cast<int>(urep);
  res.seed = options.seed;
  res.horizon_months = p.horizon_months;
  std::vector<group_counts> groups(urep);
  std::vector<facility_year> years(urep);
  std::vector<evaluation_sample> evaluations(urep);
  for (std::size_t r = 0; r < urep; ++r) {
    groups[r] = std::move(records[r].groups);
    years[r] = std::move(records[r].facilities);
    evaluations[r] = records[r].evaluation;
  }
  fill_group(res.island, groups, group_layout::kTerritory);
  fill_group(res.qpv, groups, group_layout::kQpv);
  fill_group(res.non_qpv, groups, group_layout::kNonQpv);
  fill_group(res.single_parent, groups, group_layout::kSingle);
  fill_group(res.other_parent, groups, group_layout::kOther);
  fill_group(res.by_france_travail, groups, layout.prescriber(referrer::france_travail));
  fill_group(res.by_caf, groups, layout.prescriber(referrer::caf));
  fill_group(res.by_mission_locale, groups, layout.prescriber(referrer::mission_locale));
  fill_communes(w, groups, layout, res);
  res.sectors.resize(w.sectors.size());
  for (std::size_t s = 0; s < w.sectors.size(); ++s) {
    fill_group(res.sectors[sector_idx::from(s)], groups, layout.sector(sector_idx::from(s)));
  }
  res.facilities = facility_indicators_of(w, p, years);
  res.networks = network_indicators_of(w, p, years);
  res.cells = cell_indicators_of(total, res.replications);
  for (std::size_t r = 0; r < urep; ++r) {
    res.equity.qpv_gap.values.push_back(group_coverage(groups[r], group_layout::kQpv) -
                                        group_coverage(groups[r], group_layout::kNonQpv));
    res.equity.single_parent_gap.values.push_back(group_coverage(groups[r], group_layout::kSingle) -
                                                  group_coverage(groups[r], group_layout::kOther));
    res.equity.gini_communes.values.push_back(records[r].gini);
    if (records[r].palma) {
      res.equity.palma_income.values.push_back(*records[r].palma);
    } else {
      ++res.equity.palma_undefined;
    }
    if (p.year_bound) {
      res.bound_value.values.push_back(records[r].bound_value);
      res.policy_value.values.push_back(records[r].policy_value);
    }
  }
  res.validation = validation_of(w, evaluations, labelled_eaje, years, evaluated);
  res.cost = compute_cost(w, p);
  return res;
}

}  // namespace

run_results run(world const& w, params const& p, run_options const& options) {
  return run(w, p, options, build_candidates(w, p));
}

run_results run(world const& w, params const& p, run_options const& options, candidates const& cand) {
  int const reps = std::max(1, options.replications);
  auto const urep = static_cast<std::size_t>(reps);
  int const evaluated = validation_indicators{}.evaluated_structures;
  group_layout const layout{w};
  std::vector<facility_idx> labelled_eaje;
  for (std::size_t k = 0; k < w.facilities.size(); ++k) {
    auto const i = facility_idx::from(k);
    if (w.facilities.avip[i] != 0 && is_eaje(w.facilities.kind[i])) {
      labelled_eaje.push_back(i);
    }
  }

  std::vector<replication_record> records(urep);
  tbb::enumerable_thread_specific<cell_sums> cells_tls([&] { return cell_sums{w.grid.size()}; });
  tbb::enumerable_thread_specific<std::unique_ptr<replication_state>> states;
  tbb::enumerable_thread_specific<std::vector<std::uint8_t>> sample_scratch;
  progress bar{"avipsim: replications", urep, options.progress};
  auto const* cancel = options.cancel;
  std::atomic<int> done{0};
  std::atomic<bool> stopped{false};  // a replication was cut short or never started
  tbb::parallel_for(0, reps, [&](int r) {
    if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) {
      stopped.store(true, std::memory_order_relaxed);
      return;
    }
    auto& st = states.local();
    if (!st) {
      st = std::make_unique<replication_state>();
    }
    if (!run_replication(w, p, cand, *st, options.seed, r, cancel)) {
      stopped.store(true, std::memory_order_relaxed);
      return;
    }
    auto& rec = records[static_cast<std::size_t>(r)];
    rec.groups.assign(layout.size() * group_layout::kFields, 0.0);
    tally_groups(w, p, *st, layout, rec.groups);
    cells_tls.local().add(w, p, *st);
    std::tie(rec.gini, rec.palma) = commune_equity(w, rec.groups, layout);
    rec.facilities = facility_year_of(*st);
    rec.evaluation =
        sample_evaluation(w, p, *st, labelled_eaje, evaluated, options.seed, r, sample_scratch.local());
    for (std::size_t i = 0; i < w.families.size(); ++i) {
      if (st->placed_month[i] >= 0) {
        rec.policy_value += w.families.priority(family_idx::from(i)) ? p.priority_weight : p.other_weight;
      }
    }
    if (p.year_bound) {
      rec.bound_value =
          year_bound(cand, bound_requests(w, p, cand, *st), st->avip_cap, simulated_months(p)).value;
    }
    bar.advance();
    int const n = done.fetch_add(1, std::memory_order_relaxed) + 1;
    if (options.on_progress) {
      options.on_progress(n, reps);
    }
  });
  if (stopped.load()) {
    bar.abandon();
    throw run_cancelled{};
  }
  bar.finish();

  cell_sums total{w.grid.size()};
  for (auto const& cs : cells_tls) {
    total.add(cs);
  }
  return summarise(w, p, records, total, labelled_eaje, options);
}

}  // namespace avip::sim
