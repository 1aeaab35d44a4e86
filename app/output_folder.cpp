#include "app/output_folder.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string_view>
#include <system_error>
#include <thread>

#include <fmt/format.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace avip::app {

namespace fs = std::filesystem;

namespace {

/// Inside a staging folder until it is committed: the pid of the avipsim process that owns it.
constexpr char const* kStagingMarker = ".avipsim-staging";

/// The staging folders in progress, removed by the interrupt watcher.
std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}
std::vector<fs::path>& registry() {
  static std::vector<fs::path> r;
  return r;
}

void unregister(fs::path const& p) {
  auto& r = registry();
  std::erase(r, p);
}

fs::path parent_of(fs::path const& p) {
  return p.has_parent_path() ? p.parent_path() : fs::path{"."};
}

fs::file_type type_of(fs::path const& p) {
  std::error_code ec;
  return fs::symlink_status(p, ec).type();
}

bool is_empty_folder(fs::path const& p) {
  std::error_code ec;
  return fs::is_empty(p, ec) && !ec;
}

/// The nearest existing ancestor of `p` (p itself when it exists).
fs::path nearest_existing(fs::path p) {
  p = fs::absolute(p);
  while (type_of(p) == fs::file_type::not_found && p.has_relative_path()) {
    p = p.parent_path();
  }
  return p;
}

bool process_alive(long pid) {
  return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH);
}

/// `.NAME.tmp-PID-N` of a dead avipsim process (it holds kStagingMarker): removed. Anything else that
/// merely looks like one is left alone.
void remove_stale_staging(fs::path const& parent, std::string const& name) {
  auto const prefix = fmt::format(".{}.tmp-", name);
  std::error_code ec;
  for (auto const& e : fs::directory_iterator{parent, ec}) {
    auto const n = e.path().filename().string();
    if (n.rfind(prefix, 0) != 0 || type_of(e.path()) != fs::file_type::directory ||
        type_of(e.path() / kStagingMarker) != fs::file_type::regular) {
      continue;
    }
    char* end = nullptr;
    long const pid = std::strtol(n.c_str() + prefix.size(), &end, 10);
    if (end == n.c_str() + prefix.size() || *end != '-' || process_alive(pid)) {
      continue;
    }
    std::error_code rm;
    fs::remove_all(e.path(), rm);
  }
}

}  // namespace

fs::path output_path(std::string const& out) {
  std::string s = out;
  while (s.size() > 1 && s.back() == '/') {
    s.pop_back();
  }
  fs::path const p = fs::path{s}.lexically_normal();
  auto const name = p.filename().string();
  if (s.empty() || name.empty() || name == "." || name == "..") {
    throw usage_error{fmt::format("--out '{}': name a folder to create (e.g. runs/baseline)", out)};
  }
  return p;
}

void check_writable_place(fs::path const& target) {
  auto const t = type_of(target);
  if (t != fs::file_type::not_found && t != fs::file_type::directory) {
    throw usage_error{fmt::format("{}: exists and is not a folder; choose another --out", target.string())};
  }
  // The staging folder and the final rename happen in the target's parent.
  auto const base = nearest_existing(parent_of(target));
  if (type_of(base) != fs::file_type::directory) {
    throw usage_error{
        fmt::format("{}: cannot be created: {} is a file, not a folder", target.string(), base.string())};
  }
  auto const probe = base / fmt::format(".avipsim-probe-{}", ::getpid());
  if (::mkdir(probe.c_str(), 0700) != 0) {
    throw usage_error{fmt::format("{}: cannot be created: nothing can be written in {} ({})", target.string(),
                                  base.string(), std::strerror(errno))};
  }
  ::rmdir(probe.c_str());
}

void check_output_file(fs::path const& file) {
  if (type_of(file) != fs::file_type::not_found) {
    throw usage_error{fmt::format("{}: already exists (outputs are never overwritten)", file.string())};
  }
  if (file.filename().empty()) {
    throw usage_error{fmt::format("{}: name a file, not a folder", file.string())};
  }
  check_writable_place(file);
}

staging_folder::staging_folder(fs::path const& target, bool replace, std::vector<std::string> markers)
    : target_{output_path(target.string())}, markers_{std::move(markers)}, replace_{replace} {
  check_writable_place(target_);
  if (type_of(target_) == fs::file_type::directory && !is_empty_folder(target_)) {
    refuse_unless_replaceable();
  }
}

staging_folder::~staging_folder() {
  if (committed_ || tmp_.empty()) {
    return;
  }
  std::lock_guard lock{registry_mutex()};
  unregister(tmp_);
  std::error_code ec;
  fs::remove_all(tmp_, ec);
}

