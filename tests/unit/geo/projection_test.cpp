#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "geo/projection.hpp"

using avip::geo::transformer;

TEST_CASE("Lambert-93 origin: 3°E 46.5°N is (700000, 6600000) by definition", "[geo][projection]") {
  transformer const t{4326, 2154};
  auto const p = t.forward({3.0, 46.5});
  CHECK(p.x == Approx(700000.0).margin(0.01));
  CHECK(p.y == Approx(6600000.0).margin(0.01));
}

TEST_CASE("UTM 40S: the central meridian 57°E on the equator is (500000, 10000000)", "[geo][projection]") {
  transformer const t{4326, 2975};
  auto const p = t.forward({57.0, 0.0});
  CHECK(p.x == Approx(500000.0).margin(0.01));
  CHECK(p.y == Approx(10000000.0).margin(0.01));
}

TEST_CASE("a Saint-Denis de La Réunion point falls in the INSEE grid's range and round-trips",
          "[geo][projection]") {
  transformer const t{4326, 2975};
  // The INSEE cell CRS2975RES200mN7634200E0359400 has its centre at 55.644672 E, 21.388039 S.
  auto const p = t.forward({55.644672, -21.388039});
  CHECK(p.x == Approx(359500.0).margin(2.0));
  CHECK(p.y == Approx(7634300.0).margin(2.0));
  auto const back = t.inverse(p);
  CHECK(back.x == Approx(55.644672).margin(1e-9));
  CHECK(back.y == Approx(-21.388039).margin(1e-9));
}

TEST_CASE("the metric CRS is chosen from the extent", "[geo][projection]") {
  CHECK(avip::geo::choose_metric_epsg(55.2, -21.4, 55.8, -20.9) == 2975);
  CHECK(avip::geo::choose_metric_epsg(2.9, 45.6, 3.3, 45.9) == 2154);       // Puy-de-Dôme
  CHECK(avip::geo::choose_metric_epsg(-61.8, 15.8, -61.0, 16.5) == 32620);  // elsewhere: UTM
}

TEST_CASE("an unknown EPSG code is refused with a message naming it", "[geo][projection]") {
  CHECK_THROWS_WITH(transformer(4326, 999999), Catch::Contains("EPSG:999999"));
  CHECK_THROWS_AS(avip::geo::require_known_epsg(123456789), avip::geo_error);
}
