#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>
#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "optimize/candidate_file.hpp"

namespace fs = std::filesystem;

namespace {

fs::path write_candidates(std::string const& name, std::string const& text) {
  auto const dir = fs::temp_directory_path() / ("avip_candidates_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto const f = dir / (name + ".json");
  std::ofstream{f} << text;
  return f;
}

std::string message_of(fs::path const& f) {
  try {
    avip::optimize::read_candidate_file(f);
  } catch (avip::scenario_error const& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a candidates file is read with its edits, costs and groups", "[optimize]") {
  auto const f = write_candidates("good", R"({
    "budget": 100000,
    "actions": [
      {"id": "a", "title": "Label", "edit": {"type": "label", "select": {"ids": ["cr-1"]}}},
      {"id": "b", "cost": 30000, "group": "g", "edit": {"type": "hours", "select": {"ids": ["cr-1"]}, "hours": "Mo-Fr 06:00-20:00"}},
      {"id": "c", "group": "g", "edit": {"type": "baby_bus", "action": "add", "bus": "bb", "sites": [
        {"id": "s", "places": 12, "hours": "Mo,Th 08:30-16:00", "lon": 55.4, "lat": -21.0}]}}
    ]})");
  auto const c = avip::optimize::read_candidate_file(f);
  REQUIRE(c.actions.size() == 3);
  CHECK(c.budget == 100000.0);
  CHECK(!c.actions[0].cost);
  CHECK(c.actions[1].cost == 30000.0);
  CHECK(c.actions[2].group == "g");
  CHECK(c.actions[2].edits.size() == 1);
  CHECK(c.actions[2].edits[0].facilities.size() == 1);
  CHECK(c.actions[0].edits[0].pointer == "/actions/0/edit");
}

TEST_CASE("bad candidates get one message naming the file and the JSON pointer", "[optimize]") {
  struct bad {
    std::string name, text, pointer, words;
  };
  for (
      auto const& b : std::vector<bad>{
          {"negcost",
           R"({"actions": [{"id": "a", "cost": -5, "edit": {"type": "label", "select": {"ids": ["x"]}}}]})",
           "/actions/0/cost", "must be ≥ 0"},
          {"negbudget",
           R"({"budget": -1, "actions": [{"id": "a", "edit": {"type": "label", "select": {"ids": ["x"]}}}]})",
           "/budget", "must be ≥ 0"},
          {"notanedit", R"({"actions": [{"id": "a", "edit": {"type": "build_a_road"}}]})",
           "/actions/0/edit/type", "not an action a scenario edit can express"},
          {"params",
           R"({"actions": [{"id": "a", "edit": {"type": "params", "params": {"awareness_rate": 0.1}}}]})",
           "/actions/0/edit/type", "not an action a scenario edit can express"},
          {"remove",
           R"({"actions": [{"id": "a", "edit": {"type": "baby_bus", "action": "remove", "bus": "b"}}]})",
           "/actions/0/edit/action", "adds sites"},
          {"dup", R"({"actions": [{"id": "a", "edit": {"type": "label", "select": {"ids": ["x"]}}},
                                    {"id": "a", "edit": {"type": "label", "select": {"ids": ["y"]}}}]})",
           "/actions/1/id", "duplicate"},
          {"badedit", R"({"actions": [{"id": "a", "edit": {"type": "hours", "select": {"ids": ["x"]}}}]})",
           "/actions/0/edit/hours", "required"},
          {"key",
           R"({"actions": [{"id": "a", "price": 3, "edit": {"type": "label", "select": {"ids": ["x"]}}}]})",
           "/actions/0/price", "unknown key"}}) {
    auto const f = write_candidates(b.name, b.text);
    auto const msg = message_of(f);
    INFO(b.name << ": " << msg);
    CHECK(msg.find(f.string()) != std::string::npos);
    CHECK(msg.find(b.pointer) != std::string::npos);
    CHECK(msg.find(b.words) != std::string::npos);
  }
}
