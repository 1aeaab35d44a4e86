#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>
#include <nlohmann/json.hpp>

#include "../../skip.hpp"
#include "geo/vector_reader.hpp"
#include "sim/engine.hpp"
#include "territory/load.hpp"
#include "viz/run_outputs.hpp"
#include "viz/validation.hpp"

using namespace avip;
namespace fs = std::filesystem;

namespace {

struct run_fixture {
  territory::territory t =
      territory::load_territory(fs::path{AVIP_SOURCE_DIR} / "tests/data/mini/territory.json");
  sim::params p;
  sim::run_results r;
  fs::path dir;
  run_fixture() {
    p.awareness_rate = 1.0;
    p.insertion_path_rate = 1.0;
    p.childcare_barrier_rate = 1.0;
    r = sim::run(t.world, p, {12, 5, false});
    dir = fs::temp_directory_path() / ("avip_viz_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    viz::run_metadata m{"mini", "mini.json", R"({"name": "mini"})", "test", 5, 12, 1, 0.1, {}};
    viz::write_run_outputs(dir, t, t.world, p, r, m);
  }
  ~run_fixture() { fs::remove_all(dir); }
  /// Writes the outputs again (after the test changed `r`) into dir/sub; returns that summary.json.
  nlohmann::json write_again(std::string const& sub) const {
    viz::run_metadata m{"mini", "mini.json", R"({"name": "mini"})", "test", 5, 12, 1, 0.1, {}};
    auto const again = dir / sub;
    fs::create_directories(again);
    viz::write_run_outputs(again, t, t.world, p, r, m);
    std::ifstream in{again / "summary.json"};
    return nlohmann::json::parse(in);
  }
};

/// A CSV file as rows of cells (RFC 4180 quotes), the header first.
std::vector<std::vector<std::string>> read_csv(fs::path const& file) {
  std::ifstream in{file};
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
      char const c = line[i];
      if (c == '"' && quoted && i + 1 < line.size() && line[i + 1] == '"') {
        cells.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        cells.emplace_back();
      } else {
        cells.back() += c;
      }
    }
    rows.push_back(std::move(cells));
  }
  return rows;
}

/// The index of a column by its (French) label; fails the test when absent.
std::size_t column_of(std::vector<std::string> const& header, std::string const& label) {
  auto const it = std::find(header.begin(), header.end(), label);
  INFO("column " << label);
  REQUIRE(it != header.end());
  return static_cast<std::size_t>(it - header.begin());
}

/// The row whose first `key_columns` cells are `key`.
std::vector<std::string> const& row_of(std::vector<std::vector<std::string>> const& table,
                                       std::vector<std::string> const& key) {
  for (auto const& row : table) {
    if (row.size() >= key.size() && std::equal(key.begin(), key.end(), row.begin())) {
      return row;
    }
  }
  FAIL("no row " << key.front());
  return table.front();
}

std::string run_command(std::string const& cmd) {
  std::string out;
  FILE* pipe = popen((cmd + " 2>&1").c_str(), "r");
  char buf[4096];
  while (pipe != nullptr && fgets(buf, sizeof buf, pipe) != nullptr) {
    out += buf;
  }
  if (pipe != nullptr) {
    pclose(pipe);
  }
  return out;
}

}  // namespace

TEST_CASE("every GeoJSON is RFC 7946 lon/lat within the territory, with the expected counts", "[viz]") {
  run_fixture f;
  std::map<std::string, std::size_t> expected{
      {"communes", 2}, {"secteurs", 2}, {"qpv", 1}, {"structures", 4}, {"carreaux", 6}};
  for (auto const& [name, count] : expected) {
    auto const file = f.dir / (name + ".geojson");
    INFO(file.string());
    REQUIRE(fs::exists(file));
    auto const t = geo::read_vector(file.string());
    CHECK(t.size() == count);
    CHECK(t.epsg == 4326);
    std::ifstream in{file};
    auto const j = nlohmann::json::parse(in);
    CHECK_FALSE(j.contains("crs"));
    auto const bbox_ok = [&](double lon, double lat) {
      return lon > 2.99 && lon < 3.21 && lat > 45.69 && lat < 45.81;
    };
    auto const& g = j["features"][0]["geometry"];
    if (g["type"] == "Point") {
      CHECK(bbox_ok(g["coordinates"][0].get<double>(), g["coordinates"][1].get<double>()));
    } else {
      auto const& ring = g["type"] == "Polygon" ? g["coordinates"][0] : g["coordinates"][0][0];
      double area2 = 0;  // shoelace: positive = counter-clockwise exterior (right-hand rule)
      for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
        CHECK(bbox_ok(ring[i][0].get<double>(), ring[i][1].get<double>()));
        area2 += ring[i][0].get<double>() * ring[i + 1][1].get<double>() -
                 ring[i + 1][0].get<double>() * ring[i][1].get<double>();
      }
      CHECK(area2 > 0);
    }
  }
}

