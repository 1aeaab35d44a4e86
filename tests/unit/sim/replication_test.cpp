#include <catch2/catch.hpp>

#include <atomic>
#include <map>

#include "core/random.hpp"
#include "mini_world.hpp"
#include "sim/candidates.hpp"
#include "sim/replication.hpp"

using namespace avip::sim;
using avip::sim::testing::mini_world;
using avip::sim::testing::quiet_params;

namespace {

/// A random small world: facilities and families (some with two children) scattered over 3 communes.
mini_world random_world(std::uint64_t seed) {
  avip::random_stream r{seed, {42}};
  mini_world m{3};
  int const nk = 2 + static_cast<int>(r.below(5));
  for (int k = 0; k < nk; ++k) {
    auto const kind = r.bernoulli(0.5) ? facility_kind::creche : facility_kind::assmat;
    m.facility(
        "k" + std::to_string(k), kind,
        kind == facility_kind::creche ? 8 + static_cast<int>(r.below(30)) : 1 + static_cast<int>(r.below(4)),
        r.bernoulli(0.7) ? "Mo-Fr 07:00-18:30" : "Mo-Fr 06:00-20:00", r.uniform(0, 20000), r.bernoulli(0.7),
        r.uniform(0, 1));
  }
  int const nf = 5 + static_cast<int>(r.below(60));
  for (int f = 0; f < nf; ++f) {
    auto const i = m.family(r.uniform(0, 20000), r.bernoulli(0.8) ? "Mo-Fr 08:00-17:00" : "Mo-Fr 06:30-19:30",
                            r.bernoulli(0.5) ? mobility::car : mobility::walk,
                            r.bernoulli(0.5) ? -1 : static_cast<int>(r.below(12)), r.bernoulli(0.4),
                            static_cast<int>(r.below(36)));
    m.w.families.children_under_3[i] = r.bernoulli(0.2) ? 2 : 1;
  }
  return m;
}

params random_params(std::uint64_t seed) {
  params p;
  p.policy = static_cast<allocation_policy>(seed % 3);
  p.awareness_rate = 1.0;
  p.insertion_path_rate = 0.8;
  p.childcare_barrier_rate = 1.0;
  p.monthly_job_finding_probability = 0.1;
  p.monthly_dropout_probability = 0.05;
  p.yearly_turnover = 0.6;
  return p;
}

}  // namespace

TEST_CASE("invariants over random worlds: capacity in children, conservation, compatibility",
          "[sim][replication][invariant]") {
  for (std::uint64_t seed = 1; seed <= 80; ++seed) {
    auto m = random_world(seed);
    auto const p = random_params(seed);
    auto const c = build_candidates(m.w, p);
    replication_state s;
    run_replication(m.w, p, c, s, seed, static_cast<int>(seed));
    std::map<std::uint32_t, int> children_present;
    for (std::size_t i = 0; i < m.w.families.size(); ++i) {
      auto const f = family_idx::from(i);
      // Conservation: a referred family ends exactly matched or unmet (or censored); others stay idle.
      if (s.referral_month[i] < 0) {
        REQUIRE(s.status[i] == family_status::idle);
        continue;
      }
      bool const matched = s.placed_month[i] >= 0;
      REQUIRE((s.status[i] == family_status::placed || s.status[i] == family_status::left_matched) ==
              matched);
      REQUIRE((s.status[i] == family_status::left_unmet) == !matched);
      REQUIRE((s.unmet[i] != unmet_reason::none) == !matched);
      if (s.status[i] == family_status::placed) {
        children_present[s.facility[i].value()] += children_of(m.w, f);
      }
      if (matched) {
        REQUIRE(s.placed_month[i] >= s.referral_month[i]);
        REQUIRE(s.exit_month[i] > s.placed_month[i]);
        // Compatibility: only one of its candidates, and fit for the child's age when placed.
        bool found = false;
        for (auto j = c.offsets[i]; j < c.offsets[i + 1]; ++j) {
          found = found || c.facility[j] == s.facility[i];
        }
        REQUIRE(found);
        REQUIRE(fits_age(m.w, p, f, s.facility[i], age_at(m.w, p, f, s.placed_month[i])));
      }
    }
    for (std::size_t k = 0; k < m.w.facilities.size(); ++k) {
      auto const fk = facility_idx::from(k);
      // Capacity, counted in children: AVIP children present + other children ≤ PMI places, and the
      // AVIP children never exceed the structure's AVIP cap.
      REQUIRE(s.avip[k] == children_present[static_cast<std::uint32_t>(k)]);
      REQUIRE(s.avip[k] + s.ordinary[k] <= m.w.facilities.places[fk]);
      REQUIRE(s.avip[k] <= s.avip_cap[k]);
      REQUIRE(s.ordinary[k] >= 0);
    }
  }
}

