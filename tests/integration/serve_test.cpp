// The map editor's server (`avipsim serve`, serve/) through the binary, on the mini territory: every
// endpoint of its API, bad input answered 4xx with a message and never a crash, a run that completes
// with its outputs downloadable, a cancelled run and a stopped server that leave no folder behind.

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include "../skip.hpp"
#include "harness.hpp"

#ifdef AVIP_WITH_SERVE
#include <httplib.h>
#endif

namespace fs = std::filesystem;
using json = nlohmann::json;

using avip::test::mini_workspace;
using avip::test::slurp;

#ifdef AVIP_WITH_SERVE
namespace {

/// Folders whose name starts with a dot under `dir`: staging folders left behind.
std::vector<std::string> hidden_folders(fs::path const& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto const& e : fs::directory_iterator{dir, ec}) {
    if (e.path().filename().string().front() == '.') {
      out.push_back(e.path().filename().string());
    }
  }
  return out;
}

/// `avipsim serve base.json --port 0 --out runs` in a copy of the mini territory, stopped (SIGTERM) when
/// it goes out of scope. `setup` may change the workspace (its folder given) before the server starts.
class server {
 public:
  explicit server(std::string const& name, std::function<void(fs::path const&)> const& setup = {})
      : dir_{mini_workspace("serve", name)} {
    std::ofstream{dir_ / "base.json"}
        << R"({"name": "Mini base", "territory": "mini/territory.json", "replications": 4, "seed": 7})";
    if (setup) {
      setup(dir_);
    }
    auto const log = dir_ / "log";
    pid_ = fork();
    if (pid_ == 0) {
      if (::chdir(dir_.c_str()) != 0) {
        ::_exit(126);
      }
      int const fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      char const* argv[] = {AVIPSIM_EXE, "serve", "base.json", "--port", "0", "--out", "runs", nullptr};
      ::execv(AVIPSIM_EXE, const_cast<char**>(argv));
      ::_exit(127);
    }
    static std::regex const url{R"(http://127\.0\.0\.1:(\d+)/)"};
    for (int i = 0; i < 600 && port_ == 0; ++i) {
      std::smatch m;
      auto const text = slurp(log);
      if (std::regex_search(text, m, url)) {
        port_ = std::stoi(m[1]);
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  }
  server(server const&) = delete;
  server& operator=(server const&) = delete;
  ~server() {
    stop();
    fs::remove_all(dir_);
  }

  /// SIGTERM; returns the exit status as the shell shows it (128 + signal when killed by it).
  int stop() {
    if (pid_ <= 0) {
      return 0;
    }
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] fs::path const& dir() const { return dir_; }
  [[nodiscard]] fs::path runs() const { return dir_ / "runs"; }
  [[nodiscard]] std::string log() const { return slurp(dir_ / "log"); }

  [[nodiscard]] httplib::Result get(std::string const& path, httplib::Headers const& headers = {}) const {
    httplib::Client c{"127.0.0.1", port_};
    c.set_read_timeout(60, 0);
    return c.Get(path, headers);
  }
  [[nodiscard]] httplib::Result post(std::string const& path, std::string const& body,
                                     std::string const& type = "application/json") const {
    httplib::Client c{"127.0.0.1", port_};
    c.set_read_timeout(60, 0);
    return c.Post(path, body, type);
  }

  /// Polls a run until it is no longer queued or running (at most `seconds`); returns its JSON.
  [[nodiscard]] json wait(std::string const& id, int seconds = 120) const {
    json j;
    for (int i = 0; i < seconds * 10; ++i) {
      auto r = get("/api/runs/" + id);
      REQUIRE(r);
      j = json::parse(r->body);
      if (j["state"] != "queued" && j["state"] != "running") {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return j;
  }

 private:
  fs::path dir_;
  pid_t pid_{0};
  int port_{0};
};

/// A 4xx answer with a JSON message.
void check_refused(httplib::Result const& r, int status, std::string const& contains = {}) {
  REQUIRE(r);
  INFO(r->status << " " << r->body);
  CHECK(r->status == status);
  auto const j = json::parse(r->body);
  CHECK(j.contains("error"));
  CHECK(!j["error"].get<std::string>().empty());
  if (!contains.empty()) {
    CHECK_THAT(r->body, Catch::Contains(contains));
  }
}

std::string const kLabel =
    R"({"name": "Beta labellisée", "base": "base.json", "replications": 4,
        "edits": [{"type": "label", "select": {"ids": ["mc-beta"]}}]})";

}  // namespace
#endif

TEST_CASE("serve: the page carries its own map library and the API describes the territory", "[cli][serve]") {
#ifndef AVIP_WITH_SERVE
  AVIP_SKIP("avipsim was built without the map editor (cpp-httplib or Leaflet not found)");
#else
  server s{"page"};
  INFO(s.log());
  REQUIRE(s.port() > 0);
  auto const page = s.get("/");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK_THAT(page->body, Catch::Contains("/leaflet/leaflet.js") && Catch::Contains("/editor.js"));
  CHECK_THAT(page->body, !Catch::Contains("unpkg") && !Catch::Contains("cdn"));
  for (auto const* asset : {"/leaflet/leaflet.js", "/leaflet/leaflet.css", "/editor.js", "/editor.css",
                            "/leaflet/images/layers.png"}) {
    auto const r = s.get(asset);
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body.size() > 100);
  }
  CHECK_THAT(s.get("/leaflet/leaflet.js")->get_header_value("Content-Type"),
             Catch::StartsWith("text/javascript"));

