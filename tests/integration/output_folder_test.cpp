// The output folder (app/output_folder.hpp) through the binary: nothing a user had is ever deleted or
// replaced, concurrent and interrupted runs leave no trace but one complete output, and a bad --out is
// refused before the run. Also the checked, atomic writes (core/atomic_file.hpp) and the comparison's
// file names.

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "harness.hpp"

namespace fs = std::filesystem;

using avip::test::avipsim;
using avip::test::result;
using avip::test::slurp;
using avip::test::temp_folder;

namespace {

/// Starts avipsim in the background (output to `log`); returns its pid.
pid_t spawn(std::vector<std::string> args, fs::path const& log) {
  pid_t const pid = fork();
  if (pid == 0) {
    int const fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::vector<char*> argv{const_cast<char*>(AVIPSIM_EXE)};
    for (auto& a : args) {
      argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    ::execv(AVIPSIM_EXE, argv.data());
    ::_exit(127);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/// A scenario of the mini territory in `dir` (replications: enough to last a moment when many).
fs::path mini_scenario(fs::path const& dir, int replications, std::string const& file = "s.json",
                       std::string const& name = "mini") {
  auto const f = dir / file;
  std::ofstream{f} << R"({"name": ")" << name << R"(", "territory": ")" << AVIP_SOURCE_DIR
                   << R"(/tests/data/mini/territory.json", "replications": )" << replications << "}";
  return f;
}

/// Staging folders of `target` left in its parent.
std::vector<fs::path> staging_left(fs::path const& target) {
  std::vector<fs::path> out;
  auto const prefix = "." + target.filename().string() + ".tmp-";
  for (auto const& e : fs::directory_iterator{target.parent_path()}) {
    if (e.path().filename().string().rfind(prefix, 0) == 0) {
      out.push_back(e.path());
    }
  }
  return out;
}

bool wait_for_staging(fs::path const& target) {
  for (int i = 0; i < 600; ++i) {
    if (!staging_left(target).empty()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace

TEST_CASE("output folder: synth --out refuses a non-empty folder, and --force one avipsim did not write",
          "[cli][output]") {
  auto const d = temp_folder("out", "synth");
  fs::create_directories(d / "mine");
  std::ofstream{d / "mine" / "notes.txt"} << "my notes";
  auto const territory = std::string{AVIP_SOURCE_DIR} + "/data/reunion/territory.json";
  auto const r = avipsim("synth --territory " + territory + " --out " + (d / "mine").string());
  INFO(r.output);
  CHECK(r.code == 2);
  CHECK_THAT(r.output, Catch::Contains("not empty") && Catch::Contains("--force"));
  auto const f = avipsim("synth --territory " + territory + " --out " + (d / "mine").string() + " --force");
  INFO(f.output);
  CHECK(f.code == 2);
  CHECK_THAT(f.output, Catch::Contains("avipsim wrote"));
  CHECK(slurp(d / "mine" / "notes.txt") == "my notes");
  CHECK(staging_left(d / "mine").empty());
  fs::remove_all(d);
}

TEST_CASE("output folder: run --force replaces an earlier output only, never a planner's folder",
          "[cli][output]") {
  auto const d = temp_folder("out", "force");
  auto const s = mini_scenario(d, 2);
  fs::create_directories(d / "documents");
  std::ofstream{d / "documents" / "budget.ods"} << "precious";
  auto const r = avipsim("run " + s.string() + " --out " + (d / "documents").string() + " --force --quiet");
  INFO(r.output);
  CHECK(r.code == 2);
  CHECK_THAT(r.output, Catch::Contains("avipsim wrote"));
  CHECK(slurp(d / "documents" / "budget.ods") == "precious");
  // An earlier output is replaced.
  REQUIRE(avipsim("run " + s.string() + " --out " + (d / "r").string() + " --seed 1 --quiet").code == 0);
  CHECK(fs::exists(d / "r" / ".avipsim-output"));
  auto const again =
      avipsim("run " + s.string() + " --out " + (d / "r").string() + " --seed 2 --force --quiet");
  INFO(again.output);
  CHECK(again.code == 0);
  std::ifstream in{d / "r" / "summary.json"};
  CHECK(nlohmann::json::parse(in)["seed"] == 2);
  fs::remove_all(d);
}

TEST_CASE("output folder: a folder created at --out during the run is never deleted", "[cli][output]") {
  auto const d = temp_folder("out", "during");
  auto const s = mini_scenario(d, 3000);
  auto const target = d / "out";
  auto const pid = spawn({"run", s.string(), "--out", target.string(), "--quiet"}, d / "log");
  REQUIRE(wait_for_staging(target));
  fs::create_directories(target);
  std::ofstream{target / "theirs.txt"} << "written meanwhile";
  int const code = wait_exit(pid);
  INFO(slurp(d / "log"));
  CHECK(code == 2);
  CHECK_THAT(slurp(d / "log"), Catch::Contains("during the run"));
  CHECK(slurp(target / "theirs.txt") == "written meanwhile");
  CHECK_FALSE(fs::exists(target / "summary.json"));
  CHECK(staging_left(target).empty());
  fs::remove_all(d);
}

TEST_CASE("output folder: of three concurrent runs to one --out, one succeeds and the others say why",
          "[cli][output]") {
  auto const d = temp_folder("out", "concurrent");
  auto const s = mini_scenario(d, 20);
  auto const target = d / "out";
  std::vector<pid_t> pids;
  for (int k = 0; k < 3; ++k) {
    pids.push_back(
        spawn({"run", s.string(), "--out", target.string(), "--quiet", "--seed", std::to_string(k)},
              d / ("log" + std::to_string(k))));
  }
  int ok = 0;
  for (int k = 0; k < 3; ++k) {
    int const code = wait_exit(pids[static_cast<std::size_t>(k)]);
    auto const log = slurp(d / ("log" + std::to_string(k)));
    INFO(log);
    CHECK((code == 0 || code == 2));
    if (code == 0) {
      ++ok;
    } else {
      CHECK_THAT(log, Catch::Contains("during the run") || Catch::Contains("not empty"));
    }
  }
  CHECK(ok == 1);
  CHECK(fs::exists(target / "summary.json"));
  CHECK(staging_left(target).empty());
  fs::remove_all(d);
}

TEST_CASE("output folder: --out with a trailing slash works", "[cli][output]") {
  auto const d = temp_folder("out", "slash");
  auto const s = mini_scenario(d, 2);
  auto const r = avipsim("run " + s.string() + " --out " + (d / "r3").string() + "/ --quiet");
  INFO(r.output);
  CHECK(r.code == 0);
  CHECK(fs::exists(d / "r3" / "summary.json"));
  CHECK(staging_left(d / "r3").empty());
  fs::remove_all(d);
}

TEST_CASE("output folder: --out that is a file, under a file or unwritable: one usage error before the run",
          "[cli][output]") {
  auto const d = temp_folder("out", "badout");
  auto const s = mini_scenario(d, 100000);  // would take long: the refusal must come first
  std::ofstream{d / "file"} << "x";
  for (auto const& [out, says] : std::vector<std::pair<std::string, std::string>>{
           {(d / "file").string(), "not a folder"},
           {(d / "file" / "sub").string(), "is a file"},
           {"/proc/avipsim_no_such_place/out", "cannot be created"}}) {
    auto const t0 = std::chrono::steady_clock::now();
    auto const r = avipsim("run " + s.string() + " --out " + out + " --quiet");
    INFO(out << ": " << r.output);
    CHECK(r.code == 2);
    CHECK_THAT(r.output, Catch::Contains(says) && !Catch::Contains("internal error"));
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(20));
  }
  CHECK(slurp(d / "file") == "x");
  fs::remove_all(d);
}

TEST_CASE("output folder: an invalid scenario creates no folder", "[cli][output]") {
  auto const d = temp_folder("out", "invalid");
  std::ofstream{d / "bad.json"} << R"({"territory": "nowhere.json", "replicationz": 3})";
  auto const r = avipsim("run " + (d / "bad.json").string() + " --out " + (d / "a" / "b" / "c").string());
  INFO(r.output);
  CHECK(r.code == 1);
  CHECK_FALSE(fs::exists(d / "a"));
  auto const c = avipsim("compare " + (d / "bad.json").string() + " --out " + (d / "x" / "y").string());
  CHECK(c.code == 1);
  CHECK_FALSE(fs::exists(d / "x"));
  fs::remove_all(d);
}

TEST_CASE("output folder: an interrupted run removes its staging folder, a stale one of a dead run goes next",
          "[cli][output]") {
  auto const d = temp_folder("out", "interrupt");
  auto const s = mini_scenario(d, 2000);
  auto const target = d / "out";
  auto const pid = spawn({"run", s.string(), "--out", target.string(), "--quiet"}, d / "log");
  REQUIRE(wait_for_staging(target));
  ::kill(pid, SIGINT);
  CHECK(wait_exit(pid) == 128 + SIGINT);
  CHECK(staging_left(target).empty());
  CHECK_FALSE(fs::exists(target));

  // A staging folder of a dead avipsim process (its pid inside) is removed by the next run to that
  // --out; a folder that merely looks like one is left alone.
  pid_t const dead = fork();
  if (dead == 0) {
    ::_exit(0);
  }
  wait_exit(dead);
  auto const stale = d / (".out.tmp-" + std::to_string(dead) + "-0");
  fs::create_directories(stale);
  std::ofstream{stale / ".avipsim-staging"} << dead << "\n";
  auto const lookalike = d / (".out.tmp-" + std::to_string(dead) + "-1");
  fs::create_directories(lookalike);
  std::ofstream{lookalike / "mine.txt"} << "mine";
  auto const r = avipsim("run " + mini_scenario(d, 2).string() + " --out " + target.string() + " --quiet");
  INFO(r.output);
  CHECK(r.code == 0);
  CHECK_FALSE(fs::exists(stale));
  CHECK(fs::exists(lookalike / "mine.txt"));
  fs::remove_all(d);
}

TEST_CASE("atomic writes: a failed write is a data error naming the file, and leaves nothing",
          "[cli][output]") {
  auto const d = temp_folder("out", "atomic");
  avip::write_file_atomically(d / "a.txt", "one");
  avip::write_file_atomically(d / "a.txt", "two");
  CHECK(slurp(d / "a.txt") == "two");
  CHECK_THROWS_AS(avip::write_file_atomically(d / "missing" / "b.txt", "x"), avip::data_error);
  CHECK_THROWS_WITH(avip::write_file_atomically(d / "missing" / "b.txt", "x"), Catch::Contains("b.txt"));
  CHECK_THROWS_WITH(avip::write_file_atomically("/proc/avipsim.txt", "x"),
                    Catch::Contains("/proc/avipsim.txt"));
  // A writer that throws midway leaves the old file and no temporary one.
  CHECK_THROWS(avip::write_file_atomically(d / "a.txt", [](std::ostream& out) {
    out << "half";
    throw avip::data_error{"stop"};
  }));
  CHECK(slurp(d / "a.txt") == "two");
  CHECK(std::distance(fs::directory_iterator{d}, fs::directory_iterator{}) == 1);
  fs::remove_all(d);
}

TEST_CASE("comparison: file names keep the scenario file's name, accents transliterated", "[cli][output]") {
  auto const d = temp_folder("out", "names");
  auto const a = mini_scenario(d, 3, "base.json", "base");
  auto const b = mini_scenario(d, 3, "réseaux de l'Est labellisés.json", "Réseaux de l'Est labellisés");
  auto const r =
      avipsim("compare " + a.string() + " \"" + b.string() + "\" --out " + (d / "c").string() + " --quiet");
  INFO(r.output);
  REQUIRE(r.code == 0);
  CHECK(fs::exists(d / "c" / "ecarts_communes_reseaux_de_l_est_labellises.geojson"));
  for (auto const& e : fs::directory_iterator{d / "c"}) {
    CHECK(e.path().filename().string().find("__") == std::string::npos);
  }
  std::ifstream in{d / "c" / "comparison.json"};
  CHECK(nlohmann::json::parse(in)["scenarios"][1].contains("territory"));
  fs::remove_all(d);
}
