#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>

#include <unistd.h>

#include "core/error.hpp"
#include "territory/load.hpp"

using namespace avip;
namespace fs = std::filesystem;

namespace {
fs::path source(std::string const& p) {
  return fs::path{AVIP_SOURCE_DIR} / p;
}

/// A copy of the mini territory in a temporary folder, with `file` rewritten by `edit`.
fs::path broken_copy(std::string const& name, std::string const& file, std::string const& from,
                     std::string const& to) {
  auto d = fs::temp_directory_path() / ("avip_terr_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  for (auto const& e : fs::directory_iterator{source("tests/data/mini")}) {
    if (e.is_regular_file()) {
      fs::copy_file(e.path(), d / e.path().filename());
    }
  }
  std::ifstream in{d / file};
  std::string text{std::istreambuf_iterator<char>{in}, {}};
  in.close();
  auto const pos = text.find(from);
  REQUIRE(pos != std::string::npos);
  text.replace(pos, from.size(), to);
  std::ofstream{d / file} << text;
  return d / "territory.json";
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

TEST_CASE("the optional poverty rate and label fields are read, and absent mean unknown", "[territory]") {
  auto const plain = territory::load_territory(source("tests/data/mini/territory.json"));
  auto const& w = plain.world;
  REQUIRE(w.communes.poverty_rate.size() == w.communes.size());
  CHECK(std::isnan(w.communes.poverty_rate[sim::commune_idx{0}]));
  REQUIRE(w.facilities.avip_places.size() == w.facilities.size());
  REQUIRE(w.facilities.label_year.size() == w.facilities.size());
  CHECK(w.facilities.avip_places[sim::facility_idx{0}] == 0);
  CHECK(w.facilities.label_year[sim::facility_idx{0}] == 0);

  auto const rate = broken_copy("rate", "communes.geojson", "\"population\": 10000",
                                "\"population\": 10000, \"poverty_rate\": 0.25");
  auto const a = territory::load_territory(rate);
  CHECK(a.world.communes.poverty_rate[sim::commune_idx{0}] == Approx(0.25));
  CHECK(std::isnan(a.world.communes.poverty_rate[sim::commune_idx{1}]));
  fs::remove_all(rate.parent_path());

  auto const counts = broken_copy("counts", "communes.geojson", "\"population\": 5000",
                                  "\"population\": 5000, \"poor_households\": 600, \"households\": 2000");
  auto const b = territory::load_territory(counts);
  CHECK(b.world.communes.poverty_rate[sim::commune_idx{1}] == Approx(0.3));
  fs::remove_all(counts.parent_path());

  auto const label = broken_copy("label", "facilities.geojson", "\"avip\": true",
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
    auto const manifest = broken_copy("bad" + std::to_string(i++), c.file, c.from, c.to);
    INFO(c.file << ": " << c.to);
    CHECK_THROWS_WITH(territory::load_territory(manifest), Catch::Contains(c.expected));
    if (c.file != "territory.json") {
      CHECK_THROWS_WITH(territory::load_territory(manifest), Catch::Contains(c.file));
    }
    fs::remove_all(manifest.parent_path());
  }
}

TEST_CASE("a family outside every commune is reported", "[territory][contract]") {
  auto const manifest = broken_copy("outside", "families.geojson", "3.1895", "4.5");
  CHECK_THROWS_WITH(territory::load_territory(manifest), Catch::Contains("outside every commune"));
  fs::remove_all(manifest.parent_path());
}
