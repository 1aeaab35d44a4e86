#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include <fmt/format.h>
#include <unistd.h>

#include "core/error.hpp"
#include "geo/geos_context.hpp"
#include "geo/vector_reader.hpp"
#include "territory/load.hpp"
#include "tests/unit/territory/mini_copy.hpp"

using namespace avip;
namespace fs = std::filesystem;
using avip::test::mini_copy_with;

namespace {
fs::path source(std::string const& p) {
  return fs::path{AVIP_SOURCE_DIR} / p;
}

}  // namespace

TEST_CASE("the mini territory in mainland France loads, in EPSG:2154 chosen from its extent", "[territory]") {
  auto const t = territory::load_territory(source("tests/data/mini/territory.json"));
  auto const& w = t.world;
  CHECK(w.epsg == 2154);
  CHECK(w.communes.size() == 2);
  CHECK(w.sectors.size() == 2);
  CHECK(w.qpvs.size() == 1);
  CHECK(w.grid.size() == 6);
  CHECK(w.facilities.size() == 4);
  CHECK(w.families.size() == 6);
  // f2 at (3.0405, 45.7405) is in the QPV's hole: not in the QPV; f1 is inside the QPV ring.
  CHECK(w.families.qpv[sim::family_idx{0}].valid());
  CHECK_FALSE(w.families.qpv[sim::family_idx{1}].valid());
  CHECK(w.families.commune[sim::family_idx{3}] == sim::commune_idx{1});
  CHECK(w.facilities.avip[sim::facility_idx{0}] == 1);
  CHECK(w.facilities.network_id.size() == 1);
  CHECK(w.families.priority(sim::family_idx{0}));
  CHECK(t.inputs.size() == 5);
  CHECK(t.inputs[0].sha256.size() == 64);
  auto const report = territory::check_report(t);
  CHECK_THAT(report, Catch::Contains("Alpha") && Catch::Contains("facilities 4"));
}

TEST_CASE("the La Réunion territory loads: 24 communes, 14,076 cells, EPSG:2975", "[territory][reunion]") {
  auto const t = territory::load_territory(source("data/reunion/territory.json"));
  CHECK(t.world.epsg == 2975);
  CHECK(t.world.communes.size() == 24);
  CHECK(t.world.grid.size() == 14076);
  CHECK(t.world.sectors.size() == 2);
  CHECK(t.gtfs.size() == 1);
  for (auto c : t.world.grid.commune) {
    REQUIRE(c.valid());
  }
  // Poor households ÷ households (Filosofi 2021 estimates): from 24 % to 55 % by commune.
  for (auto r : t.world.communes.poverty_rate) {
    CHECK(r > 0.2);
    CHECK(r < 0.6);
  }
  auto const& fa = t.world.facilities;
  int labelled = 0;
  for (std::size_t i = 0; i < fa.size(); ++i) {
    auto const k = sim::facility_idx::from(i);
    CHECK(fa.avip_places[k] == 0);  // the conventions' figures are unknown
    CHECK(fa.label_year[k] == (fa.avip[k] != 0 ? 2021 : 0));
    labelled += fa.avip[k];
  }
  CHECK(labelled == 19);
}

