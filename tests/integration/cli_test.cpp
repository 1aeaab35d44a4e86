#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <sys/wait.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace {

struct result {
  int code;
  std::string output;
};

result run(std::string const& args) {
  std::string out;
  FILE* pipe = popen((std::string{AVIPSIM_EXE} + " " + args + " 2>&1").c_str(), "r");
  char buf[4096];
  while (fgets(buf, sizeof buf, pipe) != nullptr) {
    out += buf;
  }
  int const status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

fs::path temp(std::string const& name) {
  auto d = fs::temp_directory_path() / ("avip_cli_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  return d;
}

std::string src(std::string const& p) {
  return std::string{AVIP_SOURCE_DIR} + "/" + p;
}

nlohmann::json load(fs::path const& f) {
  std::ifstream in{f};
  return nlohmann::json::parse(in);
}

}  // namespace

TEST_CASE("avipsim check: the La Réunion territory and every shipped scenario pass", "[cli]") {
  auto const t = run("check " + src("data/reunion/territory.json"));
  CHECK(t.code == 0);
  CHECK_THAT(t.output, Catch::Contains("communes 24") && Catch::Contains("ok: territory"));
  for (auto const& e : fs::directory_iterator{src("scenarios/reunion")}) {
    auto const r = run("check " + e.path().string());
    INFO(e.path().string() << "\n" << r.output);
    CHECK(r.code == 0);
  }
}

TEST_CASE("avipsim run: the baseline end to end, outputs moved into place, never overwritten", "[cli][e2e]") {
  auto const out = temp("run");
  auto const r = run("run " + src("scenarios/reunion/baseline.json") + " --out " + out.string() +
                     " --replications 8 --seed 3 --quiet");
  INFO(r.output);
  REQUIRE(r.code == 0);
  auto const s = load(out / "summary.json");
  CHECK(s["replications"] == 8);
  CHECK(s["indicators"]["communes"].size() == 24);
  double const cov = s["indicators"]["island"]["coverage"]["mean"];
  CHECK(cov > 0.0);
  CHECK(cov < 1.0);
  // The referred families are conserved: matched + unmet by reason = referred.
  auto const& i = s["indicators"]["island"];
  CHECK(i["matched"]["mean"].get<double>() + i["unmet_unreachable"]["mean"].get<double>() +
            i["unmet_hours"]["mean"].get<double>() + i["unmet_full"]["mean"].get<double>() ==
        Approx(i["referred"]["mean"].get<double>()));
  CHECK(fs::exists(out / "report.html"));
  CHECK(fs::exists(out / "results.gpkg"));
  // A second run into the same folder is refused, and leaves the first intact.
  auto const again = run("run " + src("scenarios/reunion/baseline.json") + " --out " + out.string() +
                         " --replications 2 --quiet");
  CHECK(again.code != 0);
  CHECK_THAT(again.output, Catch::Contains("not empty"));
  CHECK(load(out / "summary.json")["replications"] == 8);
  for (auto const& e : fs::directory_iterator{out.parent_path()}) {
    CHECK(e.path().filename().string().find(".avip_cli_run_" + std::to_string(::getpid()) + ".tmp") ==
          std::string::npos);
  }
  fs::remove_all(out);
}

TEST_CASE("avipsim compare: a scenario against itself gives exactly zero deltas", "[cli][compare]") {
  auto const out = temp("cmp");
  auto const base = src("scenarios/reunion/baseline.json");
  auto const r =
      run("compare " + base + " " + base + " --out " + out.string() + " --replications 6 --seed 2 --quiet");
  INFO(r.output);
  REQUIRE(r.code == 0);
  auto const c = load(out / "comparison.json");
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
  auto const d = temp("bad");
  fs::create_directories(d);
  std::ofstream{d / "unknown_key.json"}
      << R"({"base": ")" + src("scenarios/reunion/baseline.json") + R"(", "replicationz": 5})";
  std::ofstream{d / "syntax.json"} << "{\"name\": \"x\",, }";
  std::ofstream{d / "empty.json"} << "";
  std::ofstream{d / "not_object.json"} << "[1, 2, 3]";
  for (auto const* name : {"unknown_key.json", "syntax.json", "empty.json", "not_object.json"}) {
    auto const r = run("check " + (d / name).string());
    INFO(name << ": " << r.output);
    CHECK(r.code == 1);
    CHECK_THAT(r.output, Catch::Contains(name) && Catch::Contains("avipsim: error:"));
    CHECK_THAT(r.output, !Catch::Contains("terminate called") && !Catch::Contains("what():"));
  }
  CHECK_THAT(run("check " + (d / "unknown_key.json").string()).output, Catch::Contains("replicationz"));
  CHECK(run("check " + (d / "missing.json").string()).code == 1);
  CHECK(run("run").code != 0);
  CHECK(run("run " + src("scenarios/reunion/baseline.json") + " --out " + (d / "o").string() +
            " --replications 0")
            .code != 0);
  CHECK(run("frobnicate").code != 0);
  fs::remove_all(d);
}

TEST_CASE("avipsim access reproduces PySAL access on the shipped fixture", "[cli][access]") {
  auto const out = temp("access.csv");
  auto const r = run("access --demand " + src("tests/data/fca/demand.csv") + " --supply " +
                     src("tests/data/fca/supply.csv") + " --cost " + src("tests/data/fca/cost.csv") +
                     " --method e2sfca --out " + out.string());
  INFO(r.output);
  REQUIRE(r.code == 0);
  std::ifstream got{out};
  std::ifstream want{src("tests/data/fca/pysal_access_results.csv")};
  std::string g;
  std::string e;
  std::getline(got, g);
  std::getline(want, e);
  int rows = 0;
  while (std::getline(got, g) && std::getline(want, e)) {
    auto const gv = std::stod(g.substr(g.find(',') + 1));
    auto const e1 = e.find(',');
    auto const ev = std::stod(e.substr(e.find(',', e1 + 1) + 1));  // the e2sfca column
    CHECK(gv == Approx(ev).epsilon(1e-9).margin(1e-15));
    ++rows;
  }
  CHECK(rows == 30);
  CHECK(run("access --demand " + src("tests/data/fca/demand.csv") + " --supply " +
            src("tests/data/fca/supply.csv") + " --method magic --out " + out.string() + ".x")
            .code != 0);
  fs::remove(out);
}
