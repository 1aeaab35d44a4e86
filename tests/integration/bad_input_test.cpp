#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "harness.hpp"

// Bad inputs a new user or an adversarial tester tried (issue 14), run through the executable: each is
// one clear error (exit 1 or 2, naming the file), never "internal error" (exit 3) nor a crash.

namespace fs = std::filesystem;

using avip::test::avipsim_in;
using avip::test::mini_workspace;
using avip::test::result;
using avip::test::write;

namespace {

/// One clear error: exit 1 or 2, no "internal error", the output names `names`.
void expect_clean_error(result const& r, std::string const& names) {
  INFO(r.output);
  CHECK((r.code == 1 || r.code == 2));
  CHECK(r.output.find("internal error") == std::string::npos);
  CHECK_THAT(r.output, Catch::Contains(names));
}

}  // namespace

TEST_CASE("bad input: a number too large for JSON is a clear error", "[cli][bad-input]") {
  auto const d = mini_workspace("bad", "overflow");
  write(d / "s1.json", R"({"territory":"mini/territory.json","params":{"tolerance_minutes":1e400}})");
  expect_clean_error(avipsim_in(d, "check s1.json"), "s1.json");
}

TEST_CASE("bad input: add_facilities from a CSV with lon/lat runs", "[cli][bad-input]") {
  auto const d = mini_workspace("bad", "csv");
  write(d / "new.csv", "id,kind,places,hours,lon,lat\nn1,creche,10,Mo-Fr 07:00-19:00,3.05,45.73\n");
  write(d / "s2.json", R"({"territory":"mini/territory.json","replications":3,
    "edits":[{"type":"add_facilities","file":"new.csv"}]})");
  auto const r = avipsim_in(d, "run s2.json --out r2 --quiet");
  INFO(r.output);
  CHECK(r.code == 0);
  CHECK(fs::exists(d / "r2" / "summary.json"));
  std::ifstream in{d / "r2" / "summary.json"};
  std::string const summary{std::istreambuf_iterator<char>{in}, {}};
  CHECK_THAT(summary, Catch::Contains("new.csv") && Catch::Contains("sha256"));
}

TEST_CASE("bad input: check /dev/zero and a folder are refused before reading", "[cli][bad-input]") {
  auto const d = mini_workspace("bad", "devzero");
  auto const t0 = std::chrono::steady_clock::now();
  expect_clean_error(avipsim_in(d, "check /dev/zero"), "/dev/zero");
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds{10});
  expect_clean_error(avipsim_in(d, "check mini"), "is a folder");
}

TEST_CASE("bad input: strict JSON (duplicate key, NUL byte, deep nesting)", "[cli][bad-input]") {
  auto const d = mini_workspace("bad", "strict");
  write(d / "dup.json", R"({"territory":"mini/territory.json","seed":1,"seed":2})");
  expect_clean_error(avipsim_in(d, "check dup.json"), "duplicate key 'seed'");
  char const nul[] = "{\"territory\":\"mini/territory.json\"}\0garbage";
  write(d / "nul.json", std::string{nul, sizeof nul - 1});
  expect_clean_error(avipsim_in(d, "check nul.json"), "NUL");
  write(d / "deep.json",
        R"({"territory":"mini/territory.json","edits":[{"type":"label","select":{"within":)" +
            std::string(100000, '[') + std::string(100000, ']') + "}}]}");
  expect_clean_error(avipsim_in(d, "check deep.json"), "nested deeper");
}

TEST_CASE("bad input: manifest type errors name the manifest and pointer", "[cli][bad-input]") {
  auto const d = mini_workspace("bad", "manifest");
  std::ifstream in{d / "mini" / "territory.json"};
  std::string text{std::istreambuf_iterator<char>{in}, {}};
  in.close();
  text.replace(text.find("\"layers\""), 8, R"("epsg": "2154", "layers")");
  write(d / "mini" / "territory.json", text);
  expect_clean_error(avipsim_in(d, "check mini/territory.json"), "/epsg");
  write(d / "s.json", R"({"territory":""})");
  expect_clean_error(avipsim_in(d, "check s.json"), "/territory");
  write(d / "s2.json", R"({"territory":"mini"})");
  expect_clean_error(avipsim_in(d, "check s2.json"), "is a folder");
}
