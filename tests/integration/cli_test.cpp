#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>
#include <nlohmann/json.hpp>

#include "harness.hpp"

namespace fs = std::filesystem;

using avip::test::avipsim;
using avip::test::load_json;
using avip::test::slurp;
using avip::test::src;
using avip::test::temp;

TEST_CASE("avipsim check: the La Réunion territory and every shipped scenario pass", "[cli]") {
  auto const t = avipsim("check " + src("data/reunion/territory.json"));
  CHECK(t.code == 0);
  CHECK_THAT(t.output, Catch::Contains("communes 24") && Catch::Contains("ok: territory"));
  for (auto const& e : fs::directory_iterator{src("scenarios/reunion")}) {
    if (e.path().extension() != ".json") {
      continue;  // the script that generates candidates.json
    }
    auto const r = avipsim("check " + e.path().string());
    INFO(e.path().string() << "\n" << r.output);
    CHECK(r.code == 0);
  }
}

TEST_CASE("avipsim run: the baseline end to end, outputs moved into place, never overwritten", "[cli][e2e]") {
  auto const out = temp("cli", "run");
  auto const r = avipsim("run " + src("scenarios/reunion/baseline.json") + " --out " + out.string() +
                         " --replications 8 --seed 3 --quiet");
  INFO(r.output);
  REQUIRE(r.code == 0);
  auto const s = load_json(out / "summary.json");
  CHECK(s["replications"] == 8);
  CHECK(s["indicators"]["communes"].size() == 24);
  double const cov = s["indicators"]["territory"]["coverage"]["mean"];
  CHECK(cov > 0.0);
  CHECK(cov < 1.0);
  // The referred families are conserved: matched + unmet by each of the four reasons + censored = referred.
  auto const& i = s["indicators"]["territory"];
  CHECK(i["matched"]["mean"].get<double>() + i["unmet_unreachable"]["mean"].get<double>() +
            i["unmet_hours"]["mean"].get<double>() + i["unmet_not_allowed"]["mean"].get<double>() +
            i["unmet_full"]["mean"].get<double>() + i["censored"]["mean"].get<double>() ==
        Approx(i["referred"]["mean"].get<double>()));
  // The validation against the 2023 evaluation is in every run of the territory.
  REQUIRE(s.contains("validation"));
  CHECK(s["validation"]["figures"].size() == 12);
  for (auto const& figure : s["validation"]["figures"]) {
    INFO(figure.dump());
    CHECK(figure["observed"].is_number());
    CHECK((figure["mean"].is_null() || figure["lo"].get<double>() <= figure["hi"].get<double>()));
    CHECK(figure["inside"].is_boolean());
  }
  CHECK(s["validation"]["labelled_shares"]["q50"].is_number());
  CHECK(fs::exists(out / "validation.csv"));
  CHECK(fs::exists(out / "report.html"));
  CHECK(fs::exists(out / "results.gpkg"));
  // A second run into the same folder is refused, and leaves the first intact.
  auto const again = avipsim("run " + src("scenarios/reunion/baseline.json") + " --out " + out.string() +
                             " --replications 2 --quiet");
  CHECK(again.code != 0);
  CHECK_THAT(again.output, Catch::Contains("not empty"));
  CHECK(load_json(out / "summary.json")["replications"] == 8);
  for (auto const& e : fs::directory_iterator{out.parent_path()}) {
    CHECK(e.path().filename().string().find(".avip_cli_run_" + std::to_string(::getpid()) + ".tmp") ==
          std::string::npos);
  }
  fs::remove_all(out);
}

