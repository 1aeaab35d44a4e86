// Sweeps beyond the sensitivity points: `run --territories` (a national summary), `compare` split over
// MPI ranks, and the synthesis seed as an uncertain parameter.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "../skip.hpp"
#include "harness.hpp"

namespace {

using namespace avip::test;

/// Two territories (two copies of the mini territory, mini and mini2), a scenario each, and the list.
fs::path territories(std::string const& name) {
  auto const d = mini_workspace("sweeps", name);
  fs::create_directories(d / "mini2");
  for (auto const& e : fs::directory_iterator{d / "mini"}) {
    fs::copy_file(e.path(), d / "mini2" / e.path().filename());
  }
  write(d / "a.json", R"({"name": "a", "territory": "mini/territory.json", "replications": 6, "seed": 5})");
  write(d / "b.json", R"({"name": "b", "territory": "mini2/territory.json", "replications": 6, "seed": 9,
    "params": {"demand_scale": 4}})");
  write(d / "list.txt", "# two territories\n\na.json\nb.json   # the second\n");
  return d;
}

std::string mpirun() {
  return avip::testing::find_tool("AVIP_MPIRUN", {"mpirun"});
}

}  // namespace

TEST_CASE("run --territories runs each territory into its folder and merges them in list order",
          "[cli][sweeps]") {
  auto const d = territories("national");
  auto const r = avipsim_in(d, "run --territories list.txt --out out --quiet --threads 2");
  INFO(r.output);
  REQUIRE(r.code == 0);
  for (char const* f : {"summary.json", "territoires.csv", "report.html", "mini/summary.json",
                        "mini/report.html", "mini2/summary.json"}) {
    CHECK(fs::exists(d / "out" / f));
  }
  auto const s = load_json(d / "out" / "summary.json");
  REQUIRE(s["territories"].size() == 2);
  CHECK(s["territories"][0]["folder"] == "mini");
  CHECK(s["territories"][1]["line"] == 4);
  CHECK(s["pooled_replications"] == 6);
  // The national count is the territories' summed per replication.
  auto referred = [&](char const* t) -> double {
    return load_json(d / "out" / t / "summary.json")["indicators"]["territory"]["referred"]["mean"];
  };
  double const national = s["national"]["referred"]["mean"];
  CHECK(national == Approx(referred("mini") + referred("mini2")));
  CHECK(referred("mini2") > 0.0);
  // One thread gives the same summary.
  auto const one = avipsim_in(d, "run --territories list.txt --out one --quiet --threads 1");
  REQUIRE(one.code == 0);
  CHECK(without_machine_keys(load_json(d / "out" / "summary.json")) ==
        without_machine_keys(load_json(d / "one" / "summary.json")));
}

TEST_CASE("run --territories refuses a bad list, naming the file and the line, before any output",
          "[cli][sweeps]") {
  auto const d = territories("badlist");
  write(d / "bad.txt", "a.json\n\nmissing.json\n");
  auto r = avipsim_in(d, "run --territories bad.txt --out out --quiet");
  CHECK(r.code != 0);
  CHECK(r.output.find("bad.txt:3") != std::string::npos);
  CHECK(r.output.find("missing.json") != std::string::npos);
  CHECK_FALSE(fs::exists(d / "out"));

  write(d / "twice.txt", "a.json\na.json\n");
  r = avipsim_in(d, "run --territories twice.txt --out out --quiet");
  CHECK(r.code != 0);
  CHECK(r.output.find("twice.txt:2") != std::string::npos);
  CHECK(r.output.find("already on line 1") != std::string::npos);

  write(d / "manifest.txt", "mini/territory.json\n");
  r = avipsim_in(d, "run --territories manifest.txt --out out --quiet");
  CHECK(r.code != 0);
  CHECK(r.output.find("manifest.txt:1") != std::string::npos);
  CHECK(r.output.find("territory manifest") != std::string::npos);

  write(d / "invalid.json", R"({"name": "x", "territory": "mini/territory.json", "replications": -3})");
  write(d / "invalid.txt", "# comment\ninvalid.json\n");
  r = avipsim_in(d, "run --territories invalid.txt --out out --quiet");
  CHECK(r.code != 0);
  CHECK(r.output.find("invalid.txt:2") != std::string::npos);
  CHECK(r.output.find("/replications") != std::string::npos);

  write(d / "empty.txt", "# nothing\n\n");
  r = avipsim_in(d, "run --territories empty.txt --out out --quiet");
  CHECK(r.code != 0);
  CHECK(r.output.find("empty.txt: no territory") != std::string::npos);

  r = avipsim_in(d, "run a.json --territories list.txt --out out --quiet");
  CHECK(r.code == 2);
  CHECK_FALSE(fs::exists(d / "out"));
}

