#include "sim/replication.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <unordered_map>

#include <lemon/list_graph.h>
#include <lemon/network_simplex.h>

#include "core/random.hpp"
#include "sim/cost.hpp"
#include "sim/l214.hpp"

namespace avip::sim {

namespace {

constexpr std::uint64_t kReferralKey = 0x5EFE;
constexpr std::uint64_t kLotteryKey = 0x107;
constexpr std::uint64_t kStayKey = 0x57A7;
constexpr std::uint64_t kTurnoverKey = 0x7E7;
/// A child enters school in the September of the calendar year it turns 3: aged 33 to 44 months then.
constexpr int kSchoolAgeMonths = 33;
/// A referred family asks its nearest compatible structures (L.214-7 availability is measured there).
constexpr std::uint32_t kAskedStructures = 3;

double weight_of(world const& w, params const& p, family_idx f) {
  return w.families.priority(f) ? p.priority_weight : p.other_weight;
}

/// Calendar month (0 = January) of absolute month `m`; the reported year starts in January.
int calendar_month(params const& p, int m) {
  return (((m - p.warmup_months) % 12) + 12) % 12;
}

/// Months until the first success of a monthly Bernoulli(q) (1 = in the first month), capped.
/// `log_keep` is std::log(1 − q), computed once per replication rather than per family.
int months_until(random_stream& r, double q, double log_keep) {
  if (q <= 0) {
    return 1000;
  }
  if (q >= 1) {
    return 1;
  }
  double const u = 1.0 - r.uniform();  // (0, 1]
  return std::min(1000, 1 + static_cast<int>(std::floor(std::log(u) / log_keep)));
}

/// Why a family with no candidate at all is unmet (the two enumerations share their first values).
unmet_reason unmet_from(no_match_reason r) {
  switch (r) {
    case no_match_reason::unreachable:
      return unmet_reason::unreachable;
    case no_match_reason::hours:
      return unmet_reason::hours;
    case no_match_reason::not_allowed:
      return unmet_reason::not_allowed;
    case no_match_reason::none:
      break;
  }
  return unmet_reason::none;
}

/// Places family `f` in facility `k` in month `m`: its children take places until its stay ends.
void place(world const& w, params const& p, replication_state& s, family_idx f, facility_idx k, bool partial,
           int m) {
  auto const i = f.index();
  s.avip[k.index()] += children_of(w, f);
  s.status[i] = family_status::placed;
  s.facility[i] = k;
  s.partial[i] = partial ? 1 : 0;
  s.placed_month[i] = static_cast<std::int16_t>(m);
  s.placed_now.push_back(static_cast<std::uint32_t>(i));
  auto const st = stay_from(s.draws[i], p, m, s.school_month[i], simulated_months(p));
  s.exit_month[i] = static_cast<std::int16_t>(m + st.months);
  s.exit_why[i] = st.reason;
  s.employed_at_exit[i] = st.employed_at_exit ? 1 : 0;
}

/// Greedy matching in the given order: each family takes its first candidate (labelled structures
/// first, then nearest) with room for its children and fit for its child's age.
int greedy(world const& w, params const& p, candidates const& c, replication_state& s,
           std::vector<family_idx> const& order, int month) {
  int matched = 0;
  for (auto f : order) {
    int const age = age_at(w, p, f, month);
    int const need = children_of(w, f);
    for (auto j = c.offsets[f.index()]; j < c.offsets[f.index() + 1]; ++j) {
      auto const k = c.facility[j];
      if (s.available(w, k) >= need && fits_age(w, p, f, k, age)) {
        place(w, p, s, f, k, c.partial[j] != 0, month);
        ++matched;
        break;
      }
    }
  }
  return matched;
}

/// Maximum priority-weighted matching of this month alone as a min-cost flow (LEMON network simplex):
/// source → family (1, −weight), family → candidate facility (1, travel minutes, + 60 when not a
/// labelled structure), facility → sink (its available places), and a free bypass source → sink.
/// Solves one month: over the year it is not a bound (see year_bound). A family of several children
/// is matched only where they all fit; the flow counts it as one, and a facility short of room for it
/// once the flow is read is skipped.
int optimal(world const& w, params const& p, candidates const& c, replication_state& s,
            std::vector<family_idx> const& waiting, int month) {
  using graph = lemon::ListDigraph;
  graph g;
  auto const source = g.addNode();
  auto const sink = g.addNode();
  std::unordered_map<std::uint32_t, graph::Node> fac_node;
  graph::ArcMap<std::int64_t> cap(g);
  graph::ArcMap<std::int64_t> cost(g);
  std::vector<std::tuple<graph::Arc, std::size_t, facility_idx, bool>> choice_arcs;
  for (std::size_t i = 0; i < waiting.size(); ++i) {
    auto const f = waiting[i];
    int const age = age_at(w, p, f, month);
    int const need = children_of(w, f);
    auto const node = g.addNode();
    auto a = g.addArc(source, node);
    cap[a] = 1;
    cost[a] = -static_cast<std::int64_t>(std::llround(weight_of(w, p, f) * 100000.0));
    for (auto j = c.offsets[f.index()]; j < c.offsets[f.index() + 1]; ++j) {
      auto const k = c.facility[j];
      if (s.available(w, k) < need || !fits_age(w, p, f, k, age)) {
        continue;
      }
      auto it = fac_node.find(k.value());
      if (it == fac_node.end()) {
        auto const fn = g.addNode();
        auto const out = g.addArc(fn, sink);
        cap[out] = s.available(w, k);
        cost[out] = 0;
        it = fac_node.emplace(k.value(), fn).first;
      }
      auto const arc = g.addArc(node, it->second);
      cap[arc] = 1;
      bool const labelled = w.facilities.avip[k] != 0 || w.facilities.kind[k] == facility_kind::baby_bus_site;
      cost[arc] = static_cast<std::int64_t>(std::lround(c.minutes[j])) + (labelled ? 0 : 60);
      choice_arcs.emplace_back(arc, i, k, c.partial[j] != 0);
    }
  }
  auto const bypass = g.addArc(source, sink);
  cap[bypass] = static_cast<std::int64_t>(waiting.size());
  cost[bypass] = 0;
  lemon::NetworkSimplex<graph, std::int64_t, std::int64_t> ns(g);
  ns.upperMap(cap).costMap(cost).stSupply(source, sink, static_cast<std::int64_t>(waiting.size()));
  if (ns.run() != lemon::NetworkSimplex<graph, std::int64_t, std::int64_t>::OPTIMAL) {
    return 0;
  }
  int matched = 0;
  for (auto const& [arc, i, k, partial] : choice_arcs) {
    auto const f = waiting[i];
    if (ns.flow(arc) > 0 && s.available(w, k) >= children_of(w, f)) {
      place(w, p, s, f, k, partial, month);
      ++matched;
    }
  }
  return matched;
}

}  // namespace

stay stay_from(stay_draws const& d, params const& p, int entry, int school_month, int months) {
  // Months after entry at which each way out happens; the first one wins.
  int const to_school = std::max(1, school_month - entry);
  int const contracts = 1 + std::min(d.renewals, std::max(0, p.contract_renewals));
  int contract_end = 1000;  // employed before a contract ends: continuity until school
  for (int c = 1; c <= contracts; ++c) {
    int const end = c * std::max(1, p.contract_months);
    if (d.job_after <= end) {
      break;
    }
    if (c == contracts) {
      contract_end = end;
    }
  }
  stay st;
  int length = to_school;
  st.reason = exit_reason::school;
  if (contract_end < length) {
    length = contract_end;
    st.reason = exit_reason::contract_end;
  }
  if (d.dropout_after < length) {
    length = d.dropout_after;
    st.reason = exit_reason::dropout;
  }
  st.employed_at_exit = d.job_after <= length;
  if (entry + length >= months) {
    length = std::max(1, months - entry);
    st.reason = exit_reason::none;  // still there at the end of the run
  }
  st.months = length;
  return st;
}

std::int32_t avip_cap(world const& w, params const& p, facility_idx k) {
  auto const& fa = w.facilities;
  auto const kind = fa.kind[k];
  if (fa.avip[k] != 0 || kind == facility_kind::baby_bus_site) {
    return labelled_places(w, p, k);
  }
  if (is_eaje(kind)) {
    return l214_guaranteed_places(w, p, k);
  }
  return p.unlabelled_assmat_open ? fa.places[k] : 0;
}

int warmup_months(params const& p) {
  return std::clamp(p.warmup_months, 0, 120);
}

int simulated_months(params const& p) {
  return warmup_months(p) + std::clamp(p.horizon_months, 1, 120);
}

int max_wait_months(params const& p) {
  return std::max(0, static_cast<int>(std::floor(p.max_wait_weeks / kWeeksPerMonth)));
}

int age_at(world const& w, params const& p, family_idx f, int m) {
  return static_cast<int>(w.families.child_age_months[f]) + (m - p.warmup_months);
}

void replication_state::reset(world const& w, params const& p) {
  auto const nf = w.families.size();
  auto const nk = w.facilities.size();
  status.assign(nf, family_status::idle);
  referral_month.assign(nf, -1);
  referred_by.assign(nf, referrer::france_travail);
  placed_month.assign(nf, -1);
  exit_month.assign(nf, -1);
  exit_why.assign(nf, exit_reason::none);
  employed_at_exit.assign(nf, 0);
  permanent_job.assign(nf, 0);
  facility.assign(nf, facility_idx::invalid());
  partial.assign(nf, 0);
  unmet.assign(nf, unmet_reason::none);
  draws.assign(nf, stay_draws{});
  school_month.assign(nf, 0);
  ordinary.resize(nk);
  ordinary_goal.resize(nk);
  avip.assign(nk, 0);
  avip_cap.resize(nk);
  avip_year.assign(nk, 0);
  l214_requests.assign(nk, 0);
  l214_found.assign(nk, 0);
  placed_now.clear();
  if (keyed_world != &w || family_key.size() != nf || facility_key.size() != nk) {
    family_key.resize(nf);
    for (std::size_t i = 0; i < nf; ++i) {
      family_key[i] = id_key(w.families.id[family_idx::from(i)]);
    }
    facility_key.resize(nk);
    for (std::size_t k = 0; k < nk; ++k) {
      facility_key[k] = id_key(w.facilities.id[facility_idx::from(k)]);
    }
    keyed_world = &w;
  }
  for (std::size_t k = 0; k < nk; ++k) {
    auto const i = facility_idx::from(k);
    auto const places = w.facilities.places[i];
    ordinary_goal[k] =
        std::clamp(static_cast<std::int32_t>(std::floor(places * w.facilities.occupancy[i] + 0.5)), 0,
                   std::max(0, places));
    ordinary[k] = ordinary_goal[k];
    avip_cap[k] = sim::avip_cap(w, p, i);
  }
}

double weighted_matches(world const& w, params const& p, std::vector<family_idx> const& matched) {
  double v = 0;
  for (auto f : matched) {
    v += weight_of(w, p, f);
  }
  return v;
}

int allocate_month(world const& w, params const& p, candidates const& c, replication_state& s,
                   std::vector<family_idx>& waiting, int month, std::uint64_t seed, int replication) {
  switch (p.policy) {
    case allocation_policy::priority:
      // 2025 accord: the priority public first, then the longest wait, then a stable order.
      std::sort(waiting.begin(), waiting.end(), [&](family_idx a, family_idx b) {
        bool const pa = w.families.priority(a);
        bool const pb = w.families.priority(b);
        if (pa != pb) {
          return pa;
        }
        if (s.referral_month[a.index()] != s.referral_month[b.index()]) {
          return s.referral_month[a.index()] < s.referral_month[b.index()];
        }
        return a < b;
      });
      return greedy(w, p, c, s, waiting, month);
    case allocation_policy::lottery: {
      // ISAJE-like: a random order among eligible families, drawn per (family, month).
      std::vector<std::pair<std::uint64_t, family_idx>> keyed;
      keyed.reserve(waiting.size());
      for (auto f : waiting) {
        random_stream r{seed,
                        {kLotteryKey, static_cast<std::uint64_t>(replication), s.family_key[f.index()],
                         static_cast<std::uint64_t>(month)}};
        keyed.emplace_back(r.next(), f);
      }
      std::sort(keyed.begin(), keyed.end());
      for (std::size_t i = 0; i < keyed.size(); ++i) {
        waiting[i] = keyed[i].second;
      }
      return greedy(w, p, c, s, waiting, month);
    }
    case allocation_policy::optimal:
      return optimal(w, p, c, s, waiting, month);
  }
  return 0;
}

bool run_replication(world const& w, params const& p, candidates const& c, replication_state& s,
                     std::uint64_t seed, int replication, std::atomic<bool> const* cancel) {
  s.reset(w, p);
  auto const nf = w.families.size();
  auto const nk = w.facilities.size();
  int const warmup = warmup_months(p);
  int const months = simulated_months(p);
  auto const rep = static_cast<std::uint64_t>(replication);
  double const p_year = referral_probability(p);
  double const log_keep_seeking = std::log(1.0 - p.monthly_job_finding_probability);
  double const log_keep_staying = std::log(1.0 - p.monthly_dropout_probability);

  // Per family: the month its youngest child enters school, its referral (the funnel, drawn year by
  // year over the months it has a child of crèche age, or given in the families layer), its
  // prescriber (professional paths: France Travail; social and integration paths: the CAF's social
  // workers) and its stay draws.
  for (std::size_t i = 0; i < nf; ++i) {
    auto const f = family_idx::from(i);
    int school = months + 1;
    for (int m = 0; m < months + 12; ++m) {
      if (calendar_month(p, m) == p.school_entry_month && age_at(w, p, f, m) >= kSchoolAgeMonths) {
        school = m;
        break;
      }
    }
    s.school_month[i] = static_cast<std::int16_t>(std::min(school, 32000));
    int const max_age = w.families.disabled_child[f] != 0 ? p.max_age_months_disabled : p.max_age_months;
    auto eligible = [&](int m) {
      int const a = age_at(w, p, f, m);
      return a >= 0 && a <= max_age && m < school;
    };
    random_stream r{seed, {kReferralKey, rep, s.family_key[i]}};
    auto const given = w.families.referral_month[f];
    if (given >= 0) {
      int const m = warmup + given;
      s.referral_month[i] = static_cast<std::int16_t>(m < months && eligible(m) ? m : -1);
    } else {
      for (int y0 = 0; y0 < months && s.referral_month[i] < 0; y0 += 12) {
        int const y1 = std::min(months, y0 + 12);
        int n_eligible = 0;
        for (int m = y0; m < y1; ++m) {
          n_eligible += eligible(m) ? 1 : 0;
        }
        // The yearly probability applies to a whole year with a young child; a part year, pro rata.
        bool const referred = r.bernoulli(p_year * n_eligible / 12.0);
        auto const pick = static_cast<int>(r.below(static_cast<std::uint64_t>(std::max(1, n_eligible))));
        if (referred && n_eligible > 0) {
          for (int m = y0, seen = 0; m < y1; ++m) {
            if (eligible(m) && seen++ == pick) {
              s.referral_month[i] = static_cast<std::int16_t>(m);
              break;
            }
          }
        }
      }
    }
    auto const path = w.families.path[f];
    bool const social = path == insertion_path::social || path == insertion_path::integration;
    double const u = r.uniform();
    s.referred_by[i] = social && u < p.caf_share_social_paths ? referrer::caf : referrer::france_travail;
    random_stream d{seed, {kStayKey, rep, s.family_key[i]}};
    auto& dr = s.draws[i];
    dr.job_after = months_until(d, p.monthly_job_finding_probability, log_keep_seeking);
    dr.permanent_job = d.bernoulli(p.permanent_job_share);
    dr.dropout_after = months_until(d, p.monthly_dropout_probability, log_keep_staying);
    dr.renewals = 0;
    while (dr.renewals < p.contract_renewals && d.bernoulli(p.renewal_probability)) {
      ++dr.renewals;
    }
    s.permanent_job[i] = dr.permanent_job ? 1 : 0;
  }

  int const max_wait = max_wait_months(p);
  double const monthly_turnover = std::clamp(p.yearly_turnover, 0.0, 1.0) / 12.0;
  // P(no child leaves) for n children, tabulated: one pow per count instead of per facility and month.
  std::array<double, 64> none_leave{};
  for (std::size_t n = 0; n < none_leave.size(); ++n) {
    none_leave[n] = std::pow(1 - monthly_turnover, static_cast<int>(n));
  }
  // The families referred in each month (in index order), so that a month looks at its own only.
  auto& start = s.month_start;
  start.assign(static_cast<std::size_t>(months) + 1, 0);
  for (std::size_t i = 0; i < nf; ++i) {
    if (auto const rm = s.referral_month[i]; rm >= 0 && rm < months) {
      ++start[static_cast<std::size_t>(rm) + 1];
    }
  }
  for (std::size_t m = 0; m < static_cast<std::size_t>(months); ++m) {
    start[m + 1] += start[m];
  }
  s.referred_in.resize(start.back());
  {
    auto next = start;
    for (std::size_t i = 0; i < nf; ++i) {
      if (auto const rm = s.referral_month[i]; rm >= 0 && rm < months) {
        s.referred_in[next[static_cast<std::size_t>(rm)]++] = static_cast<std::uint32_t>(i);
      }
    }
  }
  std::vector<family_idx> waiting;
  for (int m = 0; m < months; ++m) {
    if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) {
      return false;
    }
    bool const reported = m >= warmup;
    // 1. Stays that end this month free their places (the families placed so far: see place()).
    std::size_t still = 0;
    for (auto const i : s.placed_now) {
      if (s.status[i] != family_status::placed) {
        continue;
      }
      if (s.exit_month[i] == m) {
        s.status[i] = family_status::left_matched;
        s.avip[s.facility[i].index()] -= children_of(w, family_idx::from(i));
      } else {
        s.placed_now[still++] = i;
      }
    }
    s.placed_now.resize(still);
    // 2. The other children leave by turnover (a Bernoulli per child and month).
    for (std::size_t k = 0; k < nk; ++k) {
      random_stream r{seed, {kTurnoverKey, rep, s.facility_key[k], static_cast<std::uint64_t>(m)}};
      auto const n = s.ordinary[k];
      s.ordinary[k] -=
          n >= 0 && static_cast<std::size_t>(n) < none_leave.size()
              ? binomial_by_inversion(r, n, monthly_turnover, none_leave[static_cast<std::size_t>(n)])
              : binomial_by_inversion(r, n, monthly_turnover);
    }
    // 3. New referrals join the waiting list, or are unmet at once when nothing is compatible.
    // The waiting list, in index order: last month's families still waiting, then this month's.
    std::size_t kept = 0;
    for (auto const f : waiting) {
      if (s.status[f.index()] == family_status::waiting) {
        waiting[kept++] = f;
      }
    }
    waiting.resize(kept);
    std::sort(waiting.begin(), waiting.end());  // the allocation reorders it
    auto const um = static_cast<std::size_t>(m);
    for (auto j = start[um]; j < start[um + 1]; ++j) {
      auto const i = s.referred_in[j];
      if (s.status[i] == family_status::idle) {
        if (c.reason[i] == no_match_reason::none) {
          s.status[i] = family_status::waiting;
          waiting.push_back(family_idx::from(i));
        } else {
          s.status[i] = family_status::left_unmet;
          s.unmet[i] = unmet_from(c.reason[i]);
        }
      }
    }
    std::inplace_merge(waiting.begin(), waiting.begin() + static_cast<std::ptrdiff_t>(kept), waiting.end());
    // 4. L.214-7: when a family asks (its referral month), is a guaranteed place free in the EAJE of
    // 20 places or more among its nearest compatible structures? Families asking in the same month
    // are served in turn: the first takes the place it finds, the next ones see what is left.
    if (reported) {
      std::vector<std::pair<facility_idx, std::int32_t>> left;  // room left this month, by facility
      auto room = [&](facility_idx k) -> std::int32_t& {
        for (auto& [kk, n] : left) {
          if (kk == k) {
            return n;
          }
        }
        return left.emplace_back(k, s.available(w, k)).second;
      };
      for (auto f : waiting) {
        if (s.referral_month[f.index()] != m) {
          continue;
        }
        int const need = children_of(w, f);
        bool taken = false;
        auto const j0 = c.offsets[f.index()];
        auto const j1 = std::min(c.offsets[f.index() + 1], j0 + kAskedStructures);
        for (auto j = j0; j < j1; ++j) {
          auto const k = c.facility[j];
          auto& r = room(k);
          bool const free = r >= need;
          if (l214_applies(w, p, k)) {
            ++s.l214_requests[k.index()];
            s.l214_found[k.index()] += free ? 1 : 0;
          }
          if (free && !taken) {
            r -= need;
            taken = true;
          }
        }
      }
    }
    // 5. Allocation of the places available to AVIP families (they come first on vacancies).
    allocate_month(w, p, c, s, waiting, m, seed, replication);
    // 6. Who waited too long gives up: compatible but full.
    for (auto f : waiting) {
      auto const i = f.index();
      if (s.status[i] == family_status::waiting && m - s.referral_month[i] >= max_wait) {
        s.status[i] = family_status::left_unmet;
        s.unmet[i] = unmet_reason::full;
      }
    }
    // 7. Ordinary demand takes the remaining vacancies, up to its level (the observed occupancy).
    for (std::size_t k = 0; k < nk; ++k) {
      auto const room = w.facilities.places[facility_idx::from(k)] - s.ordinary[k] - s.avip[k];
      auto const wanted = s.ordinary_goal[k] - s.ordinary[k];
      s.ordinary[k] += std::max(0, std::min(room, wanted));
    }
  }
  for (std::size_t i = 0; i < nf; ++i) {
    if (s.status[i] == family_status::waiting) {
      s.status[i] = family_status::left_unmet;  // still within its wait at the end: censored
      s.unmet[i] = unmet_reason::censored;
    }
    if (s.placed_month[i] >= 0 && s.exit_month[i] > warmup) {
      s.avip_year[s.facility[i].index()] += children_of(w, family_idx::from(i));
    }
  }
  return true;
}

}  // namespace avip::sim