TEST_CASE("avipsim compare: a scenario against itself gives exactly zero deltas", "[cli][compare]") {
  auto const out = temp("cli", "cmp");
  auto const base = src("scenarios/reunion/baseline.json");
  auto const r = avipsim("compare " + base + " " + base + " --out " + out.string() +
                         " --replications 6 --seed 2 --quiet");
  INFO(r.output);
  REQUIRE(r.code == 0);
  auto const c = load_json(out / "comparison.json");
  std::function<void(nlohmann::json const&, std::string const&)> walk = [&](nlohmann::json const& j,
                                                                            std::string const& path) {
    if (j.is_object()) {
      for (auto const& [k, v] : j.items()) {
        walk(v, path + "/" + k);
      }
    } else if (j.is_array()) {
      for (std::size_t k = 0; k < j.size(); ++k) {
        walk(j[k], path + "/" + std::to_string(k));
      }
    } else if (j.is_number() && path.find("delta") != std::string::npos) {
      INFO(path);
      REQUIRE(j.get<double>() == 0.0);
    }
  };
  walk(c, "");
  fs::remove_all(out);
}

TEST_CASE("bad command lines and scenarios: one clear line, non-zero exit, no crash", "[cli][errors]") {
  auto const d = temp("cli", "bad");
  fs::create_directories(d);
  std::ofstream{d / "unknown_key.json"}
      << R"({"base": ")" + src("scenarios/reunion/baseline.json") + R"(", "replicationz": 5})";
  std::ofstream{d / "syntax.json"} << "{\"name\": \"x\",, }";
  std::ofstream{d / "empty.json"} << "";
  std::ofstream{d / "not_object.json"} << "[1, 2, 3]";
  for (auto const* name : {"unknown_key.json", "syntax.json", "empty.json", "not_object.json"}) {
    auto const r = avipsim("check " + (d / name).string());
    INFO(name << ": " << r.output);
    CHECK(r.code == 1);
    CHECK_THAT(r.output, Catch::Contains(name) && Catch::Contains("avipsim: error:"));
    CHECK_THAT(r.output, !Catch::Contains("terminate called") && !Catch::Contains("what():"));
  }
  CHECK_THAT(avipsim("check " + (d / "unknown_key.json").string()).output, Catch::Contains("replicationz"));
  CHECK(avipsim("check " + (d / "missing.json").string()).code == 2);  // a usage error: no such file
  CHECK(avipsim("run").code != 0);
  CHECK(avipsim("run " + src("scenarios/reunion/baseline.json") + " --out " + (d / "o").string() +
                " --replications 0")
            .code != 0);
  CHECK(avipsim("frobnicate").code != 0);
  fs::remove_all(d);
}

namespace {

/// The numbers of one column of a CSV with a header row, in row order.
std::vector<double> csv_column(fs::path const& file, std::string const& name) {
  std::ifstream in{file};
  std::string line;
  std::getline(in, line);
  std::size_t column = 0;
  for (std::size_t at = 0, next = 0; next != std::string::npos; at = next + 1, ++column) {
    next = line.find(',', at);
    if (line.substr(at, next - at) == name) {
      break;
    }
  }
  std::vector<double> values;
  while (std::getline(in, line)) {
    std::size_t at = 0;
    for (std::size_t c = 0; c < column; ++c) {
      at = line.find(',', at) + 1;
    }
    values.push_back(std::stod(line.substr(at, line.find(',', at) - at)));
  }
  return values;
}

}  // namespace

TEST_CASE("avipsim access reproduces PySAL access on the shipped fixture", "[cli][access]") {
  // Each method with its defaults, as PySAL access's; RAAM has no catchment in PySAL: every pair of the
  // cost table.
  auto const out = temp("cli", "access.csv");
  auto const fixture = src("tests/data/fca/pysal_access_results.csv");
  for (std::string method : {"2sfca", "e2sfca", "g2sfca", "3sfca", "raam"}) {
    INFO(method);
    fs::remove(out);
    auto const r = avipsim("access --demand " + src("tests/data/fca/demand.csv") + " --supply " +
                           src("tests/data/fca/supply.csv") + " --cost " + src("tests/data/fca/cost.csv") +
                           " --method " + method + (method == "raam" ? " --catchment 1e9" : "") + " --out " +
                           out.string());
    INFO(r.output);
    REQUIRE(r.code == 0);
    auto const got = csv_column(out, "access");
    auto const want = csv_column(fixture, method);
    REQUIRE(got.size() == 30);
    REQUIRE(want.size() == 30);
    for (std::size_t i = 0; i < got.size(); ++i) {
      CHECK(got[i] == Approx(want[i]).epsilon(1e-9).margin(1e-15));
    }
  }
  CHECK(avipsim("access --demand " + src("tests/data/fca/demand.csv") + " --supply " +
                src("tests/data/fca/supply.csv") + " --method magic --out " + out.string() + ".x")
            .code != 0);
  fs::remove(out);
}

