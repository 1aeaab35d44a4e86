#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <sys/wait.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace {

struct result {
  int code;
  std::string output;
};

result run_avipsim(std::string const& args) {
  std::string out;
  FILE* pipe = popen((std::string{AVIPSIM_EXE} + " " + args + " 2>&1").c_str(), "r");
  char buf[4096];
  while (fgets(buf, sizeof buf, pipe) != nullptr) {
    out += buf;
  }
  int const status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string src(std::string const& p) {
  return std::string{AVIP_SOURCE_DIR} + "/" + p;
}

fs::path temp(std::string const& name) {
  auto d = fs::temp_directory_path() / ("avip_mainland_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  return d;
}

}  // namespace

TEST_CASE("a mainland territory synthesises from its own figures and runs", "[cli][synth]") {
  auto const out = temp("synth");
  auto const s = run_avipsim("synth --territory " + src("data/gueret/territory.json") + " --seed 23 --out " +
                             out.string());
  INFO(s.output);
  REQUIRE(s.code == 0);
  CHECK_THAT(s.output, Catch::Contains("qpv_residents 23096 Guéret") && Catch::Contains("gueret_eaje"));
  for (auto const* f : {"qpv.geojson", "facilities.geojson", "families.geojson", "calibration.csv"}) {
    CHECK(fs::exists(out / f));
  }
  // The committed layers are that output (same seed).
  auto slurp = [](fs::path const& f) {
    std::ifstream in{f, std::ios::binary};
    return std::string{std::istreambuf_iterator<char>{in}, {}};
  };
  for (auto const* f : {"facilities.geojson", "families.geojson", "calibration.csv"}) {
    CHECK(slurp(out / f) == slurp(src("data/gueret/synthetic") + "/" + f));
  }
  fs::remove_all(out);

  auto const run_dir = temp("run");
  auto const r = run_avipsim("run " + src("scenarios/gueret/reference.json") + " --replications 4 --out " +
                             run_dir.string());
  INFO(r.output);
  REQUIRE(r.code == 0);
  std::ifstream in{run_dir / "summary.json"};
  auto const summary = nlohmann::json::parse(in);
  CHECK(summary.dump().find("Guéret") != std::string::npos);
  fs::remove_all(run_dir);
}
