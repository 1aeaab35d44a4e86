#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "core/error.hpp"
#include "geo/geometry_ops.hpp"
#include "geo/vector_reader.hpp"
#include "geo/vector_writer.hpp"

using namespace avip::geo;
namespace fs = std::filesystem;

namespace {
std::string mini(std::string const& f) {
  return std::string{AVIP_SOURCE_DIR} + "/tests/data/mini/" + f;
}
fs::path temp_dir(std::string const& name) {
  auto d = fs::temp_directory_path() / ("avip_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}
void check_facilities(feature_table const& t) {
  REQUIRE(t.size() == 4);
  CHECK(t.text(0, "id") == "cr-alpha");
  CHECK(t.number(0, "places") == Approx(20));
  REQUIRE(t.geometry.size() == 4);
  CHECK(t.epsg == 2154);
}
}  // namespace

TEST_CASE("the same layer reads from GeoJSON, GeoPackage, Shapefile, zipped Shapefile and CSV",
          "[geo][vector_reader]") {
  read_options o;
  o.target_epsg = 2154;
  check_facilities(read_vector(mini("facilities.geojson"), o));
  check_facilities(read_vector(mini("facilities.gpkg"), o));
  check_facilities(read_vector(mini("facilities_shp/facilities.shp"), o));
  check_facilities(read_vector("/vsizip/" + mini("facilities_shp.zip") + "/facilities.shp", o));
  read_options csv = o;
  csv.x_field = "X";
  csv.y_field = "Y";
  csv.source_epsg = 4326;
  check_facilities(read_vector(mini("facilities.csv"), csv));
}

TEST_CASE("a field mapping renames a planner's columns to the contract's", "[geo][vector_reader]") {
  read_options o;
  o.field_map = {{"identifier", "id"}, {"capacity", "places"}};
  auto const t = read_vector(mini("facilities.geojson"), o);
  CHECK(t.column("identifier").has_value());
  CHECK(t.number(1, "capacity") == Approx(10));
  o.field_map = {{"id", "code_structure"}};
  CHECK_THROWS_WITH(read_vector(mini("facilities.geojson"), o), Catch::Contains("no field 'code_structure'"));
}

TEST_CASE("bad files give one message naming the file, layer and feature", "[geo][vector_reader]") {
  auto const d = temp_dir("bad");
  CHECK_THROWS_WITH(read_vector((d / "missing.geojson").string()), Catch::Contains("missing.geojson"));
  std::ofstream{d / "bowtie.geojson"} << R"({"type":"FeatureCollection","features":[
    {"type":"Feature","properties":{"id":"ok"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}},
    {"type":"Feature","properties":{"id":"bad"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}}]})";
  CHECK_THROWS_WITH(read_vector((d / "bowtie.geojson").string()), Catch::Contains("bowtie.geojson") &&
                                                                      Catch::Contains("feature 1") &&
                                                                      Catch::Contains("invalid geometry"));
  std::ofstream{d / "empty.geojson"} << R"({"type":"FeatureCollection","features":[]})";
  CHECK_THROWS_WITH(read_vector((d / "empty.geojson").string()), Catch::Contains("is empty"));
  auto const t = read_vector(mini("facilities.geojson"));
  CHECK_THROWS_WITH(t.number(0, "name"),
                    Catch::Contains("field 'name'") && Catch::Contains("expected a number"));
  fs::remove_all(d);
}

TEST_CASE("GeoJSON is written as RFC 7946 (WGS84, no crs member) and reads back", "[geo][vector_writer]") {
  auto const d = temp_dir("write");
  output_layer l{"cells", "Cells",
                 2975,    {{"id", field_type::text, "identifier"}, {"v", field_type::real, "value"}},
                 {},      {}};
  l.rows.push_back({std::string{"a"}, 1.5});
  l.geometry.push_back(square(359500, 7634300, 200));
  write_vector((d / "cells.geojson").string(), vector_format::geojson, l);
  write_vector((d / "cells.gpkg").string(), vector_format::gpkg, l);
  std::ifstream in{d / "cells.geojson"};
  std::string text{std::istreambuf_iterator<char>{in}, {}};
  CHECK(text.find("\"crs\"") == std::string::npos);
  auto const back = read_vector((d / "cells.geojson").string());
  CHECK(back.epsg == 4326);
  CHECK(back.number(0, "v") == Approx(1.5));
  auto const gp = read_vector((d / "cells.gpkg").string(), {"cells", {}, {}, {}, {}, {}});
  CHECK(gp.epsg == 2975);
  CHECK_THROWS_WITH(write_vector((d / "cells.geojson").string(), vector_format::geojson, l),
                    Catch::Contains("already exists"));
  fs::remove_all(d);
}
