#include "sim/group_tally.hpp"

namespace avip::sim {

namespace {

double ratio(double a, double b) {
  return b > 0 ? a / b : 0.0;
}

using L = group_layout;

void add_outcome(double* v, world const& w, replication_state const& s, family_idx f, bool prio) {
  auto const i = f.index();
  v[L::kReferred] += 1;
  v[L::kPrioReferred] += prio ? 1 : 0;
  if (s.placed_month[i] >= 0) {
    v[L::kMatched] += 1;
    v[L::kPrioMatched] += prio ? 1 : 0;
    v[L::kPartial] += s.partial[i];
    v[L::kChildren] += children_of(w, f);
    // Waiting counted in whole months, plus the 3-week notice before an entry (seed 000).
    v[L::kWaitWeeks] += (s.placed_month[i] - s.referral_month[i]) * kWeeksPerMonth + 3.0;
    return;
  }
  switch (s.unmet[i]) {
    case unmet_reason::unreachable:
      v[L::kUnreachable] += 1;
      break;
    case unmet_reason::hours:
      v[L::kHours] += 1;
      break;
    case unmet_reason::not_allowed:
      v[L::kNotAllowed] += 1;
      break;
    case unmet_reason::censored:
      v[L::kCensored] += 1;
      v[L::kPrioCensored] += prio ? 1 : 0;
      break;
    default:
      v[L::kFull] += 1;
      break;
  }
}

}  // namespace

void tally_groups(world const& w, params const& p, replication_state const& s, group_layout const& layout,
                  group_counts& counts) {
  int const warmup = warmup_months(p);
  auto const& fm = w.families;
  for (std::size_t i = 0; i < fm.size(); ++i) {
    if (s.referral_month[i] < warmup) {
      continue;  // the reported year's indicators count the families referred in it
    }
    auto const f = family_idx::from(i);
    bool const prio = fm.priority(f);
    auto add = [&](std::size_t group) { add_outcome(&counts[group * L::kFields], w, s, f, prio); };
    add(L::kTerritory);
    add(fm.qpv[f].valid() ? L::kQpv : L::kNonQpv);
    add(fm.single_parent[f] != 0 ? L::kSingle : L::kOther);
    if (auto const c = fm.commune[f]; c.valid()) {
      add(layout.commune(c));
      add(layout.sector(w.communes.sector[c]));
    }
    add(layout.prescriber(s.referred_by[i]));
  }
}

double group_coverage(group_counts const& counts, std::size_t group) {
  double const* v = &counts[group * L::kFields];
  return ratio(v[L::kMatched], v[L::kReferred] - v[L::kCensored]);
}

void fill_group(group_indicators& g, std::vector<group_counts> const& per_rep, std::size_t group) {
  for (auto const& r : per_rep) {
    double const* v = &r[group * L::kFields];
    g.referred.values.push_back(v[L::kReferred]);
    g.matched.values.push_back(v[L::kMatched]);
    g.priority_referred.values.push_back(v[L::kPrioReferred]);
    g.priority_matched.values.push_back(v[L::kPrioMatched]);
    g.coverage.values.push_back(group_coverage(r, group));
    g.priority_coverage.values.push_back(
        ratio(v[L::kPrioMatched], v[L::kPrioReferred] - v[L::kPrioCensored]));
    g.unmet_unreachable.values.push_back(v[L::kUnreachable]);
    g.unmet_hours.values.push_back(v[L::kHours]);
    g.unmet_not_allowed.values.push_back(v[L::kNotAllowed]);
    g.unmet_full.values.push_back(v[L::kFull]);
    g.censored.values.push_back(v[L::kCensored]);
    g.matched_partial.values.push_back(v[L::kPartial]);
    g.children_placed.values.push_back(v[L::kChildren]);
    g.mean_wait_weeks.values.push_back(ratio(v[L::kWaitWeeks], v[L::kMatched]));
  }
}

}  // namespace avip::sim