TEST_CASE("GeoJSON and GeoPackage open with ogrinfo without warnings", "[viz][ogrinfo]") {
  auto const ogrinfo = testing::find_tool("AVIP_OGRINFO", {"ogrinfo"});
  if (ogrinfo.empty()) {
    AVIP_SKIP("ogrinfo (GDAL) not found: set AVIP_OGRINFO or install gdal-bin");
  }
  run_fixture f;
  for (auto const& e : fs::directory_iterator{f.dir}) {
    auto const ext = e.path().extension();
    if (ext != ".geojson" && ext != ".gpkg") {
      continue;
    }
    auto const out = run_command(ogrinfo + " -ro -so -al '" + e.path().string() + "'");
    INFO(out);
    CHECK(out.find("Warning") == std::string::npos);
    CHECK(out.find("ERROR") == std::string::npos);
    CHECK(out.find("Feature Count") != std::string::npos);
  }
  auto const gpkg = run_command(ogrinfo + " -ro -q '" + (f.dir / "results.gpkg").string() + "'");
  for (auto const* layer : {"communes", "secteurs", "qpv", "structures", "carreaux"}) {
    CHECK(gpkg.find(layer) != std::string::npos);
  }
}

TEST_CASE("summary.json holds the figures, and CSV headers are French labels in a stable order", "[viz]") {
  run_fixture f;
  std::ifstream in{f.dir / "summary.json"};
  auto const s = nlohmann::json::parse(in);
  CHECK(s["replications"] == 12);
  CHECK(s["seed"] == 5);
  CHECK(s["indicators"]["territory"]["coverage"]["mean"].get<double>() == Approx(f.r.island.coverage.mean()));
  CHECK(s["indicators"]["territory"]["referred"]["mean"].get<double>() == Approx(f.r.island.referred.mean()));
  CHECK(s["indicators"]["communes"].size() == 2);
  CHECK(s["inputs"].size() == 5);
  CHECK(s["inputs"][0]["sha256"].get<std::string>().size() == 64);
  std::ifstream csv{f.dir / "communes.csv"};
  std::string header;
  std::getline(csv, header);
  CHECK(header.rfind("Code INSEE,Commune,Secteur,Familles orientées (moyenne)", 0) == 0);
  std::ifstream avip{f.dir / "structures_avip.csv"};
  std::string line;
  int rows = -1;
  while (std::getline(avip, line)) {
    ++rows;
  }
  CHECK(rows == 1);  // one labelled structure in the mini territory
}

TEST_CASE("report.html renders in headless Chromium with maps and charts drawn", "[viz][browser]") {
  auto const chromium = testing::find_tool("AVIP_CHROMIUM", {"chromium", "chromium-browser"});
  if (chromium.empty()) {
    AVIP_SKIP("chromium not found: report rendering not checked (set AVIP_CHROMIUM or install chromium)");
  }
  run_fixture f;
  auto const report = f.dir / "report.html";
  std::ifstream in{report};
  std::string html{std::istreambuf_iterator<char>{in}, {}};
  CHECK(html.find("src=\"http") == std::string::npos);
  auto const profile = f.dir / "profile";
  std::string const flags =
      chromium +
      " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
      "--disable-background-networking --disable-component-update --disable-sync --user-data-dir='" +
      profile.string() + "' --window-size=1400,1000 ";
  auto const dom = run_command(flags + "--dump-dom 'file://" + report.string() + "'");
  // The inline script marks the body once the page ran: the SVGs counted by the browser itself.
  CHECK(dom.find("data-rendered=\"") != std::string::npos);
  CHECK(dom.find("data-rendered=\"0\"") == std::string::npos);
  CHECK(dom.find("<path d=\"M") != std::string::npos);  // commune polygons drawn
  CHECK(dom.find("<rect x=") != std::string::npos);     // chart bars / grid cells
  auto const artifacts = fs::path{AVIP_BINARY_DIR} / "artifacts";
  fs::create_directories(artifacts);
  auto const shot = artifacts / "report.png";
  fs::remove(shot);
  run_command(flags + "--screenshot='" + shot.string() + "' 'file://" + report.string() + "'");
  REQUIRE(fs::exists(shot));
  CHECK(fs::file_size(shot) > 20000);
}

