// avipsim optimize end to end on the mini territory: a recommendation within the budget that `run`
// reproduces, and bad candidates refused with the file and the JSON pointer.
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "../skip.hpp"
#include "tests/integration/harness.hpp"

using namespace avip::test;

namespace {

/// A workspace with the mini territory, a base scenario and candidates: labelling the micro-crèche (the
/// only structure open on Saturday morning, which family f4 needs) and a Baby Bus stop beside family f6.
fs::path optimize_workspace(std::string const& name, std::string const& actions) {
  auto const d = mini_workspace("optimize", name);
  write(d / "base.json",
        R"({"name": "mini", "territory": "mini/territory.json", "replications": 20, "seed": 4})");
  write(d / "candidates.json", R"({"actions": [)" + actions + "]}");
  return d;
}

std::string const kActions = R"(
  {"id": "label-beta", "title": "Labelliser la micro-crèche Beta",
   "edit": {"type": "label", "select": {"ids": ["mc-beta"]}}},
  {"id": "bus-f6", "group": "bus", "edit": {"type": "baby_bus", "action": "add", "bus": "bb-new",
   "sites": [{"id": "bb-new-1", "places": 12, "hours": "Mo-Fr 08:30-16:30", "lon": 3.0505, "lat": 45.7505}]}},
  {"id": "bus-elsewhere", "group": "bus", "edit": {"type": "baby_bus", "action": "add", "bus": "bb-new",
   "sites": [{"id": "bb-new-2", "places": 12, "hours": "Mo-Fr 08:30-16:30", "lon": 3.19, "lat": 45.79}]}})";

/// The recommended portfolio's simulated figure in optimize.json.
double reported(nlohmann::json const& o) {
  for (auto const& p : o["portfolios"]) {
    if (p["recommended"].get<bool>()) {
      return p["simulation"]["mean"].get<double>();
    }
  }
  return -1;
}

/// `run` on the recommendation: its priority families placed.
double rerun(fs::path const& d, std::string const& objective_key = "priority_matched") {
  auto const run = avipsim_in(d, "run opt/recommendation.json --out rec --quiet");
  INFO(run.output);
  REQUIRE(run.code == 0);
  return load_json(d / "rec/summary.json")["indicators"]["territory"][objective_key]["mean"].get<double>();
}

}  // namespace

TEST_CASE("avipsim optimize: a recommendation within the budget that run reproduces", "[cli][optimize]") {
  auto const d = optimize_workspace("ok", kActions);
  auto const r =
      avipsim_in(d,
                 "optimize base.json --candidates candidates.json --budget 10000 --budgets 0,200000 "
                 "--out opt --quiet");
  INFO(r.output);
  REQUIRE(r.code == 0);
  for (auto const* f : {"recommendation.json", "actions.csv", "pareto.csv", "actions.geojson",
                        "optimize.gpkg", "optimize.json", "report.html"}) {
    CHECK(fs::exists(d / "opt" / f));
  }
  auto const o = load_json(d / "opt/optimize.json");
  // The budget is never exceeded, a larger budget never covers fewer, and only one Baby Bus stop is chosen.
  double last = -1;
  for (auto const& b : o["budgets"]) {
    CHECK(b["greedy"]["cost"].get<double>() <= b["budget"].get<double>() + 1e-6);
    if (b["mip"]["has_solution"].get<bool>()) {
      CHECK(b["mip"]["cost"].get<double>() <= b["budget"].get<double>() + 1e-6);
      double const best = std::max(b["greedy"]["covered"].get<double>(), b["mip"]["covered"].get<double>());
      CHECK(best >= last - 1e-9);
      last = best;
    }
  }
  auto const rec = load_json(d / "opt/recommendation.json");
  REQUIRE(rec["edits"].size() == 1);
  CHECK(rec["edits"][0]["select"]["ids"][0] == "mc-beta");
  std::ifstream csv{d / "opt/actions.csv"};
  std::string header;
  std::getline(csv, header);
  CHECK_THAT(header, Catch::Contains("structure ou site") && Catch::Contains("gain marginal") &&
                         Catch::Contains("rang"));
  double reported = -1;
  for (auto const& p : o["portfolios"]) {
    if (p["recommended"].get<bool>()) {
      reported = p["simulation"]["mean"].get<double>();
      for (auto const& q : o["portfolios"]) {
        CHECK(q["cost"].get<double>() <= q["budget"].get<double>() + 1e-6);
      }
    }
  }
  // The recommendation is a scenario that run accepts and that gives the figure optimize reported.
  auto const run = avipsim_in(d, "run opt/recommendation.json --out rec --quiet");
  INFO(run.output);
  REQUIRE(run.code == 0);
  auto const s = load_json(d / "rec/summary.json");
  CHECK(s["indicators"]["territory"]["priority_matched"]["mean"].get<double>() ==
        Approx(reported).margin(1e-9));
  fs::remove_all(d);
}

