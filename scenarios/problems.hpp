#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/error.hpp"

namespace avip::scenarios {

/// Every problem found in a scenario (while reading it or applying its edits), each naming the file and
/// the JSON pointer at fault; thrown together as one avip::scenario_error, so a user fixes all at once.
class problems {
 public:
  /// Problems added without a file are `file`'s.
  explicit problems(std::string file = {}) : file_{std::move(file)} {}

  void add(std::string const& pointer, std::string const& what) { add_in(file_, pointer, what); }
  void add_in(std::string const& file, std::string const& pointer, std::string const& what) {
    auto line = fmt::format("{}: {}: {}", file, pointer.empty() ? "/" : pointer, what);
    if (line.size() > kMaxLine) {  // a 1 MB value is not echoed whole
      line = line.substr(0, kMaxLine) + fmt::format("… ({} characters in all)", line.size());
    }
    if (!files_.empty() && files_.back() != file) {
      one_file_ = false;
    }
    files_.push_back(file);
    lines_.push_back(std::move(line));
  }
  /// A complete message (it names its file and pointer), e.g. that of a path refused by input_path.
  void add_message(std::string message) {
    files_.push_back(file_);
    lines_.push_back(std::move(message));
  }
  [[nodiscard]] bool empty() const { return lines_.empty(); }
  [[nodiscard]] std::size_t size() const { return lines_.size(); }

  /// Throws the problems found so far, if any: one line, or a count and one line each.
  void throw_if_any() const {
    if (lines_.empty()) {
      return;
    }
    if (lines_.size() == 1) {
      throw scenario_error{lines_[0]};
    }
    std::string msg = one_file_ ? fmt::format("{}: {} problems:", files_[0], lines_.size())
                                : fmt::format("{} problems in the scenario:", lines_.size());
    for (std::size_t i = 0; i < lines_.size() && i < kMaxLines; ++i) {
      msg += "\n  " + lines_[i];
    }
    if (lines_.size() > kMaxLines) {
      msg += fmt::format("\n  and {} more", lines_.size() - kMaxLines);
    }
    throw scenario_error{msg};
  }

 private:
  static constexpr std::size_t kMaxLine = 400;
  static constexpr std::size_t kMaxLines = 50;
  std::string file_;
  std::vector<std::string> files_;
  std::vector<std::string> lines_;
  bool one_file_{true};
};

}  // namespace avip::scenarios