TEST_CASE("an indicator with no value is written as null in GeoJSON and an empty cell in CSV", "[viz]") {
  run_fixture f;
  // mc-beta, an unlabelled micro-crèche of 10 places: no 20 % target, L.214-7 not applicable.
  std::ifstream in{f.dir / "structures.geojson"};
  auto const j = nlohmann::json::parse(in);
  bool seen = false;
  for (auto const& feature : j["features"]) {
    if (feature["properties"]["id"] == "mc-beta") {
      seen = true;
      CHECK(feature["properties"]["l214_7"].is_null());
      CHECK(feature["properties"]["proba_objectif"].is_null());
    }
    if (feature["properties"]["id"] == "cr-alpha") {  // labelled, 20 places: both apply
      CHECK(feature["properties"]["proba_objectif"].is_number());
    }
  }
  CHECK(seen);
  // The labelled crèche of the mini territory has no label year: an empty cell, not 0.
  auto const table = read_csv(f.dir / "structures_avip.csv");
  REQUIRE(table.size() == 2);
  CHECK(table[1][column_of(table[0], "Année du label")].empty());
}

TEST_CASE("the Palma ratio is null when it is undefined in every replication", "[viz]") {
  run_fixture f;
  f.r.equity.palma_income.values.clear();
  f.r.equity.palma_undefined = f.r.replications;
  auto const s = f.write_again("again");
  auto const dir = f.dir / "again";
  CHECK(s["indicators"]["equity"]["palma_income"].is_null());
  CHECK(s["indicators"]["equity"]["palma_undefined_replications"] == f.r.replications);
  std::ifstream html{dir / "report.html"};
  std::string text{std::istreambuf_iterator<char>{html}, {}};
  CHECK(text.find("non défini") != std::string::npos);
}

TEST_CASE("the validation table sets observed figures beside the simulated intervals", "[viz][validation]") {
  sim::validation_indicators v;
  v.parents.values = {30, 35, 40, 45, 50};
  v.single_parents.values = {1, 2, 3, 4, 5};
  std::vector<viz::observed_figure> obs{
      {"parents", 39, "", ""}, {"single_parents", 22, "", ""}, {"exit_share_seeking", 0.63, "", ""}};
  auto const rows = viz::validation_table(v, obs);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].fitted);
  CHECK(rows[0].inside);
  CHECK_FALSE(rows[1].fitted);
  CHECK_FALSE(rows[1].inside);  // 22 far above 1–5
  CHECK_FALSE(rows[2].simulated);
  CHECK(viz::validation_verdict(rows).rfind("0 des 1 chiffres observés dans leur intervalle", 0) == 0);
}