TEST_CASE("run --territories under mpirun gives the single process's results", "[cli][sweeps][mpi]") {
  if (mpirun().empty()) {
    AVIP_SKIP("mpirun not found (install openmpi-bin): the MPI split is not checked");
  }
  auto const d = territories("national_mpi");
  auto const one = avipsim_in(d, "run --territories list.txt --out s1 --quiet");
  REQUIRE(one.code == 0);
  auto const three =
      shell("cd '" + d.string() + "' && " + mpirun() + " --oversubscribe --allow-run-as-root -n 3 '" +
            AVIPSIM_EXE + "' run --territories list.txt --out s3 --quiet");
  INFO(three.output);
  REQUIRE(three.code == 0);
  CHECK(load_json(d / "s3" / "summary.json")["mpi_ranks"] == 3);
  CHECK(without_machine_keys(load_json(d / "s1" / "summary.json")) ==
        without_machine_keys(load_json(d / "s3" / "summary.json")));
  for (char const* t : {"mini", "mini2"}) {
    CHECK(without_machine_keys(load_json(d / "s1" / t / "summary.json")) ==
          without_machine_keys(load_json(d / "s3" / t / "summary.json")));
  }
  CHECK_FALSE(fs::exists(d / "s3" / ".synthesis-cache"));
}

TEST_CASE("compare under mpirun gives the single process's results", "[cli][sweeps][mpi]") {
  if (mpirun().empty()) {
    AVIP_SKIP("mpirun not found (install openmpi-bin): the MPI split is not checked");
  }
  auto const d = mini_workspace("sweeps", "compare_mpi");
  write(d / "a.json", R"({"name": "a", "territory": "mini/territory.json", "replications": 5, "seed": 3,
    "params": {"demand_scale": 3}})");
  write(d / "b.json", R"({"name": "b", "territory": "mini/territory.json", "replications": 5, "seed": 3,
    "params": {"demand_scale": 3, "acceptance_rate": 0.5}})");
  write(d / "c.json", R"({"name": "c", "territory": "mini/territory.json", "replications": 5, "seed": 3,
    "params": {"demand_scale": 3, "max_wait_weeks": 4}})");
  auto const one = avipsim_in(d, "compare a.json b.json c.json --out s1 --quiet");
  INFO(one.output);
  REQUIRE(one.code == 0);
  auto const three =
      shell("cd '" + d.string() + "' && " + mpirun() + " --oversubscribe --allow-run-as-root -n 3 '" +
            AVIPSIM_EXE + "' compare a.json b.json c.json --out s3 --quiet");
  INFO(three.output);
  REQUIRE(three.code == 0);
  CHECK(without_machine_keys(load_json(d / "s1" / "comparison.json")) ==
        without_machine_keys(load_json(d / "s3" / "comparison.json")));
  // Two ranks for three scenarios: rank 0 runs two of them.
  auto const two =
      shell("cd '" + d.string() + "' && " + mpirun() + " --oversubscribe --allow-run-as-root -n 2 '" +
            AVIPSIM_EXE + "' compare a.json b.json c.json --out s2 --quiet");
  REQUIRE(two.code == 0);
  CHECK(without_machine_keys(load_json(d / "s1" / "comparison.json")) ==
        without_machine_keys(load_json(d / "s2" / "comparison.json")));
}

