#include <catch2/catch.hpp>

#include "sim/year_bound.hpp"

using namespace avip::sim;

namespace {

/// Candidate lists built by hand: family i may use the facilities listed for it.
candidates lists(std::vector<std::vector<int>> const& per_family) {
  candidates c;
  c.offsets.push_back(0);
  for (auto const& l : per_family) {
    for (int k : l) {
      c.facility.push_back(facility_idx::from(static_cast<std::size_t>(k)));
      c.minutes.push_back(1.0F);
      c.partial.push_back(0);
    }
    c.offsets.push_back(static_cast<std::uint32_t>(c.facility.size()));
    c.reason.push_back(l.empty() ? no_match_reason::unreachable : no_match_reason::none);
  }
  return c;
}

bound_request request(int family, int first, int last, std::vector<std::uint8_t> stays, double weight = 1.0,
                      int children = 1) {
  bound_request q;
  q.family = family_idx::from(static_cast<std::size_t>(family));
  q.first_month = first;
  q.last_month = last;
  q.stay_months = std::move(stays);
  q.weight = weight;
  q.children = children;
  return q;
}

}  // namespace

TEST_CASE("year bound keeps the place for the later, heavier family the month-by-month matcher misses",
          "[sim][bound]") {
  // One place, 3 months. A (weight 1) can enter only in month 0 and would stay 3 months; B (weight 2)
  // only in month 1 for 2 months. Month by month, A takes the place (B is not there yet): value 1.
  auto const c = lists({{0}, {0}});
  auto const b = year_bound(c, {request(0, 0, 0, {3}, 1.0), request(1, 1, 1, {2}, 2.0)}, {1}, 3);
  REQUIRE(b.solved);
  CHECK(b.value == Approx(2.0));
  CHECK(b.families == Approx(1.0));
}

TEST_CASE("year bound reuses a place freed when a stay ends", "[sim][bound]") {
  auto const c = lists({{0}, {0}});
  auto const b = year_bound(c, {request(0, 0, 0, {1}), request(1, 1, 1, {2})}, {1}, 3);
  CHECK(b.value == Approx(2.0));
}

TEST_CASE("year bound counts places in children: two children never fit one place", "[sim][bound]") {
  auto const c = lists({{0}});
  auto const b = year_bound(c, {request(0, 0, 2, {3, 2, 1}, 1.0, 2)}, {1}, 3);
  CHECK(b.solved);
  CHECK(b.value == Approx(0.0));
}

TEST_CASE("year bound counts each family at most once", "[sim][bound]") {
  auto const c = lists({{0, 1, 2}});
  auto const b = year_bound(c, {request(0, 0, 2, {1, 1, 1}, 3.0)}, {5, 5, 5}, 3);
  CHECK(b.value == Approx(3.0));
  CHECK(b.families == Approx(1.0));
}

TEST_CASE("year bound with nothing to place is 0 and solved", "[sim][bound]") {
  auto const c = lists({{}});
  auto const b = year_bound(c, {request(0, 0, 1, {1, 1})}, {3}, 2);
  CHECK(b.solved);
  CHECK(b.value == Approx(0.0));
}
