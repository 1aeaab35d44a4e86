#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "serve/editor_session.hpp"
#include "serve/run_folder.hpp"
#include "sim/results.hpp"

namespace avip::serve {

/// The runs of a session: queued, run by a few worker threads (at most one per two cores: each run uses
/// every core through oneTBB), each into its own folder under --out named by the server (run-001, …),
/// compared with the base scenario on common random numbers. The HTTP threads only read their state, so
/// the server answers while they run. A cancelled run stops at once (within its simulation: the engine
/// checks the cancel flag every month of every replication) and leaves no folder.
class run_queue {
 public:
  run_queue(editor_session const& session, run_folder_factory folders, std::filesystem::path out,
            std::size_t workers);
  run_queue(run_queue const&) = delete;
  run_queue& operator=(run_queue const&) = delete;
  /// Cancels what is queued and what runs (a simulation stops within a month of one replication, other
  /// steps at their end) and waits for the workers; the cancelled runs' folders are removed.
  ~run_queue();

  /// Queues a run of the page's document `doc` (already checked); returns its id.
  std::string submit(std::string const& doc, draft_check const& checked);
  /// Runs queued and not yet started.
  [[nodiscard]] std::size_t waiting() const;
  /// false when `id` names no run. A queued run ends at once, a running one within its current step's
  /// simulation or at the step's end (preparing and writing outputs are not interrupted).
  bool cancel(std::string const& id);

  /// JSON of every run (newest last), or of one (nullopt when unknown).
  [[nodiscard]] std::string list_json() const;
  [[nodiscard]] std::optional<std::string> run_json(std::string const& id) const;
  /// The folder of a finished run (nullopt when unknown or not finished).
  [[nodiscard]] std::optional<std::filesystem::path> folder(std::string const& id) const;
  /// Paired deltas of run `b` against run `a` (same replications and seed); throws avip::usage_error.
  [[nodiscard]] std::string compare_json(std::string const& a, std::string const& b) const;

  /// The bus-reachable zones of every facility for `window` (GeoJSON, as `avipsim transit --zones`
  /// writes them), computed once in the queue: the file when ready, else nullopt (queued by this call).
  std::optional<std::filesystem::path> zones(std::string const& window, std::string& state);

 private:
  struct job;
  struct base_run;
  void work();
  void execute(job& j);
  void execute_zones(job& j);
  std::shared_ptr<sim::run_results const> base_results(job& j, int replications, std::uint64_t seed,
                                                       std::string const& date);
  [[nodiscard]] std::string next_id(std::string const& prefix);
  /// Sets the job's phase and progress: the bar moves from `progress` to `to` as the step's
  /// `replications` are simulated (0: it stays at `progress`).
  void set_step(job& j, char const* phase, double progress, double to = 0.0, int replications = 0);

  editor_session const& session_;
  run_folder_factory folders_;
  std::filesystem::path out_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<job>> queue_;
  std::vector<std::shared_ptr<job>> jobs_;
  std::map<std::string, std::shared_ptr<job>> zones_;
  std::mutex base_mutex_;
  std::map<std::string, std::shared_ptr<base_run>> bases_;  ///< by date, then replications and seed
  bool stopping_{false};
  int counter_{0};
  std::vector<std::thread> workers_;
};

}  // namespace avip::serve