TEST_CASE("avipsim optimize: bad candidates name the file and the JSON pointer", "[cli][optimize]") {
  auto const d = optimize_workspace(
      "bad", R"({"id": "x", "edit": {"type": "label", "select": {"ids": ["no-such-creche"]}}})");
  auto const r =
      avipsim_in(d, "optimize base.json --candidates candidates.json --budget 10000 --out opt --quiet");
  INFO(r.output);
  CHECK(r.code != 0);
  CHECK_THAT(r.output, Catch::Contains("candidates.json") && Catch::Contains("/actions/0/edit/select/ids") &&
                           Catch::Contains("no-such-creche"));
  CHECK_FALSE(fs::exists(d / "opt"));

  auto const poor = optimize_workspace("poor", kActions);
  auto const p =
      avipsim_in(poor, "optimize base.json --candidates candidates.json --budget 100 --out opt --quiet");
  INFO(p.output);
  CHECK(p.code != 0);
  CHECK_THAT(p.output, Catch::Contains("candidates.json: /actions: the budget of 100 €") &&
                           Catch::Contains("below every action"));
  CHECK_FALSE(fs::exists(poor / "opt"));

  auto const neg =
      avipsim_in(poor, "optimize base.json --candidates candidates.json --budget -5 --out opt --quiet");
  CHECK(neg.code != 0);
  fs::remove_all(d);
  fs::remove_all(poor);
}

TEST_CASE("avipsim optimize --sites grid: a structure where families have no place, run reproduces it",
          "[cli][optimize]") {
  auto const d = optimize_workspace("grid", kActions);
  auto const r = avipsim_in(d,
                            "optimize base.json --candidates candidates.json --sites grid --site-places 8 "
                            "--budget 200000 --out opt --quiet");
  INFO(r.output);
  REQUIRE(r.code == 0);
  auto const o = load_json(d / "opt/optimize.json");
  auto const& s = o["sites"];
  CHECK(s["generated"] == "grid");
  CHECK(s["populated_cells"].get<int>() >= s["cells_with_unmet_demand"].get<int>());
  REQUIRE(s["cells_with_unmet_demand"].get<int>() >= 1);
  CHECK(s["grid_sites"].get<int>() >= 1);
  CHECK(s["sites_that_can_add_coverage"].get<int>() <= s["grid_sites"].get<int>());
  CHECK(o["candidate_actions"].get<int>() == 3 + s["grid_sites"].get<int>());
  // Family f6 (priority, walks, no structure within reach) gets a micro-crèche of 8 places in its cell.
  auto const rec = load_json(d / "opt/recommendation.json");
  bool grid_site = false;
  for (auto const& e : rec["edits"]) {
    if (e["type"] == "add_facilities") {
      auto const& f = e["facilities"][0];
      grid_site = grid_site || (f["id"].get<std::string>().rfind("grid-", 0) == 0 && f["places"] == 8 &&
                                f["kind"] == "micro_creche" && f["avip"] == true);
    }
  }
  CHECK(grid_site);
  for (auto const& b : o["budgets"]) {
    CHECK(b["greedy"]["cost"].get<double>() <= b["budget"].get<double>() + 1e-6);
  }
  CHECK(rerun(d) == Approx(reported(o)).margin(1e-9));
  fs::remove_all(d);
}