namespace {

/// A small straight-line case in metres (EPSG:2975): 60 demand points, 8 facilities.
fs::path small_access_case() {
  auto const d = temp("cli", "access_case");
  fs::create_directories(d);
  std::ofstream dem{d / "demand.csv"};
  dem << "id,x,y,demand,priority,qpv\n";
  for (int i = 0; i < 60; ++i) {
    dem << "d" << i << ',' << 340000 + (i * 7919) % 20000 << ',' << 7640000 + (i * 104729) % 20000 << ','
        << 1 + i % 17 << ',' << (i % 4 == 0 ? 0.35 : 0.1) << ',' << (i % 4 == 0 ? 1 : 0) << '\n';
  }
  std::ofstream sup{d / "supply.csv"};
  sup << "id,x,y,supply,labelled\n";
  for (int j = 0; j < 8; ++j) {
    sup << "s" << j << ',' << 341000 + j * 2300 << ',' << 7641000 + (j * 3001) % 18000 << ',' << 10 + 3 * j
        << ',' << (j % 2) << '\n';
  }
  return d;
}

}  // namespace

TEST_CASE("avipsim access: Monte Carlo of the expected AVIP share, the same files for any thread count",
          "[cli][access]") {
  auto const d = small_access_case();
  auto const args =
      "access --demand " + (d / "demand.csv").string() + " --supply " + (d / "supply.csv").string() +
      " --crs 2975 --epsg 2975 --speed 30 --method e2sfca --replications 60 --priority-field priority "
      "--qpv-field qpv --labelled-field labelled";
  for (int threads : {1, 2}) {
    auto const t = std::to_string(threads);
    auto const r =
        avipsim(args + " --threads " + t + " --out " + (d / ("a" + t + ".csv")).string() + " --supply-out " +
                (d / ("s" + t + ".csv")).string() + " --timings " + (d / ("t" + t + ".json")).string());
    INFO(r.output);
    REQUIRE(r.code == 0);
    CHECK(r.output.find("structures labellisées dont les enfants AVIP attendus ÷ places atteignent 20 %") !=
          std::string::npos);
    CHECK(r.output.find("stock, sans rotation") != std::string::npos);
  }
  CHECK(slurp(d / "a1.csv") == slurp(d / "a2.csv"));
  CHECK(slurp(d / "s1.csv") == slurp(d / "s2.csv"));
  auto const timing = nlohmann::json::parse(slurp(d / "t1.json"));
  CHECK(timing["replications"] == 60);
  CHECK(timing["pairs"].get<int>() > 0);
  CHECK_FALSE(timing["monte_carlo"].contains("labelled_reaching_20"));  // renamed: it meant something else
  double const reaching = timing["monte_carlo"]["labelled_expected_avip_share_reaching_20"]["mean"];
  CHECK(reaching >= 0.0);
  CHECK(reaching <= 1.0);
  CHECK(timing["monte_carlo"]["avip_intake"] == "stock");
  CHECK(timing["monte_carlo"]["avip_turnover"] == 1.0);
  {
    std::ifstream s{d / "s1.csv"};
    std::string line;
    std::getline(s, line);
    CHECK(line ==
          "id,places,labellise,enfants_avip_attendus,part_avip_attendue,proba_part_avip_20,"
          "part_insertion_zone");
  }
  auto const places = csv_column(d / "s1.csv", "places");
  auto const children = csv_column(d / "s1.csv", "enfants_avip_attendus");
  auto const share = csv_column(d / "s1.csv", "part_avip_attendue");
  auto const probability = csv_column(d / "s1.csv", "proba_part_avip_20");
  auto const zone = csv_column(d / "s1.csv", "part_insertion_zone");
  REQUIRE(places.size() == 8);
  REQUIRE(zone.size() == 8);
  for (std::size_t j = 0; j < places.size(); ++j) {
    CHECK(children[j] >= 0.0);
    CHECK(children[j] <= places[j]);  // a stock: at most the places
    CHECK(share[j] == Approx(children[j] / places[j]).epsilon(1e-12));
    CHECK(probability[j] >= 0.0);
    CHECK(probability[j] <= 1.0);
    CHECK(zone[j] >= 0.0);
    CHECK(zone[j] <= 1.0);
  }
  // A yearly turnover multiplies the expected AVIP children, and the catchment share does not move.
  auto const yearly =
      avipsim(args + " --avip-turnover 2 --out " + (d / "a3.csv").string() + " --supply-out " +
              (d / "s3.csv").string() + " --timings " + (d / "t3.json").string());
  INFO(yearly.output);
  REQUIRE(yearly.code == 0);
  CHECK(yearly.output.find("rotation × 2") != std::string::npos);
  CHECK(nlohmann::json::parse(slurp(d / "t3.json"))["monte_carlo"]["avip_intake"] == "yearly");
  auto const children2 = csv_column(d / "s3.csv", "enfants_avip_attendus");
  auto const zone2 = csv_column(d / "s3.csv", "part_insertion_zone");
  for (std::size_t j = 0; j < places.size(); ++j) {
    CHECK(children2[j] == Approx(2 * children[j]).epsilon(1e-12));
    CHECK(zone2[j] == zone[j]);
  }
  CHECK(avipsim(args + " --avip-turnover 0.5 --out " + (d / "a4.csv").string()).code != 0);
  fs::remove_all(d);
}

