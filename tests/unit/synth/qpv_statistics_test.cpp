#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>
#include <unistd.h>

#include "synth/qpv_statistics.hpp"
#include "synth/synthesis.hpp"
#include "synth/synthesis_figures.hpp"
#include "territory/load.hpp"

using namespace avip;
namespace fs = std::filesystem;

namespace {

fs::path source(std::string const& p) {
  return fs::path{AVIP_SOURCE_DIR} / p;
}

/// A manifest in a temporary folder over La Réunion's communes, grid and real QPV, with `synthesis` (a
/// JSON object) as its /synthesis.
fs::path manifest_with(fs::path const& dir, std::string const& synthesis) {
  std::ofstream{dir / "territory.json"} << fmt::format(
      R"({{"name": "qpv", "epsg": 2975, "layers": {{"communes": {{"path": "{}"}},
          "grid": {{"path": "{}", "x": "x_sw_epsg2975", "y": "y_sw_epsg2975", "source_epsg": 2975,
                    "xy_is_corner": true, "cell_size": 200,
                    "fields": {{"id": "idINSPIRE", "people": "ind_c", "children_0_3": "ind_age1_est",
                               "low_income_households": "men_basr_est"}}}},
          "qpv": {{"path": "{}", "fields": {{"code": "Code_du_qua", "name": "Nom_du_quar"}}}}}},
          "synthesis": {}}})",
      source("data/reunion/communes.geojson").string(),
      source("data/reunion/derived/carreaux_200m_2010_974.csv").string(),
      source("data/reunion/qpv/qpv_2015_974.geojson").string(), synthesis);
  return dir / "territory.json";
}

constexpr char const* kFields =
    R"("fields": {"year": "ANNEE_FICHIER", "code": "CODGEO", "caf_households": "A",
                  "single_parent_households": "AM", "couples_with_children": "ACAVENF",
                  "children_0_2": "ENF_2", "rsa_households": "ARSAS"})";

}  // namespace

TEST_CASE("the per-QPV CAF figures of the manifest: 2022 as input, 2021 to check", "[synth][qpv]") {
  auto const t = territory::load_territory(source("data/reunion/territory.json"), true);
  auto const s = synth::read_qpv_statistics(t);
  REQUIRE(s.has_value());
  CHECK(s->edition == 2022);
  CHECK(s->check_edition == 2021);
  REQUIRE(s->input.size() == 49);
  REQUIRE(s->check.size() == 49);
  // Primat and Éperon are secret in 2021 and 2022 (NOTE_CNAF 5): their 2019 figures stand in.
  CHECK(s->earlier_input == std::vector<std::string>{"QP974034", "QP974039"});
  double households = 0;
  double single = 0;
  double children = 0;
  double rsa = 0;
  for (std::size_t q = 0; q < 49; ++q) {
    auto const& f = s->input[q];
    INFO(t.world.qpvs.code[sim::qpv_idx::from(q)]);
    CHECK(f.edition == (f.edition == 2019 ? 2019 : 2022));
    if (f.edition == 2022) {
      households += f.caf_households;
      single += f.single_parent_households;
      children += f.children_0_2;
      rsa += f.rsa_households;
    }
    CHECK(f.single_parent_share() > 0.3);
    CHECK(f.single_parent_share() < 0.9);
  }
  // The 2022 totals published with the data (data/reunion/qpv/PROVENANCE.md).
  CHECK(households == 62408);
  CHECK(single == 18487);
  CHECK(children == 8152);
  CHECK(rsa == 27937);
}

TEST_CASE("a QPV without figures in the statistics is named, and without statistics the grid places families",
          "[synth][qpv]") {
  auto const d = fs::temp_directory_path() / ("avip_synth_stats_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  {  // the statistics without Domenjod (QP974049)
    std::ifstream in{source("data/reunion/qpv/qpv974_caf_2017_2022.csv")};
    std::ofstream out{d / "stats.csv"};
    for (std::string line; std::getline(in, line);) {
      if (line.find("QP974049") == std::string::npos) {
        out << line << "\n";
      }
    }
  }
  auto const missing =
      manifest_with(d, fmt::format(R"({{"qpv_statistics": {{"path": "{}", "edition": 2022, {}}}}})",
                                   (d / "stats.csv").string(), kFields));
  auto const t = territory::load_territory(missing, true);
  CHECK_THROWS_WITH(synth::read_qpv_statistics(t),
                    Catch::Contains("QP974049") && Catch::Contains("stats.csv") && Catch::Contains("2022"));

  auto const unmapped = manifest_with(
      d,
      fmt::format(R"({{"qpv_statistics": {{"path": "{}", "edition": 2022}}}})", (d / "stats.csv").string()));
  CHECK_THROWS_WITH(synth::read_qpv_statistics(territory::load_territory(unmapped, true)),
                    Catch::Contains("no column for 'year'"));

  // Without statistics (e.g. a new QPV list dropped in alone), the synthesis places the families in
  // the polygons by the grid's low-income households, and says so.
  auto const none = manifest_with(d, "{}");
  auto const plain = territory::load_territory(none, true);
  CHECK(plain.world.qpvs.size() == 49);
  CHECK_FALSE(synth::read_qpv_statistics(plain).has_value());
  fs::create_directories(d / "out");
  auto const figures = synth::read_synthesis_figures(source("data/reunion/synthesis.json"), plain.world);
  auto const rows = synth::synthesise(plain, figures, d / "out", {974, 1.0});
  CHECK_FALSE(fs::exists(d / "out" / "qpv.geojson"));
  bool share_row = false;
  for (auto const& r : rows) {
    INFO(r.target);
    CHECK(std::abs(r.gap()) <= 0.05);
    CHECK(r.target.find("single parent in QPV") == std::string::npos);
    if (r.target == "families share in QPV") {
      share_row = true;
      CHECK(r.source == "low-income households in the QPV polygons");
      CHECK(r.synthesised > 0.15);
    }
  }
  CHECK(share_row);
  fs::remove_all(d);
}