TEST_CASE("La Réunion uses the real QPV layer: 49 quartiers of the 2015 list in 13 communes",
          "[territory][reunion][qpv]") {
  auto const t = territory::load_territory(source("data/reunion/territory.json"));
  auto const& q = t.world.qpvs;
  REQUIRE(q.size() == 49);
  REQUIRE(t.qpv_geometry.size() == 49);
  std::set<std::string> codes;
  double residents = 0;
  std::map<std::string, int> per_commune;
  for (std::size_t i = 0; i < q.size(); ++i) {
    auto const k = sim::qpv_idx::from(i);
    codes.insert(q.code[k]);
    CHECK(q.synthetic[k] == 0);  // written as synthetique = false in every output
    REQUIRE(q.commune[k].valid());
    per_commune[t.world.communes.name[q.commune[k]]] += 1;
    residents += q.residents[k];
    // The cp1252 punctuation stored as C1 controls in the source file was repaired (’, –, œ).
    CHECK(q.name[k].find("\xC2\x92") == std::string::npos);
    CHECK(q.name[k].find("\xC2\x96") == std::string::npos);
    CHECK(q.name[k].find("\xC2\x9C") == std::string::npos);
  }
  CHECK(codes.size() == 49);
  CHECK(*codes.begin() == "QP974001");
  CHECK(*codes.rbegin() == "QP974049");
  CHECK(residents == Approx(159312));  // RP 2018 (2022 edition); INSEE published 159,300
  std::map<std::string, int> const expected{{"Saint-Denis", 11}, {"Saint-Louis", 5},    {"Saint-Pierre", 6},
                                            {"Saint-Paul", 6},   {"Saint-André", 4},    {"Le Tampon", 4},
                                            {"Saint-Joseph", 3}, {"Le Port", 2},        {"Saint-Benoît", 2},
                                            {"Sainte-Marie", 2}, {"Sainte-Suzanne", 2}, {"Saint-Leu", 1},
                                            {"La Possession", 1}};
  CHECK(per_commune == expected);
  CHECK(std::find(t.synthetic_layers.begin(), t.synthetic_layers.end(), "qpv") == t.synthetic_layers.end());
  auto const report = territory::check_report(t);
  CHECK_THAT(report, Catch::Contains("qpv 49"));
  // The synthesis reads the same manifest without its optional (synthetic) layers: the real QPV stay.
  auto const bare = territory::load_territory(source("data/reunion/territory.json"), true);
  CHECK(bare.world.qpvs.size() == 49);
  CHECK(bare.world.facilities.size() == 0);
  CHECK(bare.world.families.size() == 0);
}

TEST_CASE("a family placed in a real QPV polygon is flagged QPV, a cell by its centre", "[territory][qpv]") {
  // Families at a point inside each of the 49 polygons (GEOS point on surface, in WGS84) and two in
  // communes without QPV; the loader joins points to QPV by point in polygon.
  auto const qpv_file = source("data/reunion/qpv/qpv_2015_974.geojson");
  geo::read_options o;
  o.field_map = {{"code", "Code_du_qua"}};
  auto const layer = geo::read_vector(qpv_file.string(), o);
  geo::geos_context g;
  auto d = fs::temp_directory_path() / ("avip_terr_qpvreal_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  std::string features;
  std::vector<std::string> codes;
  auto add = [&](std::string const& id, double lon, double lat) {
    features += (features.empty() ? "" : ",\n") +
                fmt::format(R"({{"type": "Feature", "properties": {{"id": "{}", "children_under_3": 1, )"
                            R"("single_parent": false, "parent_under_26": false, "path": "training", )"
                            R"("hours": "Mo-Fr 08:00-17:00", "mobility": "bus"}}, )"
                            R"("geometry": {{"type": "Point", "coordinates": [{:.7f}, {:.7f}]}}}})",
                            id, lon, lat);
  };
  for (std::size_t i = 0; i < layer.size(); ++i) {
    auto poly = g.from_wkb(layer.geometry[i]);
    auto on = g.own(GEOSPointOnSurface_r(g.handle(), poly.get()));
    double lon = 0;
    double lat = 0;
    GEOSGeomGetX_r(g.handle(), on.get(), &lon);
    GEOSGeomGetY_r(g.handle(), on.get(), &lat);
    codes.push_back(layer.text(i, "code"));
    add("in-" + codes.back(), lon, lat);
  }
  add("cilaos", 55.4716, -21.1342);
  add("salazie", 55.5390, -21.0270);
  std::ofstream{d / "families.geojson"} << R"({"type": "FeatureCollection", "features": [)" << features
                                        << "]}";
  std::ofstream{d / "territory.json"} << fmt::format(
      R"({{"name": "qpv", "epsg": 2975, "layers": {{"communes": {{"path": "{}"}},
          "grid": {{"path": "{}", "x": "x_sw_epsg2975", "y": "y_sw_epsg2975", "source_epsg": 2975,
                    "xy_is_corner": true, "cell_size": 200,
                    "fields": {{"id": "idINSPIRE", "people": "ind_c", "children_0_3": "ind_age1_est"}}}},
          "qpv": {{"path": "{}", "fields": {{"code": "Code_du_qua", "name": "Nom_du_quar"}}}},
          "families": {{"path": "families.geojson"}}}}}})",
      source("data/reunion/communes.geojson").string(),
      source("data/reunion/derived/carreaux_200m_2010_974.csv").string(), qpv_file.string());
  auto const t = territory::load_territory(d / "territory.json");
  auto const& w = t.world;
  REQUIRE(w.families.size() == 51);
  for (std::size_t i = 0; i < codes.size(); ++i) {
    auto const q = w.families.qpv[sim::family_idx::from(i)];
    INFO(codes[i]);
    REQUIRE(q.valid());
    CHECK(w.qpvs.code[q] == codes[i]);
    CHECK(w.families.priority(sim::family_idx::from(i)));  // a QPV resident is in the priority public
  }
  CHECK_FALSE(w.families.qpv[sim::family_idx{49}].valid());
  CHECK_FALSE(w.families.qpv[sim::family_idx{50}].valid());
  // Cells join by their centre: Cœur de Saint-Laurent (5.6 ha) holds no cell centre, yet its family is
  // flagged, since families join by their own point.
  std::map<std::string, int> cells;
  for (auto const q : w.grid.qpv) {
    if (q.valid()) {
      cells[w.qpvs.code[q]] += 1;
    }
  }
  CHECK(cells.count("QP974019") == 0);
  CHECK(cells.size() == 48);
  fs::remove_all(d);
}

