#include <catch2/catch.hpp>

#include <map>

#include "core/random.hpp"
#include "mini_world.hpp"
#include "sim/candidates.hpp"
#include "sim/replication.hpp"

using namespace avip::sim;
using avip::sim::testing::mini_world;

namespace {

/// A random small world: facilities and families scattered over 3 communes.
mini_world random_world(std::uint64_t seed) {
  avip::random_stream r{seed, {42}};
  mini_world m{3};
  int const nk = 2 + static_cast<int>(r.below(5));
  for (int k = 0; k < nk; ++k) {
    m.facility("k" + std::to_string(k), r.bernoulli(0.5) ? facility_kind::creche : facility_kind::assmat,
               1 + static_cast<int>(r.below(6)), r.bernoulli(0.7) ? "Mo-Fr 07:00-18:30" : "Mo-Fr 06:00-20:00",
               r.uniform(0, 20000), r.bernoulli(0.7), r.uniform(0, 0.5));
  }
  int const nf = 5 + static_cast<int>(r.below(40));
  for (int f = 0; f < nf; ++f) {
    m.family(r.uniform(0, 20000), r.bernoulli(0.8) ? "Mo-Fr 08:00-17:00" : "Mo-Fr 06:30-19:30",
             r.bernoulli(0.5) ? mobility::car : mobility::walk,
             r.bernoulli(0.5) ? -1 : static_cast<int>(r.below(12)), r.bernoulli(0.4));
  }
  return m;
}

}  // namespace

TEST_CASE("invariants over random worlds: capacity, conservation, compatibility",
          "[sim][replication][invariant]") {
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    auto m = random_world(seed);
    params p;
    p.policy = static_cast<allocation_policy>(seed % 3);
    p.referral_rate = 0.8;
    auto const c = build_candidates(m.w, p);
    replication_state s;
    run_replication(m.w, p, c, s, seed, static_cast<int>(seed));
    std::map<std::uint32_t, int> occupants;
    for (std::size_t i = 0; i < m.w.families.size(); ++i) {
      // Conservation: a referred family ends exactly matched or unmet; others stay idle.
      if (s.referral_month[i] < 0) {
        REQUIRE(s.status[i] == family_status::idle);
        continue;
      }
      bool const matched = s.placed_month[i] >= 0;
      REQUIRE((s.status[i] == family_status::placed || s.status[i] == family_status::left_matched) ==
              matched);
      REQUIRE((s.status[i] == family_status::left_unmet) == !matched);
      if (s.status[i] == family_status::placed) {
        ++occupants[s.facility[i].value()];
      }
      if (matched) {
        // Compatibility: only one of its candidates.
        bool found = false;
        for (auto j = c.offsets[i]; j < c.offsets[i + 1]; ++j) {
          found = found || c.facility[j] == s.facility[i];
        }
        REQUIRE(found);
      }
    }
    for (std::size_t k = 0; k < m.w.facilities.size(); ++k) {
      REQUIRE(s.free_places[k] >= 0);
      // Capacity: AVIP families placed + other children + free places = PMI places, always.
      REQUIRE(occupants[static_cast<std::uint32_t>(k)] + s.other_children[k] + s.free_places[k] ==
              m.w.facilities.places[facility_idx::from(k)]);
    }
  }
}

TEST_CASE("optimal matches at least the priority-weighted value of priority and lottery",
          "[sim][allocation]") {
  for (std::uint64_t seed = 100; seed < 150; ++seed) {
    auto m = random_world(seed);
    params p;
    auto const c = build_candidates(m.w, p);
    double value[3];
    for (int policy = 0; policy < 3; ++policy) {
      p.policy = static_cast<allocation_policy>(policy);
      replication_state s;
      s.reset(m.w, p);
      std::vector<family_idx> waiting;
      for (std::size_t i = 0; i < m.w.families.size(); ++i) {
        if (c.reason[i] == no_match_reason::none) {
          s.status[i] = family_status::waiting;
          s.referral_month[i] = 0;
          waiting.push_back(family_idx::from(i));
        }
      }
      allocate_month(m.w, p, c, s, waiting, 0, seed, 0);
      std::vector<family_idx> matched;
      for (std::size_t i = 0; i < m.w.families.size(); ++i) {
        if (s.status[i] == family_status::placed) {
          matched.push_back(family_idx::from(i));
        }
        REQUIRE((s.status[i] == family_status::placed) == (s.placed_month[i] == 0));
      }
      for (std::size_t k = 0; k < m.w.facilities.size(); ++k) {
        REQUIRE(s.free_places[k] >= 0);
      }
      value[policy] = weighted_matches(m.w, p, matched);
    }
    INFO("seed " << seed);
    CHECK(value[2] >= value[0] - 1e-9);
    CHECK(value[2] >= value[1] - 1e-9);
  }
}

TEST_CASE("unlabelled EAJE take AVIP children only within L.214-7 (1 per 20 places)", "[sim][allocation]") {
  mini_world m;
  m.facility("big-unlabelled", facility_kind::creche, 40, "Mo-Fr 07:00-18:30", 100, false, 0.0);
  for (int i = 0; i < 5; ++i) {
    m.family(0, "Mo-Fr 08:00-17:00", mobility::walk, 0);
  }
  auto p = avip::sim::testing::quiet_params();
  auto const c = build_candidates(m.w, p);
  replication_state s;
  run_replication(m.w, p, c, s, 1, 0);
  CHECK(s.avip_children[0] == 2);  // 40 places ÷ 20
}
