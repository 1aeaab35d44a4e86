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
  CHECK_THROWS_WITH(parse_opening_hours("Mo-Fr 08:00"), Catch::Contains("bad time range"));
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

namespace {

/// Days of the week a mask opens at `minute`.
int open_days_at(week_mask const& m, int minute) {
  int n = 0;
  for (int d = 0; d < 7; ++d) {
    n += m.is_open(d, minute) ? 1 : 0;
  }
  return n;
}

}  // namespace

TEST_CASE("holiday rules do not touch the weekly hours (defect 12)", "[sim][opening_hours]") {
  CHECK_THROWS_WITH(parse_opening_hours("PH off"),
                    Catch::Contains("only has public or school holiday rules") && Catch::Contains("PH off"));
  CHECK_THROWS_AS(parse_opening_hours("PH off; SH 08:00-12:00"), avip::data_error);
  CHECK(parse_opening_hours("PH off; Mo-Fr 08:00-12:00").hours() == Approx(20));
  auto const su = parse_opening_hours("24/7; Su,PH off");
  CHECK(su.hours() == Approx(6 * 24));
  CHECK_FALSE(su.has_day(6));
}

TEST_CASE("24/7 with off rules and day-only rules (defect 12)", "[sim][opening_hours]") {
  auto const m = parse_opening_hours("24/7; Su off");
  CHECK(m.hours() == Approx(6 * 24));
  CHECK_FALSE(m.has_day(6));
  CHECK(m.is_open(5, 23 * 60 + 59));
  CHECK(parse_opening_hours("Mo-Fr").hours() == Approx(5 * 24));        // no time: the whole day
  CHECK(parse_opening_hours("08:00-18:00").hours() == Approx(7 * 10));  // no day: every day
  CHECK(parse_opening_hours("off").empty());
  CHECK(parse_opening_hours("Mo-Fr open").hours() == Approx(5 * 24));
}

TEST_CASE("comma-separated times, days and additional rules (defect 12)", "[sim][opening_hours]") {
  auto const split = parse_opening_hours("Mo-Fr 08:00-12:00,14:00-18:00");
  CHECK(split.hours() == Approx(5 * 8));
  CHECK_FALSE(split.is_open(0, 13 * 60));
  CHECK(parse_opening_hours("Mo-Fr 08:00-12:00, 14:00-18:00") == split);  // space after the comma
  auto const mowe = parse_opening_hours("Mo,We 08:00-12:00");
  CHECK(mowe.hours() == Approx(8));
  CHECK(mowe.has_day(2));
  CHECK_FALSE(mowe.has_day(1));
  CHECK(parse_opening_hours("Mo, We 08:00-12:00") == mowe);
  auto const sat = parse_opening_hours("Mo-Fr 08:00-12:00, Sa 09:00-12:00");
  CHECK(sat.hours() == Approx(5 * 4 + 3));
  CHECK(sat == parse_opening_hours("Mo-Fr 08:00-12:00; Sa 09:00-12:00"));
}

TEST_CASE("overlapping rules and off rules follow the specification", "[sim][opening_hours]") {
  // A normal rule (';') replaces what earlier rules said of its days…
  auto const normal = parse_opening_hours("Mo-Fr 08:00-16:00; We 10:00-20:00");
  CHECK_FALSE(normal.is_open(2, 9 * 60));
  CHECK(normal.is_open(2, 19 * 60));
  CHECK(normal.is_open(1, 9 * 60));
  // … an additional rule (',' before a rule) adds to them.
  auto const added = parse_opening_hours("Mo-Fr 08:00-16:00, We 10:00-20:00");
  CHECK(added.is_open(2, 9 * 60));
  CHECK(added.is_open(2, 19 * 60));
  // Overlapping ranges in one rule are their union.
  CHECK(parse_opening_hours("Mo 08:00-12:00,10:00-14:00").hours() == Approx(6));
  // An off rule closes the times it selects, the whole day without times.
  auto const lunch = parse_opening_hours("Mo-Fr 08:00-18:00; We 12:00-14:00 off");
  CHECK(lunch.hours() == Approx(5 * 10 - 2));
  CHECK(lunch.is_open(2, 11 * 60));
  CHECK_FALSE(lunch.is_open(2, 13 * 60));
  CHECK(parse_opening_hours("Mo-Fr 08:00-18:00; We closed \"travaux\"").hours() == Approx(40));
  // Past midnight: an end before the start or past 24:00 continues the next day.
  CHECK(parse_opening_hours("Fr 22:00-26:00") == parse_opening_hours("Fr 22:00-02:00"));
  CHECK(open_days_at(parse_opening_hours("Mo-Su 20:00-02:00"), 60) == 7);
}

TEST_CASE("unsupported parts of the specification are refused clearly", "[sim][opening_hours]") {
  struct bad {
    char const* text;
    char const* expected;
  };
  for (auto const& [text, expected] : {
           bad{"Mo-Fr 08:00-18:00; Dec 25 off", "months and dates"},
           bad{"Jan-Jun Mo-Fr 08:00-12:00", "months and dates"},
           bad{"week 01-10 Mo 08:00-12:00", "week numbers"},
           bad{"2025 Mo-Fr 08:00-12:00", "years"},
           bad{"easter off", "easter"},
           bad{"Mo[1] 08:00-12:00", "nth weekdays"},
           bad{"Mo-Fr sunrise-18:00", "variable times"},
           bad{"Mo-Fr 08:00-sunset", "variable times"},
           bad{"Mo-Fr 18:00+", "open ends"},
           bad{"Mo-Fr 08:00-18:00 || \"sur rendez-vous\"", "fallback rules"},
           bad{"Mo-Fr unknown", "'unknown' hours"},
           bad{"Mo-Fr 08:00-12:00 \"sur rendez-vous\"", "comment-only"},
           bad{"Mo 10:00-10:00", "empty time range"},
           bad{"Mo 08:00-12:00 xyz", "unexpected 'xyz'"},
           bad{"Mo 08:00-12:00; We 09:60-10:00", "time out of range"},
       }) {
    INFO(text);
    CHECK_THROWS_AS(parse_opening_hours(text), avip::data_error);
    CHECK_THROWS_WITH(parse_opening_hours(text), Catch::Contains(expected));
  }
}

TEST_CASE("a huge hours string is refused with a short message", "[sim][opening_hours]") {
  std::string huge = "Mo-Fr 08:00-12:00";
  while (huge.size() < 1'000'000) {
    huge += ",08:00-12:00";
  }
  try {
    (void)parse_opening_hours(huge);
    FAIL("accepted");
  } catch (avip::data_error const& e) {
    std::string const what = e.what();
    CHECK_THAT(what, Catch::Contains("too long") && Catch::Contains(std::to_string(huge.size())));
    CHECK(what.size() < 200);
  }
  std::string binary{"Mo 08:00-12:00 \x01\x02"};
  binary += std::string(500, 'x');
  try {
    (void)parse_opening_hours(binary);
    FAIL("accepted");
  } catch (avip::data_error const& e) {
    CHECK(std::string{e.what()}.size() < 200);
    CHECK(std::string{e.what()}.find('\x01') == std::string::npos);
  }
}