  auto const info = json::parse(s.get("/api/info")->body);
  CHECK(info["territoire"] == "Mini-territoire (test)");
  CHECK(info["base"]["file"] == "base.json");
  CHECK(info["document"]["base"] == "base.json");
  CHECK(info["document"]["edits"].empty());
  CHECK(info["gtfs"] == false);

  auto const facilities = json::parse(s.get("/api/layers/facilities")->body);
  CHECK(facilities["type"] == "FeatureCollection");
  REQUIRE(facilities["features"].size() == 4);
  for (auto const& f : facilities["features"]) {
    auto const& c = f["geometry"]["coordinates"];
    CHECK(c[0].get<double>() > 2.9);  // WGS84 longitude and latitude of the mini territory
    CHECK(c[1].get<double>() > 45.6);
    CHECK(f["properties"].contains("horaires"));
  }
  auto const communes = json::parse(s.get("/api/layers/communes")->body);
  CHECK(communes["features"].size() >= 2);
  CHECK(json::parse(s.get("/api/layers/qpv")->body)["type"] == "FeatureCollection");
  CHECK(json::parse(s.get("/api/layers/bus_lines")->body)["features"].empty());
  check_refused(s.get("/api/layers/zones?window=weekday"), 404, "GTFS");
  check_refused(s.get("/api/layers/zones?window=midnight"), 400, "window");
  check_refused(s.get("/api/layers/roads"), 404);

  auto const hours = s.post("/api/hours", R"({"hours": "Mo-Fr 07:00-19:00; Sa 08:00-12:00"})");
  REQUIRE(hours);
  CHECK(hours->status == 200);
  CHECK(json::parse(hours->body)["ok"] == true);
  auto const bad_hours = s.post("/api/hours", R"({"hours": "Mo-Fr sunrise-19:00"})");
  REQUIRE(bad_hours);
  CHECK(bad_hours->status == 422);
  CHECK_THAT(bad_hours->body, Catch::Contains("sunrise"));

  auto const checked = s.post("/api/check", kLabel);
  REQUIRE(checked);
  INFO(checked->body);
  CHECK(checked->status == 200);
  auto const c = json::parse(checked->body);
  CHECK(c["labelled"] == 2);
  CHECK(c["facilities"] == 4);
  CHECK(c["edits"] == 1);
  CHECK(json::parse(s.get("/api/runs")->body).empty());
  // A second server on the same port is refused (it would otherwise share the connections).
  auto const second =
      avip::test::shell("cd '" + s.dir().string() + "' && timeout 60 '" + AVIPSIM_EXE +
                        "' serve base.json --port " + std::to_string(s.port()) + " --out runs2");
  CHECK(second.code == 2);
  CHECK_THAT(second.output, Catch::Contains("cannot listen"));
  CHECK(hidden_folders(s.dir() / "runs2").empty());  // its drafts' folder went with it
  // Nothing but the drafts' own staging folder (removed on stop) is written before a run.
  CHECK(s.stop() == 128 + SIGTERM);
  CHECK(hidden_folders(s.runs()).empty());
#endif
}

