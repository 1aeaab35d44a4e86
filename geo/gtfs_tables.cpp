#include "geo/gtfs_tables.hpp"

#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <ogrsf_frmts.h>

#include "core/error.hpp"
#include "geo/gdal_dataset.hpp"

namespace avip::geo::gtfs {

namespace fs = std::filesystem;

namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

/// At most 80 characters of a bad value, for messages.
std::string shown(std::string const& s) {
  return s.size() <= 80 ? s : s.substr(0, 77) + "...";
}

[[noreturn]] void bad(table const& t, std::size_t r, int c, std::string const& expected) {
  throw geo_error{fmt::format("{}: bad {} '{}' (expected {})", t.where(r),
                              c < 0 ? std::string{"value"} : t.columns[static_cast<std::size_t>(c)],
                              shown(t.at(r, c)), expected)};
}

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  std::int64_t const era = (y >= 0 ? y : y - 399) / 400;
  auto const yoe = static_cast<unsigned>(y - era * 400);
  unsigned const doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  unsigned const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct civil {
  std::int64_t y;
  unsigned m, d;
};

civil civil_from_days(std::int64_t z) {
  z += 719468;
  std::int64_t const era = (z >= 0 ? z : z - 146096) / 146097;
  auto const doe = static_cast<unsigned>(z - era * 146097);
  unsigned const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned const mp = (5 * doy + 2) / 153;
  unsigned const d = doy - (153 * mp + 2) / 5 + 1;
  unsigned const m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

}  // namespace

source open_source(std::string const& path) {
  std::error_code ec;
  auto const status = fs::status(path, ec);
  if (path.empty() || ec || !fs::exists(status)) {
    throw geo_error{fmt::format("{}: no such GTFS zip or folder", path)};
  }
  if (fs::is_directory(status)) {
    return {path, false};
  }
  if (!fs::is_regular_file(status)) {
    throw geo_error{fmt::format("{}: not a regular file (a GTFS feed is a zip or a folder)", path)};
  }
  char magic[2] = {0, 0};
  std::ifstream in{path, std::ios::binary};
  in.read(magic, 2);
  if (!in || magic[0] != 'P' || magic[1] != 'K') {
    throw geo_error{fmt::format("{}: not a zip file (a GTFS feed is a zip or a folder)", path)};
  }
  return {path, true};
}

int table::column(std::string const& name, bool required) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) {
      return static_cast<int>(i);
    }
  }
  if (required) {
    throw geo_error{fmt::format("{}: missing column '{}'", file, name)};
  }
  return -1;
}

std::string const& table::at(std::size_t r, int c) const {
  static std::string const empty;
  if (c < 0 || static_cast<std::size_t>(c) >= rows[r].size()) {
    return empty;
  }
  return rows[r][static_cast<std::size_t>(c)];
}

std::string table::where(std::size_t r) const {
  return fmt::format("{}, line {}", file, line[r]);
}

std::optional<table> read_table(source const& s, std::string const& name, bool required) {
  std::string const path =
      s.zipped ? fmt::format("CSV:/vsizip/{}/{}", s.path, name) : fmt::format("CSV:{}/{}", s.path, name);
  ensure_gdal();
  CPLErrorReset();
  char const* const options[] = {"HEADERS=YES", "AUTODETECT_TYPE=NO", "EMPTY_STRING_AS_NULL=NO", nullptr};
  GDALDatasetUniquePtr ds{
      GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, options, nullptr)};
  if (!ds || ds->GetLayerCount() < 1) {
    if (required) {
      throw geo_error{fmt::format("{}/{}: missing or unreadable ({})", s.path, name, last_gdal_error())};
    }
    return std::nullopt;
  }
  table t;
  t.file = fmt::format("{}/{}", s.path, name);
  auto* layer = ds->GetLayer(0);
  auto* defn = layer->GetLayerDefn();
  for (int i = 0; i < defn->GetFieldCount(); ++i) {
    t.columns.emplace_back(defn->GetFieldDefn(i)->GetNameRef());
  }
  for (auto& f : *layer) {
    std::vector<std::string> row;
    row.reserve(t.columns.size());
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
      row.emplace_back(f->IsFieldSetAndNotNull(i) ? f->GetFieldAsString(i) : "");
    }
    t.rows.push_back(std::move(row));
    t.line.push_back(f->GetFID() + 1);  // the CSV driver numbers data rows from 1; the header is line 1
  }
  return t;
}