TEST_CASE("sensitivity over the synthesis seed runs each seed's layers, never over data/",
          "[cli][sweeps][synthesis]") {
  auto const d = temp("sweeps", "seed");
  fs::create_directories(d);
  write(d / "u.json", R"({"replications": 2, "parameters": [
    {"name": "synthesis_seed", "distribution": "discrete", "values": [23, 7], "justification": "tirages"},
    {"name": "acceptance_rate", "distribution": "uniform", "low": 0.6, "high": 0.9, "justification": "x"}]})");
  auto const families = fs::last_write_time(src("data/gueret/synthetic/families.geojson"));
  auto const r = avipsim_in(src(""), "sensitivity '" + (d / "u.json").string() +
                                         "' --scenarios scenarios/gueret/reference.json --trajectories 2 "
                                         "--quiet --threads 2 --out '" +
                                         (d / "out").string() + "'");
  INFO(r.output);
  REQUIRE(r.code == 0);
  auto const s = load_json(d / "out" / "sensitivity.json");
  REQUIRE(s["parameters"].size() == 2);
  CHECK(s["parameters"][0]["name"] == "synthesis_seed");
  CHECK(s["parameters"][0]["distribution"] == "discrète {23 ; 7}");
  CHECK_FALSE(fs::exists(d / "out" / ".synthesis-cache"));
  CHECK(fs::last_write_time(src("data/gueret/synthetic/families.geojson")) == families);
  // The report's parameter table names the seed.
  auto const html = shell("cat '" + (d / "out" / "report.html").string() + "'").output;
  CHECK(html.find("synthesis_seed") != std::string::npos);
  // Two thread counts, same results (each seed's synthesis is deterministic).
  auto const again = avipsim_in(src(""), "sensitivity '" + (d / "u.json").string() +
                                             "' --scenarios scenarios/gueret/reference.json --trajectories 2 "
                                             "--quiet --threads 1 --out '" +
                                             (d / "out1").string() + "'");
  REQUIRE(again.code == 0);
  CHECK(without_machine_keys(s) == without_machine_keys(load_json(d / "out1" / "sensitivity.json")));
}

TEST_CASE("sensitivity over the synthesis seed under mpirun gives the single process's results",
          "[cli][sweeps][synthesis][mpi]") {
  if (mpirun().empty()) {
    AVIP_SKIP("mpirun not found (install openmpi-bin): the MPI split is not checked");
  }
  // The points are split by cost (each seed's points on one rank as far as the balance allows), not
  // round robin: any split must give the same indices.
  auto const d = temp("sweeps", "seed_mpi");
  fs::create_directories(d);
  write(d / "u.json", R"({"replications": 2, "parameters": [
    {"name": "synthesis_seed", "distribution": "discrete", "values": [23, 7, 5], "justification": "tirages"},
    {"name": "acceptance_rate", "distribution": "uniform", "low": 0.6, "high": 0.9, "justification": "x"}]})");
  auto const args =
      "sensitivity '" + (d / "u.json").string() +
      "' --scenarios scenarios/gueret/reference.json --trajectories 3 --quiet --threads 1 --out '";
  auto const one = avipsim_in(src(""), args + (d / "s1").string() + "'");
  INFO(one.output);
  REQUIRE(one.code == 0);
  for (int ranks : {2, 3}) {
    auto const out = d / ("s" + std::to_string(ranks));
    auto const r = shell("cd '" + src("") + "' && " + mpirun() + " --oversubscribe --allow-run-as-root -n " +
                         std::to_string(ranks) + " '" + AVIPSIM_EXE + "' " + args + out.string() + "'");
    INFO(r.output);
    REQUIRE(r.code == 0);
    CHECK(load_json(out / "sensitivity.json")["mpi_ranks"] == ranks);
    CHECK(without_machine_keys(load_json(d / "s1" / "sensitivity.json")) ==
          without_machine_keys(load_json(out / "sensitivity.json")));
    CHECK_FALSE(fs::exists(out / ".synthesis-cache"));
  }
}

TEST_CASE("an uncertainty file's bad synthesis seed is named by its pointer", "[cli][sweeps][synthesis]") {
  auto const d = temp("sweeps", "badseed");
  fs::create_directories(d);
  write(d / "u.json", R"({"parameters": [
    {"name": "synthesis_seed", "distribution": "triangular", "low": 1, "mode": 2, "high": 3, "justification": "x"},
    {"name": "acceptance_rate", "distribution": "uniform", "low": 0.6, "high": 0.9, "justification": "x"}]})");
  auto r = avipsim_in(src(""), "check '" + (d / "u.json").string() + "'");
  CHECK(r.code != 0);
  CHECK(r.output.find("/parameters/0/distribution") != std::string::npos);
  write(d / "u.json", R"({"parameters": [
    {"name": "synthesis_seed", "distribution": "uniform", "low": 1.5, "high": -3, "justification": "x"}]})");
  r = avipsim_in(src(""), "check '" + (d / "u.json").string() + "'");
  CHECK(r.code != 0);
  CHECK(r.output.find("/parameters/0/low: a seed is a whole number") != std::string::npos);
  CHECK(r.output.find("/parameters/0/high") != std::string::npos);
}