TEST_CASE("serve: bad input is answered 4xx with a message, never a crash", "[cli][serve]") {
#ifndef AVIP_WITH_SERVE
  AVIP_SKIP("avipsim was built without the map editor (cpp-httplib or Leaflet not found)");
#else
  server s{"bad"};
  INFO(s.log());
  REQUIRE(s.port() > 0);
  // Malformed JSON, wrong types, no JSON content type, an oversized body.
  check_refused(s.post("/api/check", R"({"base": "base.json",)"), 400, "malformed JSON");
  check_refused(s.post("/api/runs", "not json at all"), 400, "malformed JSON");
  check_refused(s.post("/api/hours", R"({"hours": 7})"), 400);
  check_refused(s.post("/api/hours", "[1, 2"), 400);
  check_refused(s.post("/api/check", "{}", "text/plain"), 415);
  check_refused(s.post("/api/check", std::string(2U << 20U, ' ')), 413, "too large");
  // A scenario the simulator refuses: each problem at its JSON pointer.
  auto const unknown = s.post(
      "/api/runs", R"({"base": "base.json", "edits": [{"type": "label", "select": {"ids": ["nope"]}}]})");
  check_refused(unknown, 422);
  auto const problems = json::parse(unknown->body)["problems"];
  REQUIRE(problems.size() == 1);
  CHECK(problems[0]["pointer"] == "/edits/0/select/ids");
  CHECK_THAT(problems[0]["message"].get<std::string>(), Catch::Contains("nope"));
  auto const range =
      s.post("/api/check", R"({"base": "base.json", "replications": 0, "params": {"policy": "random"}})");
  check_refused(range, 422);
  CHECK_THAT(range->body, Catch::Contains("/replications") && Catch::Contains("/params/policy"));
  CHECK_THAT(range->body, !Catch::Contains(s.dir().string()));  // the server's paths are not shown
  check_refused(s.post("/api/check", "[1, 2]"), 422);
  auto const many = s.post("/api/runs", R"({"base": "base.json", "replications": 5001})");
  check_refused(many, 422);
  CHECK_THAT(many->body, Catch::Contains("/replications") && Catch::Contains("avipsim run"));
  // Files the page may not make the server read.
  auto const files = s.post("/api/check", R"({"base": "../../etc/passwd", "territory": "/etc",
      "edits": [{"type": "add_facilities", "file": "/etc/passwd"}]})");
  check_refused(files, 422);
  CHECK_THAT(files->body, Catch::Contains("\"/base\"") && Catch::Contains("\"/territory\"") &&
                              Catch::Contains("\"/edits/0/file\""));
  CHECK_THAT(files->body, !Catch::Contains("root:"));
  // Path traversal and ids the server did not make.
  for (auto const* path :
       {"/runs/../../etc/passwd", "/runs/%2e%2e/%2e%2e/etc/passwd", "/runs/run-001/..%2f..%2fbase.json",
        "/runs/run-001/.avipsim-output", "/runs/run-001/%2e%2e/base.json", "/runs/..%2f..%2fetc/passwd",
        "/runs/run-001//etc/passwd"}) {
    INFO(path);
    auto const r = s.get(path);
    REQUIRE(r);
    CHECK(r->status >= 400);
    CHECK(r->status < 500);
    CHECK_THAT(r->body, !Catch::Contains("root:") && !Catch::Contains("Mini base"));
  }
  check_refused(s.get("/runs/run-001/summary.json"), 404, "run-001");
  check_refused(s.get("/api/runs/run-042"), 404, "run-042");
  check_refused(s.get("/api/runs/..%2f..%2fetc"), 404);
  check_refused(s.post("/api/runs/run-042/cancel", "{}"), 404);
  check_refused(s.post("/api/runs/%2e%2e/cancel", "{}"), 400);
  check_refused(s.get("/api/compare?a=run-001&b=../x"), 400);
  check_refused(s.get("/api/compare?a=run-001&b=run-002"), 400, "run-001");
  check_refused(s.get("/etc/passwd"), 404);
  // A page of another site (DNS rebinding) is refused.
  check_refused(s.get("/api/info", {{"Host", "attacker.example:80"}}), 403, "loopback");
  // Still serving.
  auto const info = s.get("/api/info");
  REQUIRE(info);
  CHECK(info->status == 200);
  CHECK(s.stop() == 128 + SIGTERM);
#endif
}