TEST_CASE("a family of two children takes two places", "[sim][replication][capacity]") {
  // One labelled crèche with 3 free places, all labelled (5 places × 60 % labelled share = 3), and two
  // families of two children each: only one family fits, and it takes 2 of the 3 places.
  mini_world m;
  m.facility("creche", facility_kind::creche, 5, "Mo-Fr 07:00-18:30", 100, true, 0.4);
  auto const a = m.family(0, "Mo-Fr 08:00-17:00", mobility::walk, 0);
  auto const b = m.family(0, "Mo-Fr 08:00-17:00", mobility::walk, 0);
  m.w.families.children_under_3[a] = 2;
  m.w.families.children_under_3[b] = 2;
  auto p = quiet_params();
  p.labelled_places_share = 0.6;
  auto const c = build_candidates(m.w, p);
  replication_state s;
  run_replication(m.w, p, c, s, 1, 0);
  CHECK(s.avip_cap[0] == 3);
  CHECK((s.placed_month[a.index()] >= 0) != (s.placed_month[b.index()] >= 0));
  CHECK(s.avip[0] == 2);
  CHECK(s.avip_year[0] == 2);
}

TEST_CASE("a replication stops at the next month when cancelled, and runs whole otherwise",
          "[sim][replication][cancel]") {
  mini_world m;
  m.facility("creche", facility_kind::creche, 5, "Mo-Fr 07:00-18:30", 100, true, 0.4);
  m.family(0, "Mo-Fr 08:00-17:00", mobility::walk, 0);
  auto const p = quiet_params();
  auto const c = build_candidates(m.w, p);
  replication_state s;
  std::atomic<bool> flag{true};
  CHECK_FALSE(run_replication(m.w, p, c, s, 1, 0, &flag));
  CHECK(s.placed_month[0] < 0);  // stopped before its first month
  flag = false;
  CHECK(run_replication(m.w, p, c, s, 1, 0, &flag));
  auto const placed = s.placed_month[0];
  CHECK(placed >= 0);
  CHECK(run_replication(m.w, p, c, s, 1, 0));
  CHECK(s.placed_month[0] == placed);
}

TEST_CASE("stays: contract end, renewal, continuity when a job is found, dropout, school entry",
          "[sim][replication][stay]") {
  params p;
  p.contract_months = 6;
  p.contract_renewals = 1;
  int const months = 24;
  int const no_school = 1000;
  stay_draws d;  // never a job, never a dropout, no renewal
  auto s = stay_from(d, p, 2, no_school, months);
  CHECK(s.months == 6);
  CHECK(s.reason == exit_reason::contract_end);
  CHECK_FALSE(s.employed_at_exit);
  d.renewals = 1;
  s = stay_from(d, p, 2, no_school, months);
  CHECK(s.months == 12);
  d.job_after = 8;  // a job during the renewal: the child keeps the place until school
  s = stay_from(d, p, 2, 20, months);
  CHECK(s.months == 18);
  CHECK(s.reason == exit_reason::school);
  CHECK(s.employed_at_exit);
  d.dropout_after = 3;
  s = stay_from(d, p, 2, 20, months);
  CHECK(s.months == 3);
  CHECK(s.reason == exit_reason::dropout);
  d = stay_draws{};
  d.renewals = 1;
  s = stay_from(d, p, 20, no_school, months);  // cut at the end of the run: still there
  CHECK(s.months == 4);
  CHECK(s.reason == exit_reason::none);
}

TEST_CASE("children leave for school in September of the year they turn three", "[sim][replication][stay]") {
  // No warm-up: month 0 is January. A child of 28 months in January is 36 in September (month 8):
  // placed in month 0 with a job found at once, it stays until school, 8 months.
  mini_world m;
  m.facility("creche", facility_kind::creche, 10, "Mo-Fr 07:00-18:30", 100, true, 0.0);
  auto const f = m.family(0, "Mo-Fr 08:00-17:00", mobility::walk, 0, false, 28);
  auto p = quiet_params();
  p.monthly_job_finding_probability = 1.0;
  auto const c = build_candidates(m.w, p);
  replication_state s;
  run_replication(m.w, p, c, s, 1, 0);
  CHECK(s.placed_month[f.index()] == 0);
  CHECK(s.exit_month[f.index()] == 8);
  CHECK(s.exit_why[f.index()] == exit_reason::school);
}