std::optional<std::int64_t> parse_uint(std::string_view s) {
  s = trimmed(s);
  if (s.empty() || s.front() < '0' || s.front() > '9') {
    return std::nullopt;
  }
  std::int64_t v = 0;
  auto const [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size()) {
    return std::nullopt;
  }
  return v;
}

std::int64_t int_field(table const& t, std::size_t r, int c, std::int64_t lo, std::int64_t hi) {
  auto const s = trimmed(t.at(r, c));
  std::int64_t v = 0;
  auto const [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || v < lo || v > hi) {
    bad(t, r, c, fmt::format("an integer from {} to {}", lo, hi));
  }
  return v;
}

double real_field(table const& t, std::size_t r, int c, double lo, double hi) {
  auto const s = trimmed(t.at(r, c));
  double v = 0;
  auto const [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(v) || v < lo || v > hi) {
    bad(t, r, c, fmt::format("a number from {} to {}", lo, hi));
  }
  return v;
}

std::int32_t time_field(table const& t, std::size_t r, int c) {
  auto const& text = t.at(r, c);
  if (trimmed(text).empty()) {
    return -1;
  }
  auto const v = parse_gtfs_time_text(text);
  if (v < 0) {
    throw geo_error{fmt::format("{}: bad time '{}' in {} (expected H:MM:SS or HH:MM:SS, hours 0-47)",
                                t.where(r), shown(text),
                                c < 0 ? "" : t.columns[static_cast<std::size_t>(c)])};
  }
  return v;
}

std::int32_t parse_gtfs_time_text(std::string_view s) {
  s = trimmed(s);
  // H:MM:SS or HH:MM:SS: digits only, so no sign and no overflow.
  if (s.size() != 7 && s.size() != 8) {
    return -1;
  }
  auto const h_len = s.size() - 6;
  auto digit = [&](std::size_t i) { return s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1; };
  if (s[h_len] != ':' || s[h_len + 3] != ':') {
    return -1;
  }
  int h = 0;
  for (std::size_t i = 0; i < h_len; ++i) {
    if (digit(i) < 0) {
      return -1;
    }
    h = h * 10 + digit(i);
  }
  int const m1 = digit(h_len + 1);
  int const m2 = digit(h_len + 2);
  int const s1 = digit(h_len + 4);
  int const s2 = digit(h_len + 5);
  if (m1 < 0 || m2 < 0 || s1 < 0 || s2 < 0 || m1 > 5 || s1 > 5 || h > kMaxGtfsHour) {
    return -1;
  }
  return h * 3600 + (m1 * 10 + m2) * 60 + s1 * 10 + s2;
}

std::optional<std::int64_t> parse_yyyymmdd(std::string_view s) {
  s = trimmed(s);
  if (s.size() != 8) {
    return std::nullopt;
  }
  auto const v = parse_uint(s);
  if (!v) {
    return std::nullopt;
  }
  auto const y = *v / 10000;
  auto const m = static_cast<unsigned>(*v / 100 % 100);
  auto const d = static_cast<unsigned>(*v % 100);
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1) {
    return std::nullopt;
  }
  auto const days = days_from_civil(y, m, d);
  if (civil_from_days(days).m != m) {  // 20250231
    return std::nullopt;
  }
  return days;
}

std::int64_t date_field(table const& t, std::size_t r, int c) {
  auto const d = parse_yyyymmdd(t.at(r, c));
  if (!d) {
    bad(t, r, c, "a date YYYYMMDD");
  }
  return *d;
}

std::string format_yyyymmdd(std::int64_t days) {
  auto const c = civil_from_days(days);
  return fmt::format("{:04d}{:02d}{:02d}", c.y, c.m, c.d);
}

std::string format_iso(std::int64_t days) {
  auto const c = civil_from_days(days);
  return fmt::format("{:04d}-{:02d}-{:02d}", c.y, c.m, c.d);
}

int weekday_of(std::int64_t days) {
  return static_cast<int>(((days % 7) + 7 + 3) % 7);
}

std::string weekday_on_or_after(std::string_view yyyymmdd, int weekday) {
  auto const d = parse_yyyymmdd(yyyymmdd);
  return d ? format_yyyymmdd(*d + (weekday - weekday_of(*d) + 7) % 7) : std::string{};
}

std::int64_t today_days() {
  auto const now = std::chrono::system_clock::now();
  return std::chrono::duration_cast<std::chrono::hours>(now.time_since_epoch()).count() / 24;
}

}  // namespace avip::geo::gtfs