TEST_CASE("serve: a run completes, is compared with the base, and its outputs download", "[cli][serve]") {
#ifndef AVIP_WITH_SERVE
  AVIP_SKIP("avipsim was built without the map editor (cpp-httplib or Leaflet not found)");
#else
  server s{"run"};
  INFO(s.log());
  REQUIRE(s.port() > 0);
  auto const posted = s.post("/api/runs", kLabel);
  REQUIRE(posted);
  CHECK(posted->status == 202);
  auto const id = json::parse(posted->body)["id"].get<std::string>();
  CHECK(id == "run-001");
  auto const run = s.wait(id);
  INFO(run.dump());
  REQUIRE(run["state"] == "done");
  CHECK(run["progress"] == 1.0);
  auto const& summary = run["summary"];
  CHECK(summary["headline"]["replications"] == 4);
  CHECK(summary["headline"]["seed"] == 7);
  CHECK(summary["base_name"] == "Mini base");
  for (auto const* key : {"matched", "priority_matched", "coverage", "priority_coverage"}) {
    auto const& d = summary["delta"][key];
    CHECK(d["lo"].get<double>() <= d["mean"].get<double>() + 1e-12);
    CHECK(d["mean"].get<double>() <= d["hi"].get<double>() + 1e-12);
  }
  // The delta is the paired difference of the two runs' means.
  CHECK(summary["delta"]["matched"]["mean"].get<double>() ==
        Approx(summary["headline"]["matched"]["mean"].get<double>() -
               summary["base"]["matched"]["mean"].get<double>()));
  CHECK(summary["delta"].contains("cost_per_additional_priority_family"));
  CHECK(run["scenario"] == json::parse(kLabel));

  auto const folder = s.runs() / id;
  std::vector<std::string> const files = run["files"];
  for (auto const* f : {"summary.json", "results.gpkg", "report.html", "communes.geojson", "carreaux.geojson",
                        "structures.geojson", "indicateurs.csv", "scenario.json",
                        "comparaison/comparison.json", "comparaison/report.html"}) {
    INFO(f);
    CHECK(std::find(files.begin(), files.end(), f) != files.end());
    auto const r = s.get("/runs/" + id + "/" + f);
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body == slurp(folder / f));
  }
  CHECK_THAT(s.get("/runs/" + id + "/results.gpkg")->get_header_value("Content-Type"),
             Catch::Contains("geopackage"));
  CHECK(json::parse(slurp(folder / "scenario.json")) == json::parse(kLabel));
  auto const on_disk = json::parse(slurp(folder / "summary.json"));
  CHECK(on_disk["indicators"]["territory"]["coverage"]["mean"].get<double>() ==
        Approx(summary["headline"]["coverage"]["mean"].get<double>()).epsilon(1e-12));
  // Runs listed, compared two by two (a run with itself: exactly zero).
  auto const list = json::parse(s.get("/api/runs")->body);
  REQUIRE(list.size() == 1);
  CHECK(list[0]["id"] == id);
  auto const self = s.get("/api/compare?a=" + id + "&b=" + id);
  REQUIRE(self);
  CHECK(self->status == 200);
  CHECK(json::parse(self->body)["delta"]["priority_matched"]["mean"] == 0.0);
  // A second run on other draws cannot be compared with the first.
  auto const other = json::parse(kLabel);
  auto second = other;
  second["seed"] = 8;
  auto const p2 = s.post("/api/runs", second.dump());
  REQUIRE(p2);
  auto const id2 = json::parse(p2->body)["id"].get<std::string>();
  CHECK(s.wait(id2)["state"] == "done");
  check_refused(s.get("/api/compare?a=" + id + "&b=" + id2), 400, "seed");
  CHECK(s.stop() == 128 + SIGTERM);
  CHECK(hidden_folders(s.runs()).empty());
  CHECK(fs::exists(s.runs() / id / "summary.json"));
  CHECK(fs::exists(s.runs() / id2 / "summary.json"));
#endif
}