TEST_CASE("avipsim access: bad input gets one message naming the file and the place", "[cli][access]") {
  auto const d = small_access_case();
  auto const base = "access --demand " + src("tests/data/fca/demand.csv") + " --supply " +
                    src("tests/data/fca/supply.csv") + " --out " + (d / "x.csv").string();
  {
    std::ofstream c{d / "cost.csv"};
    c << "origin,dest,cost\nd0,s0,3\nd0,s0,4\n";
  }
  auto r = avipsim(base + " --cost " + (d / "cost.csv").string());
  CHECK(r.code != 0);
  CHECK(r.output.find("cost.csv") != std::string::npos);
  CHECK(r.output.find("appears twice") != std::string::npos);
  {
    std::ofstream c{d / "cost2.csv"};
    c << "origin,dest,cost\nd0,s0,3\nnobody,s0,4\n";
  }
  r = avipsim(base + " --cost " + (d / "cost2.csv").string());
  CHECK(r.code != 0);
  CHECK(r.output.find("cost2.csv") != std::string::npos);
  CHECK(r.output.find("nobody") != std::string::npos);
  r = avipsim(base + " --cost " + src("tests/data/fca/cost.csv") + " --steps 10:1,oops");
  CHECK(r.code != 0);
  CHECK(r.output.find("--steps") != std::string::npos);
  r = avipsim(base + " --cost " + src("tests/data/fca/cost.csv") + " --steps 10x:1");
  CHECK(r.code != 0);
  CHECK(r.output.find("'10x:1' is not threshold:weight") != std::string::npos);
  r = avipsim(base + " --cost " + src("tests/data/fca/cost.csv") + " --replications 10");
  CHECK(r.code != 0);
  CHECK(r.output.find("--priority-field") != std::string::npos);
  r = avipsim(base + " --cost " + src("tests/data/fca/cost.csv") + " --cost-filter fenetre=weekday");
  CHECK(r.code != 0);
  CHECK(r.output.find("fenetre") != std::string::npos);
  CHECK_FALSE(fs::exists(d / "x.csv"));
  fs::remove_all(d);
}