TEST_CASE("avipsim optimize: candidate sites from a GDAL point layer", "[cli][optimize]") {
  auto const d = mini_workspace("optimize", "sites");
  write(d / "base.json",
        R"({"name": "mini", "territory": "mini/territory.json", "replications": 20, "seed": 4})");
  // Two vacant premises: one beside family f6, one far from every family.
  write(d / "premises.geojson", R"({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"ref": "local-f6", "nom": "Ancienne poste"},
     "geometry": {"type": "Point", "coordinates": [3.0506, 45.7506]}},
    {"type": "Feature", "properties": {"ref": "local-far", "nom": "Hangar"},
     "geometry": {"type": "Point", "coordinates": [3.19, 45.71]}}]})");
  write(d / "candidates.json", R"({"actions": [], "sites": [{"path": "premises.geojson", "id_field": "ref",
    "name_field": "nom", "places": 10, "hours": "Mo-Fr 07:30-18:30", "cost": 40000}]})");
  auto const r =
      avipsim_in(d, "optimize base.json --candidates candidates.json --budget 100000 --out opt --quiet");
  INFO(r.output);
  REQUIRE(r.code == 0);
  auto const o = load_json(d / "opt/optimize.json");
  CHECK(o["sites"]["file_sites"] == 2);
  CHECK(o["sites"]["sites_that_can_add_coverage"] == 1);
  auto const rec = load_json(d / "opt/recommendation.json");
  REQUIRE(rec["edits"].size() == 1);
  CHECK(rec["edits"][0]["facilities"][0]["id"] == "local-f6");
  CHECK(rec["edits"][0]["facilities"][0]["name"] == "Ancienne poste");
  CHECK(rerun(d) == Approx(reported(o)).margin(1e-9));

  // A site outside every commune is named by its feature.
  write(d / "premises.geojson", R"({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"ref": "at-sea", "nom": "Bateau"},
     "geometry": {"type": "Point", "coordinates": [10.0, 10.0]}}]})");
  auto const bad =
      avipsim_in(d, "optimize base.json --candidates candidates.json --budget 100000 --out opt2 --quiet");
  INFO(bad.output);
  CHECK(bad.code != 0);
  CHECK_THAT(bad.output, Catch::Contains("candidates.json") &&
                             Catch::Contains("/sites/0/path premises.geojson feature 0") &&
                             Catch::Contains("outside every commune"));
  CHECK_FALSE(fs::exists(d / "opt2"));
  fs::remove_all(d);
}

TEST_CASE("optimize under mpirun gives the single process's results", "[cli][optimize][mpi]") {
  auto const mpirun = avip::testing::find_tool("AVIP_MPIRUN", {"mpirun"});
  if (mpirun.empty()) {
    AVIP_SKIP("mpirun not found (install openmpi-bin): the MPI split is not checked");
  }
  auto const d = optimize_workspace("mpi", kActions);
  auto const args = std::string{
      " optimize base.json --candidates candidates.json --sites grid --budget 10000 "
      "--budgets 0,200000 --replications 6 --quiet --out "};
  auto const one = avipsim_in(d, args.substr(1) + "s1");
  INFO(one.output);
  REQUIRE(one.code == 0);
  auto const o1 = without_machine_keys(load_json(d / "s1/optimize.json"));
  REQUIRE(o1["portfolios"].size() >= 3);
  for (int ranks : {3, 2}) {
    auto const out = "s" + std::to_string(ranks);
    auto const many =
        shell("cd '" + d.string() + "' && " + mpirun + " --oversubscribe --allow-run-as-root -n " +
              std::to_string(ranks) + " '" + AVIPSIM_EXE + "'" + args + out);
    INFO(many.output);
    REQUIRE(many.code == 0);
    CHECK(o1 == without_machine_keys(load_json(d / out / "optimize.json")));
    CHECK(load_json(d / "s1/recommendation.json")["edits"] ==
          load_json(d / out / "recommendation.json")["edits"]);
  }
  fs::remove_all(d);
}
