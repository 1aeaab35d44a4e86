#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "../skip.hpp"
#include "harness.hpp"

namespace fs = std::filesystem;

using avip::test::shell;
using avip::test::temp_folder;

namespace {

/// A small sweep on the mini territory: two scenarios, two parameters.
fs::path inputs(fs::path const& dir) {
  auto const territory = std::string{AVIP_SOURCE_DIR} + "/tests/data/mini/territory.json";
  std::ofstream{dir / "a.json"} << R"({"name": "a", "territory": ")" << territory << R"(", "seed": 5})";
  std::ofstream{dir / "b.json"} << R"({"name": "b", "territory": ")" << territory
                                << R"(", "seed": 5, "params": {"acceptance_rate": 0.5}})";
  std::ofstream{dir / "u.json"} << R"({"replications": 3, "parameters": [
    {"name": "demand_scale", "distribution": "uniform", "low": 1, "high": 6, "justification": "test"},
    {"name": "max_wait_weeks", "distribution": "discrete", "values": [4, 12], "justification": "test"}]})";
  return dir;
}

std::string sweep(fs::path const& d, std::string const& out, std::string const& extra = "") {
  return std::string{AVIPSIM_EXE} + " sensitivity " + (d / "u.json").string() + " --scenarios " +
         (d / "a.json").string() + " " + (d / "b.json").string() + " --trajectories 3 --quiet --out " +
         (d / out).string() + " " + extra;
}

nlohmann::json without_timing(fs::path const& f) {
  std::ifstream in{f};
  auto j = nlohmann::json::parse(in);
  j.erase("elapsed_seconds");
  j.erase("mpi_ranks");
  return j;
}

}  // namespace

TEST_CASE("avipsim sensitivity writes its outputs and is identical for any thread count",
          "[cli][sensitivity]") {
  auto const d = inputs(temp_folder("sens", "threads"));
  auto const one = shell(sweep(d, "t1", "--threads 1"));
  INFO(one.output);
  REQUIRE(one.code == 0);
  for (char const* f : {"sensitivity.json", "indices.csv", "ranking.csv", "report.html"}) {
    CHECK(fs::exists(d / "t1" / f));
  }
  auto const two = shell(sweep(d, "t2", "--threads 2"));
  REQUIRE(two.code == 0);
  CHECK(without_timing(d / "t1" / "sensitivity.json") == without_timing(d / "t2" / "sensitivity.json"));
  std::ifstream csv{d / "t1" / "indices.csv"};
  std::string header;
  std::getline(csv, header);
  CHECK(header.find("indicateur") != std::string::npos);
}

TEST_CASE("avipsim sensitivity under mpirun gives the single process's results", "[cli][sensitivity][mpi]") {
  auto const mpirun = avip::testing::find_tool("AVIP_MPIRUN", {"mpirun"});
  if (mpirun.empty()) {
    AVIP_SKIP("mpirun not found (install openmpi-bin): the MPI split is not checked");
  }
  auto const d = inputs(temp_folder("sens", "mpi"));
  auto const single = shell(sweep(d, "s1"));
  REQUIRE(single.code == 0);
  auto const mpi = shell(mpirun + " --oversubscribe --allow-run-as-root -n 3 " + sweep(d, "s3"));
  INFO(mpi.output);
  REQUIRE(mpi.code == 0);
  std::ifstream in{d / "s3" / "sensitivity.json"};
  CHECK(nlohmann::json::parse(in)["mpi_ranks"] == 3);
  CHECK(without_timing(d / "s1" / "sensitivity.json") == without_timing(d / "s3" / "sensitivity.json"));
}

TEST_CASE("avipsim sensitivity refuses a bad uncertainty file with its pointer, before any output",
          "[cli][sensitivity]") {
  auto const d = inputs(temp_folder("sens", "bad"));
  std::ofstream{d / "u.json"} << R"({"parameters": [{"name": "acceptance_rate", "distribution": "uniform",
    "low": 0.2, "high": 1.4, "justification": "x"}]})";
  auto const r = shell(sweep(d, "out"));
  CHECK(r.code == 1);
  CHECK(r.output.find("/parameters/0") != std::string::npos);
  CHECK_FALSE(fs::exists(d / "out"));
}

TEST_CASE("the sensitivity report renders in headless Chromium", "[cli][sensitivity][browser]") {
  auto const chromium = avip::testing::find_tool("AVIP_CHROMIUM", {"chromium", "chromium-browser"});
  if (chromium.empty()) {
    AVIP_SKIP("chromium not found: report rendering not checked (set AVIP_CHROMIUM or install chromium)");
  }
  auto const d = inputs(temp_folder("sens", "browser"));
  REQUIRE(shell(sweep(d, "r")).code == 0);
  auto const dom =
      shell(chromium + " --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir='" +
            (d / "profile").string() + "' --dump-dom 'file://" + (d / "r" / "report.html").string() + "'");
  CHECK(dom.output.find("data-rendered=\"") != std::string::npos);
  CHECK(dom.output.find("data-rendered=\"0\"") == std::string::npos);
  CHECK(dom.output.find("Le classement tient-il") != std::string::npos);
}