TEST_CASE("avipsim validate: observed figures beside the simulated intervals, and a count line",
          "[cli][validate]") {
  auto const dir = temp("cli", "validate");
  fs::create_directories(dir);
  auto const scenario = dir / "mini.json";
  std::ofstream{scenario} << R"({"name": "mini", "territory": ")" << src("tests/data/mini/territory.json")
                          << R"(", "replications": 20, "seed": 4, "params": {"awareness_rate": 1}})";
  auto const observed = dir / "observed.csv";
  std::ofstream{observed} << "indicateur,observe,source,note\nparents,3,test,\nchildren,3,test,\n"
                             "single_parents,1,test,\n";
  auto const r = avipsim("validate " + scenario.string() + " --observed " + observed.string() + " --quiet");
  INFO(r.output);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.output, Catch::Contains("Parents accueillis sous AVIP"));
  CHECK_THAT(r.output, Catch::Contains("Enfants accueillis"));
  CHECK_THAT(r.output, Catch::Contains("dont familles monoparentales"));
  CHECK_THAT(r.output, Catch::Contains("observé") && Catch::Contains("intervalle 90 %"));
  // The last line counts the observed figures inside their interval, the fitted one set apart.
  REQUIRE(r.output.size() > 2);
  auto const last = r.output.substr(r.output.rfind('\n', r.output.size() - 2) + 1);
  CHECK_THAT(last, Catch::Contains(
                       "des 2 chiffres observés dans leur intervalle à 90 % (1 chiffre ajusté mis à part)"));
  // --out writes validation.csv with the run's outputs.
  auto const out = dir / "out";
  auto const w = avipsim("validate " + scenario.string() + " --observed " + observed.string() +
                         " --quiet --out " + out.string());
  INFO(w.output);
  REQUIRE(w.code == 0);
  std::ifstream csv{out / "validation.csv"};
  std::string header;
  std::getline(csv, header);
  CHECK(header.rfind("indicateur,libellé,observé,simulé,bas,haut", 0) == 0);
  fs::remove_all(dir);
}

TEST_CASE("avipsim validate: a bad observed file gets one message naming the file and line",
          "[cli][validate]") {
  auto const dir = temp("cli", "validate_bad");
  fs::create_directories(dir);
  auto const scenario = dir / "mini.json";
  std::ofstream{scenario} << R"({"name": "mini", "territory": ")" << src("tests/data/mini/territory.json")
                          << R"(", "replications": 4, "seed": 4})";
  auto const observed = dir / "observed.csv";
  std::ofstream{observed} << "indicateur,observe,source,note\nparents,39,,\nenfants,quarante,,\n";
  auto const r = avipsim("validate " + scenario.string() + " --observed " + observed.string() + " --quiet");
  INFO(r.output);
  CHECK(r.code != 0);
  CHECK_THAT(r.output, Catch::Contains("observed.csv:3: unknown indicator 'enfants'"));
  int lines = 0;
  for (char c : r.output) {
    lines += c == '\n' ? 1 : 0;
  }
  CHECK(lines == 1);  // one clear line
  // A value that is not a number.
  std::ofstream{observed} << "indicateur,observe,source,note\nparents,39,,\nchildren,,,\nshare_caf,21 %,,\n";
  auto const n = avipsim("validate " + scenario.string() + " --observed " + observed.string() + " --quiet");
  INFO(n.output);
  CHECK(n.code != 0);
  CHECK_THAT(n.output, Catch::Contains("observed.csv:3: the observed value of 'children' is not a number"));
  fs::remove_all(dir);
}
