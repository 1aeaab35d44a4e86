#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace avip::territory {

/// Larger JSON files are refused before reading: a manifest or a scenario is a few KB.
inline constexpr std::uintmax_t kMaxJsonBytes = std::uintmax_t{64} << 20U;
/// Deeper nesting is refused while parsing (a scenario needs 6 levels; a GeoJSON polygon 4).
inline constexpr int kMaxJsonDepth = 64;

namespace detail {

/// A problem found while parsing, at a JSON pointer.
struct json_problem {
  std::string pointer;
  std::string what;
};

/// Tracks the JSON pointer while nlohmann's parser runs; refuses duplicate keys and deep nesting.
class strict_json_tracker {
 public:
  bool operator()(int /*depth*/, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using ev = nlohmann::json::parse_event_t;
    switch (event) {
      case ev::object_start:
      case ev::array_start:
        if (frames_.size() >= static_cast<std::size_t>(kMaxJsonDepth)) {
          throw json_problem{pointer(), fmt::format("nested deeper than {} levels", kMaxJsonDepth)};
        }
        frames_.push_back({event == ev::array_start, 0, {}, {}});
        break;
      case ev::key: {
        auto& f = frames_.back();
        f.key = parsed.get<std::string>();
        if (!f.keys.insert(f.key).second) {
          throw json_problem{pointer(), fmt::format("duplicate key '{}'", f.key)};
        }
        break;
      }
      case ev::object_end:
      case ev::array_end:
        frames_.pop_back();
        element_done();
        break;
      case ev::value:
        element_done();
        break;
    }
    return true;
  }

 private:
  struct frame {
    bool array{false};
    std::size_t index{0};
    std::string key;
    std::set<std::string> keys;
  };
  void element_done() {
    if (!frames_.empty() && frames_.back().array) {
      ++frames_.back().index;
    }
  }
  [[nodiscard]] std::string pointer() const {
    std::string out;
    for (auto const& f : frames_) {
      out += f.array ? fmt::format("/{}", f.index) : (f.key.empty() ? "" : "/" + f.key);
    }
    return out.empty() ? "/" : out;
  }
  std::vector<frame> frames_;
};

/// "line:column" of byte `byte` (1-based) of `text`.
inline std::string position_of(std::string const& text, std::size_t byte) {
  std::size_t line = 1;
  std::size_t col = 1;
  for (std::size_t i = 0; i + 1 < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return fmt::format("{}:{}", line, col);
}

/// nlohmann's message without its "[json.exception.…] " prefix.
inline std::string plain_message(std::string what) {
  if (auto const pos = what.find("syntax error"); pos != std::string::npos) {
    return what.substr(pos);
  }
  if (auto const pos = what.find("] "); what.rfind("[json.exception", 0) == 0 && pos != std::string::npos) {
    return what.substr(pos + 2);
  }
  return what;
}

}  // namespace detail

/// Reads a JSON file (a `what`: "scenario", "territory manifest") strictly: a regular file of at most
/// kMaxJsonBytes (a folder or /dev/zero is refused before reading), no NUL byte, no duplicate key, at
/// most kMaxJsonDepth levels, numbers that fit a double. Throws `Error` naming the file and the line
/// and column or the JSON pointer at fault.
template <typename Error>
nlohmann::json read_json_file(std::filesystem::path const& file, std::string const& what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  auto const status = fs::status(file, ec);
  if (ec || !fs::exists(status)) {
    throw Error{fmt::format("{}: cannot open the {} file (not found)", file.string(), what)};
  }
  if (fs::is_directory(status)) {
    throw Error{fmt::format("{}: is a folder, not a {} file (JSON)", file.string(), what)};
  }
  if (!fs::is_regular_file(status)) {
    throw Error{
        fmt::format("{}: not a regular file (a device or a pipe), not a {} file", file.string(), what)};
  }
  auto const size = fs::file_size(file, ec);
  if (ec || size > kMaxJsonBytes) {
    throw Error{fmt::format("{}: {} bytes, too large for a {} file (at most {} MB)", file.string(), size,
                            what, kMaxJsonBytes >> 20U)};
  }
  std::ifstream in{file, std::ios::binary};
  if (!in) {
    throw Error{fmt::format("{}: cannot open the {} file", file.string(), what)};
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto const text = ss.str();
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw Error{fmt::format("{}: the {} file is empty (expected a JSON object)", file.string(), what)};
  }
  if (auto const nul = text.find('\0'); nul != std::string::npos) {
    throw Error{fmt::format("{}:{}: invalid JSON: a NUL byte (not a text file?)", file.string(),
                            detail::position_of(text, nul + 1))};
  }
  try {
    detail::strict_json_tracker tracker;
    return nlohmann::json::parse(text, std::ref(tracker));
  } catch (detail::json_problem const& p) {
    throw Error{fmt::format("{}: {}: invalid JSON: {}", file.string(), p.pointer, p.what)};
  } catch (nlohmann::json::parse_error const& e) {
    throw Error{fmt::format("{}:{}: invalid JSON: {}", file.string(), detail::position_of(text, e.byte),
                            detail::plain_message(e.what()))};
  } catch (nlohmann::json::exception const& e) {
    throw Error{fmt::format("{}: invalid JSON: {}", file.string(), detail::plain_message(e.what()))};
  }
}

}  // namespace avip::territory
