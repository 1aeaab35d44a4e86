#pragma once
// What every end-to-end test needs to run the avipsim executable: a shell command with its exit code and
// output, a fresh scratch folder, paths into the source tree, small files written by the test.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <string>

#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

namespace avip::test {

namespace fs = std::filesystem;

/// A finished command: its exit code (-1 when it ended by a signal) and its standard output and error.
struct result {
  int code;
  std::string output;
};

/// Runs `command` through the shell, standard error merged into the output.
inline result shell(std::string const& command) {
  std::string out;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) {
    return {-1, "popen failed"};
  }
  char buf[4096];
  while (fgets(buf, sizeof buf, pipe) != nullptr) {
    out += buf;
  }
  int const status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

/// Runs avipsim with `args` (already quoted for the shell) from the current folder.
inline result avipsim(std::string const& args) {
  return shell("'" + std::string{AVIPSIM_EXE} + "' " + args);
}

/// Runs avipsim with `args` from the folder `cwd`.
inline result avipsim_in(fs::path const& cwd, std::string const& args) {
  return shell("cd '" + cwd.string() + "' && '" + std::string{AVIPSIM_EXE} + "' " + args);
}

/// A path in the source tree, e.g. src("tests/data/mini/territory.json").
inline std::string src(std::string const& p) {
  return std::string{AVIP_SOURCE_DIR} + "/" + p;
}

/// A scratch path unique to this process and `name` (`prefix` tells the test file), removed if present.
inline fs::path temp(std::string const& prefix, std::string const& name) {
  auto d = fs::temp_directory_path() / ("avip_" + prefix + "_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  return d;
}

/// temp(prefix, name), created (empty).
inline fs::path temp_folder(std::string const& prefix, std::string const& name) {
  auto d = temp(prefix, name);
  fs::create_directories(d);
  return d;
}

/// A fresh folder holding a copy of the mini territory (tests/data/mini) in `<folder>/mini`.
inline fs::path mini_workspace(std::string const& prefix, std::string const& name) {
  auto d = temp(prefix, name);
  fs::create_directories(d / "mini");
  for (auto const& e : fs::directory_iterator{fs::path{AVIP_SOURCE_DIR} / "tests/data/mini"}) {
    if (e.is_regular_file()) {
      fs::copy_file(e.path(), d / "mini" / e.path().filename());
    }
  }
  return d;
}

inline void write(fs::path const& f, std::string const& text) {
  std::ofstream{f, std::ios::binary} << text;
}

/// The bytes of a file (empty when it cannot be read).
inline std::string slurp(fs::path const& f) {
  std::ifstream in{f, std::ios::binary};
  return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

inline nlohmann::json load_json(fs::path const& f) {
  std::ifstream in{f};
  return nlohmann::json::parse(in);
}

/// The JSON without the keys that depend on the machine (times, thread and rank counts), at any depth:
/// two runs that must agree are compared on what is left.
inline nlohmann::json without_machine_keys(nlohmann::json j,
                                           std::initializer_list<char const*> keys = {
                                               "elapsed_seconds", "cpu_seconds", "seconds", "build_seconds",
                                               "timings", "threads", "mpi_ranks"}) {
  if (j.is_object()) {
    for (char const* k : keys) {
      j.erase(k);
    }
    for (auto& [key, value] : j.items()) {
      value = without_machine_keys(value, keys);
    }
  } else if (j.is_array()) {
    for (auto& v : j) {
      v = without_machine_keys(v, keys);
    }
  }
  return j;
}

}  // namespace avip::test
