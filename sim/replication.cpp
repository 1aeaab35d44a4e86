#include "sim/replication.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include <lemon/list_graph.h>
#include <lemon/network_simplex.h>

#include "core/random.hpp"

namespace avip::sim {

namespace {

constexpr std::uint64_t kReferralKey = 0x5EFE;
constexpr std::uint64_t kLotteryKey = 0x107;
constexpr std::uint64_t kOutcomeKey = 0x0C7;
constexpr double kWeeksPerMonth = 4.33;

double weight_of(world const& w, params const& p, family_idx f) {
  return w.families.priority(f) ? p.priority_weight : p.other_weight;
}

/// Places family `f` in facility `k` this month: one place and one of its AVIP quota taken; the contract
/// runs `contract_months` × (1 + renewals).
void place(replication_state& s, params const& p, family_idx f, facility_idx k, int month) {
  --s.free_places[k.index()];
  --s.avip_quota[k.index()];
  s.status[f.index()] = family_status::placed;
  s.facility[f.index()] = k;
  s.placed_month[f.index()] = static_cast<std::int8_t>(month);
  s.contract_end[f.index()] =
      static_cast<std::int8_t>(std::min(127, month + p.contract_months * (1 + p.contract_renewals)));
}

/// Greedy matching in the given order: each family takes its nearest candidate with a free place.
int greedy(candidates const& c, replication_state& s, std::vector<family_idx> const& order, int month,
           params const& p) {
  int matched = 0;
  for (auto f : order) {
    for (auto j = c.offsets[f.index()]; j < c.offsets[f.index() + 1]; ++j) {
      auto const k = c.facility[j];
      if (s.available(k) > 0) {
        place(s, p, f, k, month);
        ++matched;
        break;
      }
    }
  }
  return matched;
}

/// Maximum priority-weighted matching of this month as a min-cost flow (LEMON network simplex):
/// source -> family (1, −weight), family -> candidate facility (1, 0), facility -> sink (free places, 0),
/// and a free bypass source -> sink so that the flow value is not forced.
int optimal(world const& w, params const& p, candidates const& c, replication_state& s,
            std::vector<family_idx> const& waiting, int month) {
  using graph = lemon::ListDigraph;
  graph g;
  auto const source = g.addNode();
  auto const sink = g.addNode();
  std::vector<graph::Node> fam_node(waiting.size());
  std::vector<std::pair<std::uint32_t, graph::Node>> fac_nodes;  // facility index -> node (sparse)
  std::unordered_map<std::uint32_t, graph::Node> fac_node;
  graph::ArcMap<std::int64_t> cap(g);
  graph::ArcMap<std::int64_t> cost(g);
  std::vector<std::tuple<graph::Arc, std::size_t, facility_idx>> choice_arcs;
  for (std::size_t i = 0; i < waiting.size(); ++i) {
    auto const f = waiting[i];
    fam_node[i] = g.addNode();
    auto a = g.addArc(source, fam_node[i]);
    cap[a] = 1;
    // Weights scaled to integers; a small preference for nearer facilities breaks ties.
    cost[a] = -static_cast<std::int64_t>(std::llround(weight_of(w, p, f) * 1000.0));
    for (auto j = c.offsets[f.index()]; j < c.offsets[f.index() + 1]; ++j) {
      auto const k = c.facility[j];
      if (s.available(k) <= 0) {
        continue;
      }
      auto it = fac_node.find(k.value());
      if (it == fac_node.end()) {
        auto const node = g.addNode();
        auto const out = g.addArc(node, sink);
        cap[out] = s.available(k);
        cost[out] = 0;
        it = fac_node.emplace(k.value(), node).first;
      }
      auto const arc = g.addArc(fam_node[i], it->second);
      cap[arc] = 1;
      cost[arc] = static_cast<std::int64_t>(std::lround(c.minutes[j]));
      choice_arcs.emplace_back(arc, i, k);
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
  for (auto const& [arc, i, k] : choice_arcs) {
    if (ns.flow(arc) > 0) {
      auto const f = waiting[i];
      place(s, p, f, k, month);
      ++matched;
    }
  }
  return matched;
}

}  // namespace

void replication_state::reset(world const& w, params const& p) {
  auto const nf = w.families.size();
  auto const nk = w.facilities.size();
  status.assign(nf, family_status::idle);
  referral_month.assign(nf, -1);
  referred_by.assign(nf, referrer::france_travail);
  placed_month.assign(nf, -1);
  contract_end.assign(nf, -1);
  employed.assign(nf, 0);
  facility.assign(nf, facility_idx::invalid());
  unmet_reason.assign(nf, 0);
  free_places.resize(nk);
  turnover_credit.assign(nk, 0.0);
  avip_children.assign(nk, 0);
  avip_quota.resize(nk);
  other_children.resize(nk);
  for (std::size_t k = 0; k < nk; ++k) {
    auto const i = facility_idx::from(k);
    free_places[k] = static_cast<std::int32_t>(
        std::floor(w.facilities.places[i] * (1.0 - w.facilities.occupancy[i]) + 0.5));
    other_children[k] = std::max(0, w.facilities.places[i] - free_places[k]);
    auto const kind = w.facilities.kind[i];
    if (w.facilities.avip[i] != 0 || kind == facility_kind::baby_bus_site) {
      avip_quota[k] = std::numeric_limits<std::int32_t>::max();  // labelled: any free place
    } else if (is_eaje(kind)) {
      // CASF L.214-7: every EAJE guarantees one place per 20 to children of parents in insertion.
      avip_quota[k] = static_cast<std::int32_t>(std::floor(w.facilities.places[i] / p.l214_places_per_child));
    } else {
      avip_quota[k] = p.unlabelled_assmat_open ? std::numeric_limits<std::int32_t>::max() : 0;
    }
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
      return greedy(c, s, waiting, month, p);
    case allocation_policy::lottery: {
      // ISAJE-like: a random order among eligible families, drawn per (family, month).
      std::vector<std::pair<std::uint64_t, family_idx>> keyed;
      keyed.reserve(waiting.size());
      for (auto f : waiting) {
        random_stream r{seed,
                        {kLotteryKey, static_cast<std::uint64_t>(replication), f.value(),
                         static_cast<std::uint64_t>(month)}};
        keyed.emplace_back(r.next(), f);
      }
      std::sort(keyed.begin(), keyed.end());
      for (std::size_t i = 0; i < keyed.size(); ++i) {
        waiting[i] = keyed[i].second;
      }
      return greedy(c, s, waiting, month, p);
    }
    case allocation_policy::optimal:
      return optimal(w, p, c, s, waiting, month);
  }
  return 0;
}

void run_replication(world const& w, params const& p, candidates const& c, replication_state& s,
                     std::uint64_t seed, int replication) {
  s.reset(w, p);
  auto const nf = w.families.size();
  auto const nk = w.facilities.size();
  int const horizon = std::clamp(p.horizon_months, 1, 120);
  auto const rep = static_cast<std::uint64_t>(replication);
  // Referrals: a family's month is given, or drawn (probability referral_rate × demand_scale).
  double const p_ref = std::clamp(p.referral_rate * p.demand_scale, 0.0, 1.0);
  // Prescriber: France Travail, the CAF, or (the rest) the Mission locale.
  double const p_ft = std::clamp(p.referral_share_france_travail, 0.0, 1.0);
  double const p_caf = std::clamp(p.referral_share_caf, 0.0, 1.0 - p_ft);
  for (std::size_t i = 0; i < nf; ++i) {
    auto const given = w.families.referral_month[family_idx::from(i)];
    random_stream r{seed, {kReferralKey, rep, i}};
    if (given >= 0) {
      s.referral_month[i] = given < horizon ? given : -1;
    } else if (r.bernoulli(p_ref)) {
      s.referral_month[i] = static_cast<std::int8_t>(r.below(static_cast<std::uint64_t>(horizon)));
    }
    double const u = r.uniform();
    s.referred_by[i] =
        u < p_ft ? referrer::france_travail : (u < p_ft + p_caf ? referrer::caf : referrer::mission_locale);
  }
  int const max_wait_months = std::max(0, static_cast<int>(std::floor(p.max_wait_weeks / kWeeksPerMonth)));
  std::vector<family_idx> waiting;
  for (int m = 0; m < horizon; ++m) {
    // 1. Departures: contracts that end (unless the parent found a job: continuity), dropouts.
    for (std::size_t i = 0; i < nf; ++i) {
      if (s.status[i] != family_status::placed) {
        continue;
      }
      random_stream r{seed, {kOutcomeKey, rep, i, static_cast<std::uint64_t>(m)}};
      if (s.employed[i] == 0 && r.bernoulli(p.monthly_job_finding_probability)) {
        s.employed[i] = 1;
      }
      bool const ends = s.employed[i] == 0 && m >= s.contract_end[i];
      bool const drops = r.bernoulli(p.monthly_dropout_probability);
      if (ends || drops) {
        s.status[i] = family_status::left_matched;
        ++s.free_places[s.facility[i].index()];
      }
    }
    // 2. Places freed by the yearly turnover of the other children.
    for (std::size_t k = 0; k < nk; ++k) {
      s.turnover_credit[k] += w.facilities.places[facility_idx::from(k)] * p.yearly_turnover / 12.0;
      auto const whole = static_cast<std::int32_t>(std::floor(s.turnover_credit[k]));
      s.turnover_credit[k] -= whole;
      // Only the other children (not the AVIP families placed here) leave by turnover.
      auto const released = std::min(whole, s.other_children[k]);
      s.other_children[k] -= released;
      s.free_places[k] += released;
    }
    // 3. New referrals join the waiting list, or are unmet at once when nothing is compatible.
    for (std::size_t i = 0; i < nf; ++i) {
      if (s.referral_month[i] == m && s.status[i] == family_status::idle) {
        if (c.reason[i] != no_match_reason::none) {
          s.status[i] = family_status::left_unmet;
          s.unmet_reason[i] = static_cast<std::uint8_t>(c.reason[i]);
        } else {
          s.status[i] = family_status::waiting;
        }
      }
    }
    // 4. Allocation.
    waiting.clear();
    for (std::size_t i = 0; i < nf; ++i) {
      if (s.status[i] == family_status::waiting) {
        waiting.push_back(family_idx::from(i));
      }
    }
    allocate_month(w, p, c, s, waiting, m, seed, replication);
    // 5. Who waited too long gives up: compatible but full.
    for (auto f : waiting) {
      auto const i = f.index();
      if (s.status[i] == family_status::waiting && m - s.referral_month[i] >= max_wait_months) {
        s.status[i] = family_status::left_unmet;
        s.unmet_reason[i] = 3;
      }
    }
  }
  for (std::size_t i = 0; i < nf; ++i) {
    if (s.status[i] == family_status::waiting) {
      s.status[i] = family_status::left_unmet;  // still waiting at the horizon: unmet, full
      s.unmet_reason[i] = 3;
    }
    if (s.placed_month[i] >= 0) {
      auto const k = s.facility[i].index();
      s.avip_children[k] += std::max<int>(1, w.families.children_under_3[family_idx::from(i)]);
    }
  }
}

}  // namespace avip::sim
