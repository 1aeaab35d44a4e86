#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <unistd.h>
#include <nlohmann/json.hpp>

#include "geo/vector_reader.hpp"
#include "sim/engine.hpp"
#include "territory/load.hpp"
#include "viz/run_outputs.hpp"

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
    p.referral_rate = 1.0;
    r = sim::run(t.world, p, {12, 5, false});
    dir = fs::temp_directory_path() / ("avip_viz_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    viz::run_metadata m{"mini", "mini.json", R"({"name": "mini"})", "test", 5, 12, 1, 0.1};
    viz::write_run_outputs(dir, t, t.world, p, r, m);
  }
  ~run_fixture() { fs::remove_all(dir); }
};

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
  if (run_command("command -v ogrinfo").empty()) {
    WARN("ogrinfo not installed: skipped");
    return;
  }
  run_fixture f;
  for (auto const& e : fs::directory_iterator{f.dir}) {
    auto const ext = e.path().extension();
    if (ext != ".geojson" && ext != ".gpkg") {
      continue;
    }
    auto const out = run_command("ogrinfo -ro -so -al '" + e.path().string() + "'");
    INFO(out);
    CHECK(out.find("Warning") == std::string::npos);
    CHECK(out.find("ERROR") == std::string::npos);
    CHECK(out.find("Feature Count") != std::string::npos);
  }
  auto const gpkg = run_command("ogrinfo -ro -q '" + (f.dir / "results.gpkg").string() + "'");
  for (auto const* layer : {"communes", "secteurs", "qpv", "structures", "carreaux"}) {
    CHECK(gpkg.find(layer) != std::string::npos);
  }
}

TEST_CASE("summary.json holds the figures; CSV headers are French labels in a stable order", "[viz]") {
  run_fixture f;
  std::ifstream in{f.dir / "summary.json"};
  auto const s = nlohmann::json::parse(in);
  CHECK(s["replications"] == 12);
  CHECK(s["seed"] == 5);
  CHECK(s["indicators"]["island"]["coverage"]["mean"].get<double>() == Approx(f.r.island.coverage.mean()));
  CHECK(s["indicators"]["island"]["referred"]["mean"].get<double>() == Approx(f.r.island.referred.mean()));
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
  char const* chromium = nullptr;
  for (auto const* c : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (fs::exists(c)) {
      chromium = c;
    }
  }
  if (chromium == nullptr) {
    WARN("chromium not installed: report rendering not checked");
    return;
  }
  run_fixture f;
  auto const report = f.dir / "report.html";
  std::ifstream in{report};
  std::string html{std::istreambuf_iterator<char>{in}, {}};
  CHECK(html.find("src=\"http") == std::string::npos);
  auto const profile = f.dir / "profile";
  std::string const flags =
      std::string{chromium} +
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
