#include "sim/evaluation_sample.hpp"

#include <algorithm>

#include "core/random.hpp"

namespace avip::sim {

namespace {

constexpr std::uint64_t kValidationKey = 0x7A11D;

void count_family(world const& w, params const& p, replication_state const& s, std::size_t i,
                  evaluation_sample& v) {
  int const warmup = warmup_months(p);
  int const months = simulated_months(p);
  auto const f = family_idx::from(i);
  auto const& fm = w.families;
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

}  // namespace

evaluation_sample sample_evaluation(world const& w, params const& p, replication_state const& s,
                                    std::vector<facility_idx> const& labelled_eaje, int evaluated,
                                    std::uint64_t seed, int replication,
                                    std::vector<std::uint8_t>& in_sample) {
  evaluation_sample v;
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
  for (std::size_t i = 0; i < w.families.size(); ++i) {
    if (s.referral_month[i] >= warmup && s.referral_month[i] < months) {
      ++v.referrals;
    }
    if (s.placed_month[i] < 0 || s.exit_month[i] <= warmup || in_sample[s.facility[i].index()] == 0) {
      continue;
    }
    count_family(w, p, s, i, v);
  }
  return v;
}

validation_indicators validation_of(world const& w, std::vector<evaluation_sample> const& reps,
                                    std::vector<facility_idx> const& labelled_eaje,
                                    std::vector<facility_year> const& years, int evaluated) {
  validation_indicators v;
  v.evaluated_structures = evaluated;
  for (std::size_t r = 0; r < reps.size(); ++r) {
    auto const& x = reps[r];
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
      double const places = w.facilities.places[k];
      v.labelled_shares.push_back(places > 0 ? years[r].avip_children[k.index()] / places : 0.0);
    }
  }
  return v;
}

}  // namespace avip::sim
