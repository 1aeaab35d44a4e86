#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <mutex>
#include <string>

#include <unistd.h>

namespace avip {

/// A progress bar on stderr for anything that takes more than a couple of seconds.
/// Thread-safe: `advance` may be called from TBB tasks. Redraws at most ten times a second; on a
/// terminal it rewrites one line, otherwise it prints a line every 10 %. Silent when `enabled` is false.
class progress {
 public:
  progress(std::string label, std::size_t total, bool enabled = true)
      : label_{std::move(label)},
        total_{total == 0 ? 1 : total},
        enabled_{enabled},
        tty_{isatty(STDERR_FILENO) == 1},
        start_{clock::now()} {}
  progress(progress const&) = delete;
  progress& operator=(progress const&) = delete;
  ~progress() { finish(); }

  void advance(std::size_t n = 1) {
    auto const done = done_.fetch_add(n, std::memory_order_relaxed) + n;
    if (!enabled_) {
      return;
    }
    auto const now = clock::now();
    std::unique_lock lock{mutex_, std::try_to_lock};
    if (!lock.owns_lock()) {
      return;
    }
    auto const pct = static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total_));
    if (tty_ ? (now - last_draw_ > std::chrono::milliseconds{100}) : (pct / 10 > last_pct_ / 10)) {
      draw(done, pct);
      last_draw_ = now;
      last_pct_ = pct;
    }
  }

  /// Ends the bar where it stands (a run stopped before its end): no 100 % is drawn.
  void abandon() {
    if (!enabled_ || finished_) {
      return;
    }
    finished_ = true;
    std::lock_guard lock{mutex_};
    if (tty_) {
      std::fputc('\n', stderr);
    }
  }

  void finish() {
    if (!enabled_ || finished_) {
      return;
    }
    finished_ = true;
    std::lock_guard lock{mutex_};
    if (last_pct_ < 100) {
      draw(total_, 100);
    }
    if (tty_) {
      std::fputc('\n', stderr);
    }
  }

 private:
  using clock = std::chrono::steady_clock;

  void draw(std::size_t done, int pct) {
    constexpr int kWidth = 30;
    auto const filled = pct * kWidth / 100;
    auto const secs = std::chrono::duration<double>(clock::now() - start_).count();
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(kWidth, '.');
    std::fprintf(stderr, "%s%s [%s] %3d%% (%zu/%zu, %.1f s)%s", tty_ ? "\r" : "", label_.c_str(), bar.c_str(),
                 pct > 100 ? 100 : pct, done > total_ ? total_ : done, total_, secs, tty_ ? "" : "\n");
    std::fflush(stderr);
  }

  std::string label_;
  std::size_t total_;
  bool enabled_;
  bool tty_;
  bool finished_{false};
  clock::time_point start_;
  clock::time_point last_draw_{};
  int last_pct_{-1};
  std::atomic<std::size_t> done_{0};
  std::mutex mutex_;
};

}  // namespace avip