TEST_CASE("serve: a cancelled run and a stopped server leave no folder", "[cli][serve]") {
#ifndef AVIP_WITH_SERVE
  AVIP_SKIP("avipsim was built without the map editor (cpp-httplib or Leaflet not found)");
#else
  server s{"cancel"};
  INFO(s.log());
  REQUIRE(s.port() > 0);
  auto long_run = json::parse(kLabel);
  long_run["replications"] = 3000;
  auto const first = json::parse(s.post("/api/runs", long_run.dump())->body)["id"].get<std::string>();
  auto const second = json::parse(s.post("/api/runs", kLabel)->body)["id"].get<std::string>();
  // The queue runs one at a time on this machine's cores or fewer: the second waits, and the server
  // answers meanwhile.
  auto const waiting = json::parse(s.get("/api/runs/" + second)->body);
  CHECK((waiting["state"] == "queued" || waiting["state"] == "running"));
  REQUIRE(s.post("/api/runs/" + second + "/cancel", "{}")->status == 200);
  REQUIRE(s.post("/api/runs/" + first + "/cancel", "{}")->status == 200);
  auto const a = s.wait(first, 300);
  auto const b = s.wait(second);
  INFO(a.dump() << "\n" << b.dump());
  CHECK(a["state"] == "cancelled");
  CHECK(b["state"] == "cancelled");
  CHECK(!fs::exists(s.runs() / first));
  CHECK(!fs::exists(s.runs() / second));
  check_refused(s.get("/runs/" + first + "/summary.json"), 404);
  auto const staging = hidden_folders(s.runs());
  CHECK(staging.size() == 1);  // the drafts' folder only, while the server runs
  // SIGTERM during a run: its staging folder (seen while it runs) goes with the server.
  long_run["replications"] = 5000;
  auto const third = json::parse(s.post("/api/runs", long_run.dump())->body)["id"].get<std::string>();
  bool staged = false;
  for (int i = 0; i < 1000 && !staged; ++i) {
    for (auto const& f : hidden_folders(s.runs())) {
      staged = staged || f.rfind("." + third + ".tmp-", 0) == 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(staged);
  CHECK(json::parse(s.get("/api/runs/" + third)->body)["state"] == "running");
  CHECK(s.stop() == 128 + SIGTERM);
  CHECK(hidden_folders(s.runs()).empty());
  CHECK(!fs::exists(s.runs() / third));
#endif
}

TEST_CASE("serve: cancel interrupts a running simulation, whose progress counts its replications",
          "[cli][serve]") {
#ifndef AVIP_WITH_SERVE
  AVIP_SKIP("avipsim was built without the map editor (cpp-httplib or Leaflet not found)");
#else
  // The mini territory with 3,000 families (its 6, repeated a few metres apart, all referred) and five
  // years simulated: 5,000 replications of the base take several seconds.
  server s{"cancel_midway", [](fs::path const& dir) {
             auto families = avip::test::load_json(dir / "mini" / "families.geojson");
             auto const six = families["features"];
             families["features"] = json::array();
             for (int i = 0; i < 3000; ++i) {
               auto f = six[static_cast<std::size_t>(i) % six.size()];
               f["properties"]["id"] = "g" + std::to_string(i);
               f["properties"]["referral_month"] = i % 12;
               f["geometry"]["coordinates"][0] =
                   f["geometry"]["coordinates"][0].get<double>() + (i % 100 - 50) * 1e-5;
               f["geometry"]["coordinates"][1] =
                   f["geometry"]["coordinates"][1].get<double>() + (i % 70 - 35) * 1e-5;
               families["features"].push_back(f);
             }
             std::ofstream{dir / "mini" / "families.geojson"} << families.dump();
           }};
  INFO(s.log());
  REQUIRE(s.port() > 0);
  auto doc = json::parse(kLabel);
  doc["replications"] = 5000;
  doc["edits"].push_back({{"type", "params"}, {"params", {{"horizon_months", 60}, {"warmup_months", 60}}}});
  auto const posted = s.post("/api/runs", doc.dump());
  REQUIRE(posted);
  INFO(posted->body);
  REQUIRE(posted->status == 202);
  auto const id = json::parse(posted->body)["id"].get<std::string>();
  // The bar moves with the replications done: wait until the base's simulation is under way.
  json seen;
  for (int i = 0; i < 1200; ++i) {
    seen = json::parse(s.get("/api/runs/" + id)->body);
    double const progress = seen["progress"];
    if (seen["state"] != "running" && seen["state"] != "queued") {
      break;
    }
    if (seen["phase"] == "Simulation du scénario de base" && progress > 0.3 && progress < 0.55) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  INFO(seen.dump());
  REQUIRE(seen["state"] == "running");
  REQUIRE(seen["phase"] == "Simulation du scénario de base");
  auto const asked = std::chrono::steady_clock::now();
  REQUIRE(s.post("/api/runs/" + id + "/cancel", "{}")->status == 200);
  json after;
  for (int i = 0; i < 600; ++i) {
    after = json::parse(s.get("/api/runs/" + id)->body);
    if (after["state"] != "running") {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  double const latency = std::chrono::duration<double>(std::chrono::steady_clock::now() - asked).count();
  INFO(after.dump() << "\ncancelled after " << latency << " s");
  CHECK(after["state"] == "cancelled");
  // Within a month of one replication, not at the end of the 5,000 (several seconds): a generous bound
  // for a loaded machine.
  CHECK(latency < 3.0);
  CHECK(!fs::exists(s.runs() / id));
  CHECK(hidden_folders(s.runs()).size() == 1);  // the drafts' folder only
  // The server still runs: the next run completes.
  auto const next = json::parse(s.post("/api/runs", kLabel)->body)["id"].get<std::string>();
  CHECK(s.wait(next)["state"] == "done");
#endif
}
