#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "sim/opening_hours.hpp"

using namespace avip::sim;

TEST_CASE("weekday and Saturday rules", "[sim][opening_hours]") {
  auto const m = parse_opening_hours("Mo-Fr 07:00-18:30; Sa 08:00-12:00");
  CHECK(m.hours() == Approx(5 * 11.5 + 4));
  CHECK(m.is_open(0, 7 * 60));
  CHECK_FALSE(m.is_open(0, 6 * 60 + 59));
  CHECK(m.is_open(5, 11 * 60 + 45));
  CHECK_FALSE(m.is_open(6, 10 * 60));
  CHECK(m.has_atypical());  // Saturday
  CHECK_FALSE(parse_opening_hours("Mo-Fr 07:30-18:30").has_atypical());
  CHECK(parse_opening_hours("Mo-Fr 06:00-14:00").has_atypical());  // early
  CHECK(parse_opening_hours("Mo 12:00-20:00").has_atypical());     // late
}

TEST_CASE("lists, several ranges, past midnight, 24/7, off, PH", "[sim][opening_hours]") {
  auto const m = parse_opening_hours("Mo,Tu,Th,Fr 08:30-12:00,13:30-16:00");
  CHECK(m.hours() == Approx(4 * 6.0));
  CHECK_FALSE(m.is_open(2, 9 * 60));
  CHECK_FALSE(m.is_open(0, 12 * 60 + 30));
  auto const night = parse_opening_hours("Fr 22:00-02:00");
  CHECK(night.is_open(4, 23 * 60));
  CHECK(night.is_open(5, 60));
  CHECK(parse_opening_hours("24/7").hours() == Approx(168));
  CHECK(parse_opening_hours("Mo-Fr 08:00-12:00; We off").hours() == Approx(16));
  CHECK(parse_opening_hours("Mo-Fr 08:00-12:00; PH off").hours() == Approx(20));
  CHECK(parse_opening_hours("Sa-Mo 10:00-11:00").hours() == Approx(3));
}

TEST_CASE("bad timetables name the offending part", "[sim][opening_hours]") {
  CHECK_THROWS_WITH(parse_opening_hours("Xx 08:00-10:00"), Catch::Contains("unknown day 'Xx'"));
  CHECK_THROWS_WITH(parse_opening_hours("Mo 25:00-26:00"), Catch::Contains("25:00"));
  CHECK_THROWS_WITH(parse_opening_hours("Mo-Fr"), Catch::Contains("needs days and times"));
  CHECK_THROWS_WITH(parse_opening_hours("Mo 8h-12h"), Catch::Contains("bad time"));
  CHECK_THROWS_AS(parse_opening_hours(""), avip::data_error);
}

TEST_CASE("format and parse round trip", "[sim][opening_hours]") {
  for (auto const* text :
       {"Mo-Fr 07:00-18:30; Sa 08:00-12:00", "Mo,Th 08:30-16:00", "Tu 09:00-11:00,14:00-16:00"}) {
    auto const m = parse_opening_hours(text);
    CHECK(parse_opening_hours(format_opening_hours(m)) == m);
  }
  CHECK(format_opening_hours(parse_opening_hours("Mo-Fr 07:00-18:30")) == "Mo-Fr 07:00-18:30");
}