TEST_CASE("the optional poverty rate and label fields are read, and absent mean unknown", "[territory]") {
  auto const plain = territory::load_territory(source("tests/data/mini/territory.json"));
  auto const& w = plain.world;
  REQUIRE(w.communes.poverty_rate.size() == w.communes.size());
  CHECK(std::isnan(w.communes.poverty_rate[sim::commune_idx{0}]));
  REQUIRE(w.facilities.avip_places.size() == w.facilities.size());
  REQUIRE(w.facilities.label_year.size() == w.facilities.size());
  CHECK(w.facilities.avip_places[sim::facility_idx{0}] == 0);
  CHECK(w.facilities.label_year[sim::facility_idx{0}] == 0);

  auto const rate = mini_copy_with("rate", "communes.geojson", "\"population\": 10000",
                                   "\"population\": 10000, \"poverty_rate\": 0.25");
  auto const a = territory::load_territory(rate);
  CHECK(a.world.communes.poverty_rate[sim::commune_idx{0}] == Approx(0.25));
  CHECK(std::isnan(a.world.communes.poverty_rate[sim::commune_idx{1}]));
  fs::remove_all(rate.parent_path());

  auto const counts = mini_copy_with("counts", "communes.geojson", "\"population\": 5000",
                                     "\"population\": 5000, \"poor_households\": 600, \"households\": 2000");
  auto const b = territory::load_territory(counts);
  CHECK(b.world.communes.poverty_rate[sim::commune_idx{1}] == Approx(0.3));
  fs::remove_all(counts.parent_path());

  auto const label = mini_copy_with("label", "facilities.geojson", "\"avip\": true",
                                    "\"avip\": true, \"avip_places\": 4, \"label_year\": 2021");
  auto const c = territory::load_territory(label);
  CHECK(c.world.facilities.avip_places[sim::facility_idx{0}] == 4);
  CHECK(c.world.facilities.label_year[sim::facility_idx{0}] == 2021);
  CHECK(c.world.facilities.avip_places[sim::facility_idx{1}] == 0);
  CHECK(c.world.facilities.label_year[sim::facility_idx{1}] == 0);
  fs::remove_all(label.parent_path());
}

