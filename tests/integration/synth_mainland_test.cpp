#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "harness.hpp"

namespace fs = std::filesystem;

using avip::test::avipsim;
using avip::test::slurp;
using avip::test::src;
using avip::test::temp;

TEST_CASE("a mainland territory synthesises from its own figures and runs", "[cli][synth]") {
  auto const out = temp("mainland", "synth");
  auto const s =
      avipsim("synth --territory " + src("data/gueret/territory.json") + " --seed 23 --out " + out.string());
  INFO(s.output);
  REQUIRE(s.code == 0);
  CHECK_THAT(s.output, Catch::Contains("qpv_residents 23096 Guéret") && Catch::Contains("gueret_eaje"));
  for (auto const* f : {"qpv.geojson", "facilities.geojson", "families.geojson", "calibration.csv"}) {
    CHECK(fs::exists(out / f));
  }
  // The committed layers are that output (same seed).
  for (auto const* f : {"facilities.geojson", "families.geojson", "calibration.csv"}) {
    CHECK(slurp(out / f) == slurp(src("data/gueret/synthetic") + "/" + f));
  }
  fs::remove_all(out);

  auto const run_dir = temp("mainland", "run");
  auto const r = avipsim("run " + src("scenarios/gueret/reference.json") + " --replications 4 --out " +
                         run_dir.string());
  INFO(r.output);
  REQUIRE(r.code == 0);
  std::ifstream in{run_dir / "summary.json"};
  auto const summary = nlohmann::json::parse(in);
  CHECK(summary.dump().find("Guéret") != std::string::npos);
  fs::remove_all(run_dir);
}
