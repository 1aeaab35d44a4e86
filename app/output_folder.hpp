#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <system_error>

#include <fmt/format.h>

#include "core/error.hpp"

namespace avip::app {

/// Outputs are written into a temporary folder beside the target and moved into place only when
/// complete, so a failed run leaves nothing half-written and a planner's folder is never overwritten:
/// an existing non-empty target is refused unless `replace` (then it is moved aside, never deleted
/// before the new one is in place).
class staging_folder {
 public:
  staging_folder(std::filesystem::path target, bool replace) : target_{std::move(target)}, replace_{replace} {
    namespace fs = std::filesystem;
    if (fs::exists(target_) && !fs::is_directory(target_)) {
      throw usage_error{fmt::format("{}: exists and is not a folder", target_.string())};
    }
    if (!replace_ && fs::exists(target_) && !fs::is_empty(target_)) {
      throw usage_error{
          fmt::format("{}: output folder exists and is not empty; choose another --out or add --force",
                      target_.string())};
    }
    auto const parent = target_.has_parent_path() ? target_.parent_path() : fs::path{"."};
    fs::create_directories(parent);
    auto const stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    tmp_ = parent / fmt::format(".{}.tmp-{}", target_.filename().string(), stamp);
    fs::create_directories(tmp_);
  }
  staging_folder(staging_folder const&) = delete;
  staging_folder& operator=(staging_folder const&) = delete;
  ~staging_folder() {
    if (!committed_) {
      std::error_code ec;
      std::filesystem::remove_all(tmp_, ec);
    }
  }

  [[nodiscard]] std::filesystem::path const& path() const { return tmp_; }

  void commit() {
    namespace fs = std::filesystem;
    fs::path aside;
    if (fs::exists(target_)) {
      if (fs::is_empty(target_)) {
        fs::remove(target_);
      } else {
        aside =
            target_.parent_path() / fmt::format(".{}.old-{}", target_.filename().string(),
                                                std::chrono::steady_clock::now().time_since_epoch().count());
        fs::rename(target_, aside);
      }
    }
    fs::rename(tmp_, target_);
    committed_ = true;
    if (!aside.empty()) {
      fs::remove_all(aside);
    }
  }

 private:
  std::filesystem::path target_;
  std::filesystem::path tmp_;
  bool replace_;
  bool committed_{false};
};

}  // namespace avip::app
