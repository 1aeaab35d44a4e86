// avipsim optimize end to end on the mini territory: a recommendation within the budget that `run`
// reproduces, and bad candidates refused with the file and the JSON pointer.
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

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
