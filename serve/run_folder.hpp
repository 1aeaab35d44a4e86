#pragma once

#include <filesystem>
#include <functional>
#include <memory>

namespace avip::serve {

/// A folder the server writes into, made by the caller as it makes every output folder (app/: the staging
/// folders of app/output_folder.hpp, written hidden beside the target and moved into place when
/// complete; removed when dropped uncommitted, and on SIGINT or SIGTERM).
class run_folder {
 public:
  run_folder() = default;
  run_folder(run_folder const&) = delete;
  run_folder& operator=(run_folder const&) = delete;
  virtual ~run_folder() = default;
  /// Makes the staging folder; returns its path.
  virtual std::filesystem::path const& create() = 0;
  /// Moves it onto the target.
  virtual void commit() = 0;
};

/// Makes the run_folder of a target (a path under --out chosen by the server, never by the page).
using run_folder_factory = std::function<std::unique_ptr<run_folder>(std::filesystem::path const& target)>;

}  // namespace avip::serve
