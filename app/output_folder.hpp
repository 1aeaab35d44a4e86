#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace avip::app {

/// Name of the small file written in every output folder avipsim makes: `--force` replaces only a
/// folder that holds it (or one of the older outputs' own files), never a planner's own folder.
inline constexpr char const* kOutputMarker = ".avipsim-output";

/// `--out` as a folder path: the trailing slash dropped ("r3/" is "r3"), refused when empty.
std::filesystem::path output_path(std::string const& out);

/// Throws usage_error, before any work, when `target` cannot be created: a file on its way, or a place
/// where nothing can be written (probed with a folder created and removed in its nearest existing
/// ancestor; nothing else is created).
void check_writable_place(std::filesystem::path const& target);

/// Outputs are written into a staging folder `.NAME.tmp-PID-N` beside the target and moved into place
/// only when complete, so a failed or interrupted run leaves nothing half-written, and nothing but a
/// previous avipsim output is ever replaced:
/// - at construction (before the run), a target that is a file, under an unwritable place, or not empty
///   is refused (not empty: unless `replace` and it holds the marker of an avipsim output);
/// - create() (after the inputs are validated) makes the parents and the staging folder, and removes
///   the stale staging folders of dead avipsim processes for this target;
/// - commit() renames the staging folder onto the target, which must then still be absent or empty
///   (rename(2) refuses a non-empty one, atomically): a folder created during the run is never
///   deleted, and of concurrent runs to one target one wins, the others fail. With `replace`, the old
///   output is moved aside first and removed only once the new one is in place.
/// SIGINT and SIGTERM remove the staging folder (see install_interrupt_cleanup).
class staging_folder {
 public:
  /// `markers`: files that also identify an avipsim output made before kOutputMarker existed.
  staging_folder(std::filesystem::path const& target, bool replace,
                 std::vector<std::string> markers = {"summary.json", "comparison.json"});
  staging_folder(staging_folder const&) = delete;
  staging_folder& operator=(staging_folder const&) = delete;
  ~staging_folder();

  /// Makes the staging folder (and the target's parents); returns its path.
  std::filesystem::path const& create();
  [[nodiscard]] std::filesystem::path const& path() const { return tmp_; }
  [[nodiscard]] std::filesystem::path const& target() const { return target_; }
  void commit();

 private:
  [[nodiscard]] bool is_avipsim_output(std::filesystem::path const& dir) const;
  void refuse_unless_replaceable() const;
  std::filesystem::path move_old_output_aside() const;

  std::filesystem::path target_;
  std::filesystem::path tmp_;
  std::vector<std::string> markers_;
  bool replace_;
  bool committed_{false};
};

/// Blocks SIGINT and SIGTERM in every thread (call first in `main`, before any thread starts) and
/// handles them in one watcher thread: it removes the staging folder in progress, then lets the
/// signal end the process as it would have.
void install_interrupt_cleanup();

/// A single output file (`avipsim access --out`): refused before the run when it exists or cannot be
/// written there (same checks as a folder).
void check_output_file(std::filesystem::path const& file);

}  // namespace avip::app