TEST_CASE("a bad observed-figures file names the file and the line", "[viz][validation]") {
  auto const dir = fs::temp_directory_path() / ("avip_obs_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto const file = dir / "obs.csv";
  std::ofstream{file} << "indicateur,observe,source,note\nparents,39,,\nbogus,3,,\n";
  CHECK_THROWS_WITH(viz::read_observed(file), Catch::Contains("obs.csv:3: unknown indicator 'bogus'"));
  std::ofstream{file} << "indicateur,observe,source,note\nparents,trente,,\n";
  CHECK_THROWS_WITH(viz::read_observed(file),
                    Catch::Contains("obs.csv:2: the observed value of 'parents' is not a number"));
  fs::remove_all(dir);
}

TEST_CASE("the new indicators reach summary.json, the layers and the CSV tables", "[viz]") {
  run_fixture f;
  std::ifstream in{f.dir / "summary.json"};
  auto const s = nlohmann::json::parse(in);
  auto const& island = s["indicators"]["territory"];
  auto const mean = [&](char const* key) { return island[key]["mean"].get<double>(); };
  CHECK(mean("unmet_not_allowed") == Approx(f.r.island.unmet_not_allowed.mean()));
  CHECK(mean("censored") == Approx(f.r.island.censored.mean()));
  CHECK(mean("matched_partial") == Approx(f.r.island.matched_partial.mean()));
  CHECK(mean("children_placed") == Approx(f.r.island.children_placed.mean()));
  CHECK(island["unmet_not_allowed"]["lo"].get<double>() <= island["unmet_not_allowed"]["hi"].get<double>());
  // Every referred family is matched, unmet for one of the four reasons, or censored.
  CHECK(mean("matched") + mean("unmet_unreachable") + mean("unmet_hours") + mean("unmet_not_allowed") +
            mean("unmet_full") + mean("censored") ==
        Approx(mean("referred")));
  auto const& eq = s["indicators"]["equity"];
  CHECK(eq["gini_communes"]["mean"].get<double>() == Approx(f.r.equity.gini_communes.mean()));
  CHECK_FALSE(eq.contains("gini_cells"));
  CHECK_FALSE(eq.contains("palma_cells"));
  CHECK(eq["palma_undefined_replications"] == f.r.equity.palma_undefined);
  CHECK(s["indicators"]["cost"]["labelled_places_first_year"].get<double>() ==
        Approx(f.r.cost.labelled_places_first_year));
  // L.214-7 for the labelled crèche of 20 places: availability (or null without request) and requests.
  for (auto const& fac : s["indicators"]["labelled_facilities"]) {
    if (fac["id"] == "cr-alpha") {
      CHECK(fac["l214_requests"]["mean"].get<double>() >= 0.0);
      CHECK((fac["l214_available"].is_null() || fac["l214_available"]["mean"].get<double>() <= 1.0));
      CHECK_FALSE(fac.contains("l214_met"));
    }
  }
  // Structures layer: l214_7 and demandes_l214_7 replace proba_l214_7.
  std::ifstream gj{f.dir / "structures.geojson"};
  auto const j = nlohmann::json::parse(gj);
  for (auto const& feature : j["features"]) {
    auto const& props = feature["properties"];
    CHECK_FALSE(props.contains("proba_l214_7"));
    CHECK(props.contains("l214_7"));
    CHECK(props.contains("demandes_l214_7"));
    if (props["id"] == "mc-beta") {  // 10 places: not applicable, not 0
      CHECK(props["demandes_l214_7"].is_null());
    }
    if (props["id"] == "cr-alpha") {
      CHECK(props["demandes_l214_7"].is_number());
    }
  }
  // CSV: French labels, the four reasons, censored and partial in a stable order after the coverage.
  auto const communes = read_csv(f.dir / "communes.csv");
  auto const& h = communes.front();
  auto const unreachable = column_of(h, "Non couvertes : rien d'accessible");
  CHECK(column_of(h, "Non couvertes : horaires incompatibles") == unreachable + 1);
  CHECK(column_of(h, "Non couvertes : aucune structure autorisée (label)") == unreachable + 2);
  CHECK(column_of(h, "Non couvertes : places complètes") == unreachable + 3);
  CHECK(column_of(h, "En attente en fin d'année") == unreachable + 4);
  CHECK(column_of(h, "Accueil partiel (Baby Bus)") == unreachable + 5);
  double not_allowed = 0;
  for (std::size_t i = 1; i < communes.size(); ++i) {
    not_allowed += std::stod(communes[i][unreachable + 2]);
  }
  CHECK(not_allowed == Approx(f.r.island.unmet_not_allowed.mean()).margin(1e-4));
  auto const ind = read_csv(f.dir / "indicateurs.csv");
  auto const& row = row_of(ind, {"Territoire", "Non couvertes : aucune structure autorisée (label)"});
  CHECK(std::stod(row[column_of(ind.front(), "Moyenne")]) ==
        Approx(f.r.island.unmet_not_allowed.mean()).margin(1e-5));
  row_of(ind, {"Territoire", "En attente en fin d'année"});
  row_of(ind, {"Territoire", "Accueil partiel (Baby Bus)"});
  auto const nets = read_csv(f.dir / "reseaux.csv");
  column_of(nets.front(),
            "Part des membres ayant accueilli au moins un enfant AVIP (réseau d'assistants maternels)");
  auto const structures = read_csv(f.dir / "structures_avip.csv");
  column_of(structures.front(), "L.214-7 : demandes dans l'année (moyenne)");
}

TEST_CASE("an indicator with no value is null in summary.json and an empty cell in CSV, never 0", "[viz]") {
  run_fixture f;
  f.r.island.censored.values.clear();
  f.r.communes[sim::commune_idx::from(0)].demand.censored.values.clear();
  f.r.equity.gini_communes.values.clear();
  auto const s = f.write_again("empty");
  auto const dir = f.dir / "empty";
  CHECK(s["indicators"]["territory"]["censored"].is_null());
  CHECK(s["indicators"]["territory"]["referred"].is_object());  // the others keep their values
  CHECK(s["indicators"]["communes"][0]["censored"].is_null());
  CHECK(s["indicators"]["equity"]["gini_communes"].is_null());
  auto const ind = read_csv(dir / "indicateurs.csv");
  auto const& row = row_of(ind, {"Territoire", "En attente en fin d'année"});
  for (auto const* label : {"Moyenne", "Borne basse 90 %", "Borne haute 90 %"}) {
    CHECK(row[column_of(ind.front(), label)].empty());
  }
  auto const communes = read_csv(dir / "communes.csv");
  auto const censored = column_of(communes.front(), "En attente en fin d'année");
  CHECK(communes[1][censored].empty());
  CHECK_FALSE(communes[2][censored].empty());
  std::ifstream html{dir / "report.html"};
  std::string text{std::istreambuf_iterator<char>{html}, {}};
  CHECK(text.find("Demande non couverte, par raison") != std::string::npos);
}

TEST_CASE("a run validates against the observed figures: summary.json, validation.csv and the report",
          "[viz][validation]") {
  run_fixture f;
  auto const dir = f.dir / "validated";
  fs::create_directories(dir);
  auto const observed = f.dir / "observed.csv";
  std::ofstream{observed} << "indicateur,observe,source,note\n"
                             "parents,3,test,\"ajusté, pas un test\"\n"
                             "children,1000,test,\n"
                             "share_caf,0.2,test,\n";
  viz::run_metadata m{"mini", "mini.json", R"({"name": "mini"})", "test", 5, 12, 1, 0.1, observed};
  viz::write_run_outputs(dir, f.t, f.t.world, f.p, f.r, m);
  std::ifstream in{dir / "summary.json"};
  auto const s = nlohmann::json::parse(in);
  REQUIRE(s.contains("validation"));
  auto const& v = s["validation"];
  REQUIRE(v["figures"].size() == 3);
  auto const& children = v["figures"][1];
  CHECK(children["indicator"] == "children");
  CHECK(children["observed"].get<double>() == Approx(1000));
  CHECK(children["mean"].get<double>() == Approx(f.r.validation.children.mean()));
  CHECK(children["lo"].get<double>() == Approx(f.r.validation.children.lo()));
  CHECK(children["hi"].get<double>() == Approx(f.r.validation.children.hi()));
  CHECK(children["inside"] == false);  // 1000 children: far outside
  CHECK(v["figures"][0]["fitted"] == true);
  auto const& shares = v["labelled_shares"];
  double previous = -1;
  for (auto const* q : {"q05", "q25", "q50", "q75", "q95"}) {
    INFO(q);
    REQUIRE(shares[q].is_number());
    CHECK(shares[q].get<double>() >= previous);
    previous = shares[q].get<double>();
  }
  CHECK(shares["share_reaching_target"].get<double>() >= 0.0);
  CHECK(shares["share_reaching_target"].get<double>() <= 1.0);
  auto const csv = read_csv(dir / "validation.csv");
  REQUIRE(csv.size() == 4);
  auto const& h = csv.front();
  auto const& row = row_of(csv, {"children"});
  CHECK(std::stod(row[column_of(h, "observé")]) == Approx(1000));
  CHECK(std::stod(row[column_of(h, "simulé")]) == Approx(f.r.validation.children.mean()).epsilon(1e-5));
  CHECK(std::stod(row[column_of(h, "bas")]) <= std::stod(row[column_of(h, "haut")]));
  CHECK(row[column_of(h, "dans l'intervalle")] == "non");
  std::ifstream html{dir / "report.html"};
  std::string text{std::istreambuf_iterator<char>{html}, {}};
  CHECK(text.find("Validation : le modèle face à l'évaluation 2023") != std::string::npos);
  CHECK(text.find("Part AVIP des EAJE labellisées") != std::string::npos);
  // Without observed figures beside the manifest (the mini territory has none), no validation section.
  std::ifstream plain{f.dir / "summary.json"};
  CHECK_FALSE(nlohmann::json::parse(plain).contains("validation"));
  CHECK_FALSE(fs::exists(f.dir / "validation.csv"));
}
