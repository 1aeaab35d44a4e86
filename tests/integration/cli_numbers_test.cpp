// Numbers on the command line: a value that is not what the option means is refused with one line and
// exit 2, never silently read as something else (-1 as 2^64 - 1, nan as a catchment, 1.5 as 1).

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "harness.hpp"

namespace fs = std::filesystem;

using avip::test::avipsim;
using avip::test::result;
using avip::test::src;
using avip::test::temp_folder;

namespace {

fs::path mini_scenario(fs::path const& dir) {
  auto const f = dir / "s.json";
  std::ofstream{f} << R"({"territory": ")" << src("tests/data/mini/territory.json")
                   << R"(", "replications": 2})";
  return f;
}

std::string access_args(fs::path const& out) {
  return "access --demand " + src("tests/data/fca/demand.csv") + " --supply " +
         src("tests/data/fca/supply.csv") + " --cost " + src("tests/data/fca/cost.csv") +
         " --method 2sfca --out " + out.string() + " --quiet";
}

void refused(result const& r, std::string const& option) {
  INFO(r.output);
  CHECK(r.code == 2);
  CHECK_THAT(r.output, Catch::Contains(option) && !Catch::Contains("internal error"));
}

}  // namespace

TEST_CASE("command line: --seed must be a whole number from 0 to 9e15", "[cli][numbers]") {
  auto const d = temp_folder("num", "seed");
  auto const s = mini_scenario(d).string();
  for (std::string const seed : {"-1", "99999999999999999999", "1.5", "1e3", "seven", "9000000000000001"}) {
    INFO("--seed " << seed);
    refused(avipsim("run " + s + " --out " + (d / "o").string() + " --quiet --seed " + seed), "--seed");
    CHECK_FALSE(fs::exists(d / "o"));
  }
  refused(avipsim(access_args(d / "a.csv") + " --replications 2 --seed -1"), "--seed");
  auto const ok = avipsim("run " + s + " --out " + (d / "o").string() + " --quiet --seed 9000000000000000");
  INFO(ok.output);
  CHECK(ok.code == 0);
  fs::remove_all(d);
}

TEST_CASE("command line: replications must be whole numbers", "[cli][numbers]") {
  auto const d = temp_folder("num", "reps");
  auto const s = mini_scenario(d).string();
  for (std::string const n : {"1.5", "0", "-3", "1e3", "100001"}) {
    INFO("--replications " << n);
    refused(avipsim("run " + s + " --out " + (d / "o").string() + " --quiet --replications " + n),
            "--replications");
  }
  refused(avipsim("compare " + s + " --out " + (d / "o").string() + " --replications 2.5"), "--replications");
  refused(avipsim(access_args(d / "a.csv") + " --replications 1.5"), "--replications");
  CHECK_FALSE(fs::exists(d / "o"));
  fs::remove_all(d);
}

TEST_CASE("command line: access refuses nan, inf and out-of-range numbers", "[cli][numbers]") {
  auto const d = temp_folder("num", "access");
  for (auto const& [option, value] :
       std::vector<std::pair<std::string, std::string>>{{"--catchment", "nan"},
                                                        {"--catchment", "inf"},
                                                        {"--catchment", "-5"},
                                                        {"--speed", "nan"},
                                                        {"--detour", "nan"},
                                                        {"--sigma", "0"},
                                                        {"--rho", "nan"},
                                                        {"--avip-turnover", "nan"}}) {
    INFO(option << " " << value);
    refused(avipsim(access_args(d / "a.csv") + " " + option + " " + value), option);
    CHECK_FALSE(fs::exists(d / "a.csv"));
  }
  auto const ok = avipsim(access_args(d / "a.csv") + " --catchment 12.5");
  INFO(ok.output);
  CHECK(ok.code == 0);
  fs::remove_all(d);
}

TEST_CASE("command line: access --out and --timings refused before the work when they cannot be written",
          "[cli][numbers]") {
  auto const d = temp_folder("num", "accessout");
  std::ofstream{d / "file"} << "x";
  refused(avipsim(access_args(d / "file" / "a.csv")), "is a file");
  refused(avipsim(access_args(d / "a.csv") + " --timings " + (d / "file").string()), "already exists");
  CHECK_FALSE(fs::exists(d / "a.csv"));
  auto const ok = avipsim(access_args(d / "a.csv") + " --timings " + (d / "t.json").string());
  INFO(ok.output);
  CHECK(ok.code == 0);
  CHECK(fs::exists(d / "t.json"));
  fs::remove_all(d);
}

TEST_CASE("command line: transit and synth refuse nan", "[cli][numbers]") {
  auto const d = temp_folder("num", "nan");
  refused(avipsim("transit " + src("data/reunion/territory.json") + " --tolerance nan --out " +
                  (d / "t").string()),
          "--tolerance");
  refused(avipsim("synth --family-scale nan --out " + (d / "s").string()), "--family-scale");
  CHECK_FALSE(fs::exists(d / "t"));
  CHECK_FALSE(fs::exists(d / "s"));
  fs::remove_all(d);
}
