#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "core/error.hpp"
#include "territory/load.hpp"
#include "tests/unit/territory/mini_copy.hpp"

// Defects found by the bad-input campaign (tests/campaign/bad_inputs.py) in the territory manifest and
// its layers, each reproduced here on a copy of the mini territory.

using namespace avip;
namespace fs = std::filesystem;
using avip::test::load_error;
using avip::test::mini_copy_with;

TEST_CASE("campaign: an unknown manifest key, layer or layer key is refused, not ignored",
          "[territory][campaign]") {
  auto const top = mini_copy_with("top", "territory.json", "\"layers\"", "\"layerz\": {}, \"layers\"");
  CHECK_THAT(load_error(top), Catch::Contains("territory.json") && Catch::Contains("/layerz: unknown key"));
  // A typo in a layer's name used to drop the layer without a word.
  auto const layer = mini_copy_with("layer", "territory.json", "\"families\": {", "\"familles\": {");
  CHECK_THAT(load_error(layer), Catch::Contains("/layers/familles: unknown layer"));
  auto const key = mini_copy_with("key", "territory.json", "\"path\": \"qpv.geojson\"",
                                  "\"path\": \"qpv.geojson\", \"optionnal\": true");
  CHECK_THAT(load_error(key), Catch::Contains("/layers/qpv/optionnal: unknown key"));
  // A field mapping whose contract name is a typo (the column exists) used to leave the default.
  auto const field =
      mini_copy_with("field", "territory.json", "\"path\": \"facilities.geojson\"",
                     "\"path\": \"facilities.geojson\", \"fields\": {\"ocupancy\": \"occupancy\"}");
  CHECK_THAT(load_error(field), Catch::Contains("/layers/facilities/fields/ocupancy"));
  CHECK(load_error(fs::path{AVIP_SOURCE_DIR} / "tests/data/mini/territory.json").empty());
  CHECK(load_error(fs::path{AVIP_SOURCE_DIR} / "data/gueret/territory.json").empty());
}

TEST_CASE("campaign: network paths in a manifest are refused with their pointer", "[territory][campaign]") {
  auto const layer = mini_copy_with("vsicurl", "territory.json", "\"path\": \"qpv.geojson\"",
                                    "\"path\": \"/vsicurl/http://127.0.0.1:1/q.geojson\"");
  CHECK_THAT(load_error(layer), Catch::Contains("/layers/qpv/path") && Catch::Contains("network"));
  auto const feed = mini_copy_with("vsicurl_gtfs", "territory.json", "\"layers\"",
                                   "\"gtfs\": [\"/vsicurl/http://127.0.0.1:1/g.zip\"], \"layers\"");
  CHECK_THAT(load_error(feed), Catch::Contains("/gtfs/0") && Catch::Contains("network"));
}

TEST_CASE("campaign: an unknown EPSG code names the manifest and /epsg", "[territory][campaign]") {
  auto const m = mini_copy_with("epsg", "territory.json", "\"layers\"", "\"epsg\": 99999, \"layers\"");
  CHECK_THAT(load_error(m), Catch::Contains("territory.json: /epsg") && Catch::Contains("99999"));
}

TEST_CASE("campaign: communes and QPV must be polygons (a point is not blamed on the families)",
          "[territory][campaign]") {
  auto const point = [](std::string const& props, double lon, double lat) {
    return R"({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": )" + props +
           R"(, "geometry": {"type": "Point", "coordinates": [)" + std::to_string(lon) + ", " +
           std::to_string(lat) + "]}}]}";
  };
  auto const communes = mini_copy_with("point_commune", "territory.json", "{", "{");
  std::ofstream{communes.parent_path() / "communes.geojson"}
      << point(R"({"code": "63001", "name": "Alpha"})", 3.05, 45.75);
  CHECK_THAT(load_error(communes), Catch::Contains("communes.geojson") && Catch::Contains("feature 0") &&
                                       Catch::Contains("expected a Polygon or MultiPolygon, got a Point"));
  auto const qpv = mini_copy_with("point_qpv", "territory.json", "{", "{");
  std::ofstream{qpv.parent_path() / "qpv.geojson"} << point(R"({"code": "QP1", "name": "Q"})", 3.03, 45.73);
  CHECK_THAT(load_error(qpv), Catch::Contains("qpv.geojson") && Catch::Contains("got a Point"));
}

TEST_CASE("campaign: places, children and months are whole numbers in a layer, not truncated",
          "[territory][campaign]") {
  auto const places = mini_copy_with("places", "facilities.geojson", "\"places\": 20", "\"places\": 2.5");
  CHECK_THAT(load_error(places),
             Catch::Contains("field 'places': expected a number in [1, 1000], a whole number, got '2.5'"));
  auto const whole =
      mini_copy_with("places_real", "facilities.geojson", "\"places\": 20", "\"places\": 20.0");
  CHECK(load_error(whole).empty());
  auto const children =
      mini_copy_with("children", "families.geojson", "\"children_under_3\": 1", "\"children_under_3\": 1.5");
  CHECK_THAT(load_error(children), Catch::Contains("field 'children_under_3'"));
  auto const month =
      mini_copy_with("month", "families.geojson", "\"referral_month\": 0", "\"referral_month\": 1.5");
  CHECK_THAT(load_error(month), Catch::Contains("field 'referral_month'"));
}

TEST_CASE("campaign: roads must be an OpenStreetMap extract", "[territory][campaign]") {
  auto const m =
      mini_copy_with("roads", "territory.json", "\"layers\"", "\"roads\": \"grid.csv\", \"layers\"");
  CHECK_THAT(load_error(m), Catch::Contains("/roads") && Catch::Contains("not an OpenStreetMap extract"));
}

TEST_CASE("campaign: a CRS in degrees is refused as the run's metric CRS", "[territory][campaign]") {
  auto const m = mini_copy_with("epsg4326", "territory.json", "\"layers\"", "\"epsg\": 4326, \"layers\"");
  CHECK_THAT(load_error(m), Catch::Contains("territory.json: /epsg: EPSG:4326 is not a metric CRS"));
  auto const ok = mini_copy_with("epsg2154", "territory.json", "\"layers\"", "\"epsg\": 2154, \"layers\"");
  CHECK(load_error(ok).empty());
}