TEST_CASE("turnover frees places of small structures too (a Bernoulli, not a floor)", "[sim][replication]") {
  // A full assistant maternel of 3 places: 30 % a year × 3 places ÷ 12 = 0.075 a month would always be
  // floored to 0; drawn per child, some replications free a place for the waiting family.
  mini_world m;
  m.facility("assmat", facility_kind::assmat, 3, "Mo-Fr 06:00-19:30", 100, true, 1.0);
  m.family(0, "Mo-Fr 08:00-17:00", mobility::walk, 0);
  auto p = quiet_params();
  p.yearly_turnover = 0.3;
  p.max_wait_weeks = 52;
  auto const c = build_candidates(m.w, p);
  int placed = 0;
  for (int r = 0; r < 200; ++r) {
    replication_state s;
    run_replication(m.w, p, c, s, 5, r);
    placed += s.placed_month[0] >= 0 ? 1 : 0;
  }
  CHECK(placed > 20);
  CHECK(placed < 200);
}

TEST_CASE("unlabelled EAJE take AVIP children only within L.214-7 (1 per 20 places)", "[sim][allocation]") {
  mini_world m;
  m.facility("big-unlabelled", facility_kind::creche, 40, "Mo-Fr 07:00-18:30", 100, false, 0.0);
  for (int i = 0; i < 5; ++i) {
    m.family(0, "Mo-Fr 08:00-17:00", mobility::walk, 0);
  }
  auto const p = quiet_params();
  auto const c = build_candidates(m.w, p);
  replication_state s;
  run_replication(m.w, p, c, s, 1, 0);
  CHECK(s.avip_year[0] == 2);  // 40 places ÷ 20
}

TEST_CASE("ordinary demand competes for vacancies up to the observed occupancy", "[sim][replication]") {
  // A labelled crèche of 20 places at 100 % occupancy with 4 labelled places: without turnover no
  // place ever frees, so the AVIP family waits and gives up (full) although the structure is labelled.
  mini_world m;
  m.facility("full", facility_kind::creche, 20, "Mo-Fr 07:00-18:30", 100, true, 1.0);
  auto const f = m.family(0, "Mo-Fr 08:00-17:00", mobility::walk, 0);
  auto const p = quiet_params();
  auto const c = build_candidates(m.w, p);
  replication_state s;
  run_replication(m.w, p, c, s, 1, 0);
  CHECK(s.placed_month[f.index()] < 0);
  CHECK(s.unmet[f.index()] == unmet_reason::full);
}

TEST_CASE("a family still within its wait at the end of the year is censored, not unmet",
          "[sim][replication]") {
  mini_world m;
  m.facility("full", facility_kind::creche, 20, "Mo-Fr 07:00-18:30", 100, true, 1.0);
  auto const f = m.family(0, "Mo-Fr 08:00-17:00", mobility::walk, 11);  // referred in December
  auto const p = quiet_params();
  auto const c = build_candidates(m.w, p);
  replication_state s;
  run_replication(m.w, p, c, s, 1, 0);
  CHECK(s.unmet[f.index()] == unmet_reason::censored);
}

TEST_CASE("the warm-up year leaves AVIP children in place when the reported year starts",
          "[sim][replication]") {
  // A family referred during the warm-up (given month -1 is drawn: use the funnel at 1 and a child
  // old enough to be eligible in the warm-up) is still in place in January: it counts in the year.
  mini_world m;
  m.facility("creche", facility_kind::creche, 10, "Mo-Fr 07:00-18:30", 100, true, 0.0);
  auto const f = m.family(0, "Mo-Fr 08:00-17:00", mobility::walk, -1, false, 14);
  auto p = quiet_params();
  p.warmup_months = 12;
  p.contract_months = 7;  // two contracts: 14 months, so it is still there in January
  auto const c = build_candidates(m.w, p);
  replication_state s;
  run_replication(m.w, p, c, s, 3, 0);
  REQUIRE(s.referral_month[f.index()] >= 0);
  REQUIRE(s.referral_month[f.index()] < 12);  // the funnel at 1: referred in the first year it can be
  CHECK(s.placed_month[f.index()] == s.referral_month[f.index()]);
  CHECK(s.exit_month[f.index()] > 12);
  CHECK(s.avip_year[0] == 1);
}

TEST_CASE("prescriber: France Travail for professional paths, the CAF for social paths",
          "[sim][replication]") {
  mini_world m;
  m.facility("creche", facility_kind::creche, 10, "Mo-Fr 07:00-18:30", 100, true, 0.0);
  auto const pro = m.family(0, "Mo-Fr 08:00-17:00", mobility::walk, 0);
  auto const social = m.family(0, "Mo-Fr 08:00-17:00", mobility::walk, 0);
  m.w.families.path[pro] = insertion_path::training;
  m.w.families.path[social] = insertion_path::social;
  auto const p = quiet_params();
  auto const c = build_candidates(m.w, p);
  replication_state s;
  run_replication(m.w, p, c, s, 1, 0);
  CHECK(s.referred_by[pro.index()] == referrer::france_travail);
  CHECK(s.referred_by[social.index()] == referrer::caf);
}