TEST_CASE("each bad field gives its own message naming file, feature and field", "[territory][contract]") {
  struct bad {
    std::string file, from, to, expected;
  };
  std::vector<bad> const cases{
      {"facilities.geojson", "\"kind\": \"micro_creche\"", "\"kind\": \"garderie\"",
       "field 'kind': expected one of"},
      {"facilities.geojson", "\"places\": 10", "\"places\": -3",
       "field 'places': expected a number in [1, 1000]"},
      {"facilities.geojson", "\"hours\": \"Mo-Fr 07:00-18:30\"", "\"hours\": \"Lu-Ve 7h-18h\"",
       "field 'hours'"},
      {"facilities.geojson", "\"occupancy\": 0.9", "\"occupancy\": 1.5", "field 'occupancy'"},
      {"facilities.geojson", "\"avip\": true", "\"avip\": \"peut-etre\"",
       "field 'avip': expected true or false"},
      {"facilities.geojson", "\"id\": \"mc-beta\"", "\"id\": \"cr-alpha\"", "duplicate id 'cr-alpha'"},
      {"families.geojson", "\"mobility\": \"bus\"", "\"mobility\": \"velo\"", "field 'mobility'"},
      {"families.geojson", "\"path\": \"social\"", "\"path\": \"retraite\"", "field 'path'"},
      {"families.geojson", "\"referral_month\": 1", "\"referral_month\": 14", "field 'referral_month'"},
      {"grid.csv", "c3,3.08,45.78,150", "c3,3.08,45.78,beaucoup", "field 'people'"},
      {"communes.geojson", "\"code\": \"63002\"", "\"code\": \"63001\"", "duplicate commune code"},
      {"communes.geojson", "\"population\": 10000", "\"population\": 10000, \"poverty_rate\": 1.4",
       "field 'poverty_rate': expected a number in [0, 1]"},
      {"communes.geojson", "\"population\": 10000",
       "\"population\": 10000, \"poor_households\": 5000, \"households\": 4000",
       "field 'poor_households': 5000 poor households for 4000 households"},
      {"facilities.geojson", "\"avip\": true", "\"avip\": true, \"avip_places\": 25",
       "field 'avip_places': 25 labelled places exceed the 20 PMI places"},
      {"facilities.geojson", "\"avip\": true", "\"avip\": true, \"avip_places\": 2.5",
       "field 'avip_places': expected a whole number in [0, 1000], got '2.5'"},
      {"facilities.geojson", "\"avip\": true", "\"avip\": true, \"label_year\": 21",
       "field 'label_year': expected a year in [2000, 2100] or 0 (unknown), got 21"},
      {"territory.json", "\"path\": \"qpv.geojson\"", "\"path\": \"nowhere.geojson\"", "file not found"},
  };
  int i = 0;
  for (auto const& c : cases) {
    auto const manifest = mini_copy_with("bad" + std::to_string(i++), c.file, c.from, c.to);
    INFO(c.file << ": " << c.to);
    CHECK_THROWS_WITH(territory::load_territory(manifest), Catch::Contains(c.expected));
    if (c.file != "territory.json") {
      CHECK_THROWS_WITH(territory::load_territory(manifest), Catch::Contains(c.file));
    }
    fs::remove_all(manifest.parent_path());
  }
}

TEST_CASE("a family outside every commune is reported", "[territory][contract]") {
  auto const manifest = mini_copy_with("outside", "families.geojson", "3.1895", "4.5");
  CHECK_THROWS_WITH(territory::load_territory(manifest), Catch::Contains("outside every commune"));
  fs::remove_all(manifest.parent_path());
}
