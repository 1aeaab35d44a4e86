#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "core/error.hpp"
#include "geo/geos_context.hpp"
#include "geo/vector_reader.hpp"
#include "territory/load.hpp"
#include "tests/unit/territory/mini_copy.hpp"

// One test per defect of issue 14 that concerns the territory manifest and its layers.

using namespace avip;
namespace fs = std::filesystem;
using avip::test::load_error;
using avip::test::mini_copy_with;

namespace {

fs::path mini_dir() {
  return fs::path{AVIP_SOURCE_DIR} / "tests/data/mini";
}

}  // namespace

TEST_CASE("14.6 a device or a huge file is refused before reading", "[territory][hardening]") {
  CHECK_FALSE(territory::is_territory_manifest("/dev/zero"));
  CHECK_THAT(load_error("/dev/zero"), Catch::Contains("not a regular file"));
  auto const m =
      mini_copy_with("dev", "territory.json", "\"path\": \"qpv.geojson\"", "\"path\": \"/dev/zero\"");
  CHECK_THAT(load_error(m), Catch::Contains("/layers/qpv/path: not a regular file"));
}

TEST_CASE("14.8 manifest type errors name the pointer", "[territory][hardening]") {
  auto const epsg = mini_copy_with("epsg", "territory.json", "\"layers\"", "\"epsg\": \"2154\", \"layers\"");
  CHECK_THAT(load_error(epsg), Catch::Contains("/epsg: expected a whole number, got string"));
  auto const x = mini_copy_with("x", "territory.json", "\"y\": \"lat\",", "");
  CHECK_THAT(load_error(x), Catch::Contains("/layers/grid/y: give both x and y"));
  auto const cell = mini_copy_with("cell", "territory.json", "\"cell_size\": 200", "\"cell_size\": \"200\"");
  CHECK_THAT(load_error(cell), Catch::Contains("/layers/grid/cell_size: expected a number, got string"));
  auto const fields = mini_copy_with("fields", "territory.json", "\"id\": \"cell_id\"", "\"id\": 7");
  CHECK_THAT(load_error(fields), Catch::Contains("/layers/grid/fields/id: expected a string"));
  auto const empty = mini_copy_with("empty", "territory.json", "\"path\": \"qpv.geojson\"", "\"path\": \"\"");
  CHECK_THAT(load_error(empty), Catch::Contains("/layers/qpv/path: expected a file path"));
  auto const big = mini_copy_with("big", "territory.json", "\"cell_size\": 200", "\"cell_size\": 1e400");
  CHECK_THAT(load_error(big), Catch::Contains("territory.json") && Catch::Contains("number"));
}

TEST_CASE("14.10 a manifest without layers is told so, not read as a scenario", "[territory][hardening]") {
  auto const m = mini_copy_with("nolayers", "territory.json", "\"layers\"", "\"epsg\": 2154, \"not_layers\"");
  CHECK(territory::is_territory_manifest(m));
  CHECK_THAT(load_error(m), Catch::Contains("/layers: expected an object"));
}

TEST_CASE("14.10 an unclosed ring names the file and feature and keeps GEOS's reason",
          "[territory][hardening]") {
  auto const d = fs::temp_directory_path() / ("avip_ring_" + std::to_string(::getpid()) + ".geojson");
  std::ofstream{d} << R"({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
    "geometry": {"type": "Polygon", "coordinates": [[[3.0, 45.7], [3.1, 45.7], [3.1, 45.8], [3.0, 45.8]]]}}]})";
  try {
    (void)geo::read_vector(d.string());
    FAIL("no error");
  } catch (geo_error const& e) {
    std::string const msg = e.what();
    CHECK_THAT(msg, Catch::Contains(d.string()) && Catch::Contains("feature"));
    CHECK(msg.find("not valid WKB") == std::string::npos);
  }
}

TEST_CASE("14.11 a duplicated grid row and an absurd cell size are refused", "[territory][hardening]") {
  auto const dup = mini_copy_with("dupgrid", "grid.csv", "c2,3.04,45.74,200,8,15",
                                  "c2,3.04,45.74,200,8,15\nc2,3.04,45.74,200,8,15");
  CHECK_THAT(load_error(dup), Catch::Contains("duplicate cell id 'c2'"));
  auto const same = mini_copy_with("samecell", "grid.csv", "c2,3.04,45.74,200,8,15",
                                   "c2,3.04,45.74,200,8,15\nc2b,3.04,45.74,200,8,15");
  CHECK_THAT(load_error(same), Catch::Contains("the same 200 m cell"));
  auto const tiny = mini_copy_with("tiny", "territory.json", "\"cell_size\": 200", "\"cell_size\": 1e-300");
  CHECK_THAT(load_error(tiny), Catch::Contains("/layers/grid/cell_size") && Catch::Contains("out of range"));
}

TEST_CASE("14.13 /vsizip/ layer paths are read beside the manifest, not the working folder",
          "[territory][hardening]") {
  auto const m = mini_copy_with("vsizip", "territory.json", "\"path\": \"facilities.geojson\"",
                                "\"path\": \"/vsizip/facilities_shp.zip/facilities.shp\"");
  auto const cwd = fs::current_path();
  fs::current_path(fs::temp_directory_path());
  std::string msg;
  std::size_t n = 0;
  try {
    n = territory::load_territory(m).world.facilities.size();
  } catch (error const& e) {
    msg = e.what();
  }
  fs::current_path(cwd);
  INFO(msg);
  CHECK(n == 4);
}

TEST_CASE("14.19 GEOS keeps its message for a null result", "[territory][hardening]") {
  geo::geos_context g;
  geo::wkb const garbage{1, 3, 0, 0, 0, 1, 0, 0, 0};
  try {
    (void)g.from_wkb(garbage);
    FAIL("no error");
  } catch (geo_error const& e) {
    CHECK_FALSE(g.last_error().empty());
    CHECK_THAT(std::string{e.what()}, Catch::Contains(g.last_error()));
  }
}

TEST_CASE("a CSV grid without x and y fields is refused with its file, not read as points (fuzz finding)",
          "[territory][hardening]") {
  auto const d = fs::temp_directory_path() / ("avip_fuzz_grid_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::copy(mini_dir(), d, fs::copy_options::recursive);
  fs::copy_file(fs::path{AVIP_SOURCE_DIR} / "fuzz/findings/territory/grid-without-xy.json",
                d / "finding.json");
  try {
    territory::load_territory(d / "finding.json");
    FAIL("the manifest was accepted");
  } catch (data_error const& e) {
    CHECK_THAT(std::string{e.what()}, Catch::Contains("grid.csv") && Catch::Contains("no geometry"));
  }
  fs::remove_all(d);
}