bool staging_folder::is_avipsim_output(fs::path const& dir) const {
  if (type_of(dir / kOutputMarker) == fs::file_type::regular) {
    return true;
  }
  for (auto const& m : markers_) {
    if (type_of(dir / m) == fs::file_type::regular) {
      return true;
    }
  }
  return false;
}

void staging_folder::refuse_unless_replaceable() const {
  if (!replace_) {
    throw usage_error{fmt::format(
        "{}: output folder exists and is not empty; choose another --out, or add --force to replace an "
        "earlier avipsim output",
        target_.string())};
  }
  if (!is_avipsim_output(target_)) {
    throw usage_error{fmt::format(
        "{}: --force replaces only a folder avipsim wrote (it holds {}{}), and this one does not; choose "
        "another --out",
        target_.string(), kOutputMarker, markers_.empty() ? "" : " or " + markers_.front())};
  }
}

fs::path const& staging_folder::create() {
  if (!tmp_.empty()) {
    return tmp_;
  }
  auto const parent = parent_of(target_);
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) {
    throw usage_error{fmt::format("{}: cannot create the folder ({})", parent.string(), ec.message())};
  }
  auto const name = target_.filename().string();
  remove_stale_staging(parent, name);
  static std::atomic<int> counter{0};
  auto const tmp = parent / fmt::format(".{}.tmp-{}-{}", name, ::getpid(), counter++);
  {
    // Made and registered in one step: an interrupt either finds it registered or comes before it.
    std::lock_guard lock{registry_mutex()};
    if (::mkdir(tmp.c_str(), 0755) != 0) {
      throw usage_error{
          fmt::format("{}: cannot create a folder there ({})", tmp.string(), std::strerror(errno))};
    }
    tmp_ = tmp;
    registry().push_back(tmp_);
  }
  write_file_atomically(tmp_ / kStagingMarker, fmt::format("{}\n", ::getpid()));
  write_file_atomically(tmp_ / kOutputMarker, "written by avipsim; `--force` may replace this folder\n");
  return tmp_;
}

fs::path staging_folder::move_old_output_aside() const {
  if (type_of(target_) != fs::file_type::directory || is_empty_folder(target_)) {
    return {};
  }
  refuse_unless_replaceable();  // again: it may have changed during the run
  static std::atomic<int> counter{0};
  auto const aside =
      parent_of(target_) / fmt::format(".{}.old-{}-{}", target_.filename().string(), ::getpid(), counter++);
  if (::rename(target_.c_str(), aside.c_str()) != 0) {
    if (errno == ENOENT) {
      return {};
    }
    throw data_error{
        fmt::format("{}: cannot move the earlier output aside ({})", target_.string(), std::strerror(errno))};
  }
  return aside;
}

void staging_folder::commit() {
  if (tmp_.empty()) {
    create();
  }
  std::lock_guard lock{registry_mutex()};
  std::error_code ec;
  fs::remove(tmp_ / kStagingMarker, ec);
  auto const aside = replace_ ? move_old_output_aside() : fs::path{};
  // rename(2) replaces an absent or empty folder and refuses a non-empty one: the check and the move
  // are one step, so nothing written at the target during the run is ever replaced.
  if (::rename(tmp_.c_str(), target_.c_str()) != 0) {
    int const e = errno;
    if (!aside.empty()) {
      ::rename(aside.c_str(), target_.c_str());  // put the earlier output back if nothing took its place
    }
    if (e == ENOTEMPTY || e == EEXIST || e == ENOTDIR || e == EISDIR) {
      throw usage_error{fmt::format(
          "{}: something was written there during the run (another avipsim run?); it is left as it is "
          "and this run's outputs are discarded",
          target_.string())};
    }
    throw data_error{
        fmt::format("{}: cannot move the outputs into place ({})", target_.string(), std::strerror(e))};
  }
  committed_ = true;
  unregister(tmp_);
  if (!aside.empty()) {
    fs::remove_all(aside, ec);
  }
}

void install_interrupt_cleanup() {
  static std::once_flag once;
  std::call_once(once, [] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread{[set] {
      int sig = 0;
      if (sigwait(&set, &sig) != 0) {
        return;
      }
      registry_mutex().lock();  // held until the end: no commit starts after this
      // Other threads may still be writing into a staging folder: remove until it stays removed.
      for (auto const& p : registry()) {
        for (int attempt = 0; attempt < 100; ++attempt) {
          std::error_code ec;
          fs::remove_all(p, ec);
          if (!fs::exists(p, ec)) {
            break;
          }
        }
      }
      std::signal(sig, SIG_DFL);
      pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
      ::raise(sig);
      std::_Exit(128 + sig);
    }}.detach();
  });
}

}  // namespace avip::app
