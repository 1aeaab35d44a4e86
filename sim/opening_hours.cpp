#include "sim/opening_hours.hpp"

#include <array>
#include <cctype>
#include <cstdio>
#include <vector>

#include "core/error.hpp"

namespace avip::sim {

namespace {

constexpr std::array<std::string_view, 7> kDays{"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"};

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) {
    s.remove_suffix(1);
  }
  return s;
}

int day_index(std::string_view d, std::string_view rule) {
  for (std::size_t i = 0; i < kDays.size(); ++i) {
    if (kDays[i] == d) {
      return static_cast<int>(i);
    }
  }
  throw data_error{"opening hours: unknown day '" + std::string{d} + "' in '" + std::string{rule} +
                   "' (expected Mo Tu We Th Fr Sa Su)"};
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  return out;
}

/// "07:30" -> 450; "24:00" allowed.
int minutes(std::string_view t, std::string_view rule) {
  int h = 0;
  int m = 0;
  if (t.size() != 5 || t[2] != ':' || std::isdigit(static_cast<unsigned char>(t[0])) == 0 ||
      std::isdigit(static_cast<unsigned char>(t[1])) == 0 ||
      std::isdigit(static_cast<unsigned char>(t[3])) == 0 ||
      std::isdigit(static_cast<unsigned char>(t[4])) == 0) {
    throw data_error{"opening hours: bad time '" + std::string{t} + "' in '" + std::string{rule} +
                     "' (expected HH:MM)"};
  }
  h = (t[0] - '0') * 10 + (t[1] - '0');
  m = (t[3] - '0') * 10 + (t[4] - '0');
  if (h > 24 || m > 59 || (h == 24 && m != 0)) {
    throw data_error{"opening hours: time out of range '" + std::string{t} + "' in '" + std::string{rule} +
                     "'"};
  }
  return h * 60 + m;
}

std::array<bool, 7> parse_days(std::string_view spec, std::string_view rule) {
  std::array<bool, 7> days{};
  for (auto part : split(spec, ',')) {
    auto const dash = part.find('-');
    if (dash == std::string_view::npos) {
      days[static_cast<std::size_t>(day_index(part, rule))] = true;
    } else {
      int a = day_index(trim(part.substr(0, dash)), rule);
      int const b = day_index(trim(part.substr(dash + 1)), rule);
      for (int guard = 0; guard < 7; ++guard) {  // Sa-Mo wraps over the week end
        days[static_cast<std::size_t>(a)] = true;
        if (a == b) {
          break;
        }
        a = (a + 1) % 7;
      }
    }
  }
  return days;
}

}  // namespace

week_mask parse_opening_hours(std::string_view text) {
  week_mask mask;
  auto const all = trim(text);
  if (all.empty()) {
    throw data_error{"opening hours: empty timetable"};
  }
  if (all == "24/7") {
    for (int d = 0; d < 7; ++d) {
      mask.open(d, 0, 24 * 60);
    }
    return mask;
  }
  for (auto rule : split(all, ';')) {
    if (rule.empty()) {
      continue;
    }
    if (rule.substr(0, 2) == "PH") {
      continue;  // public holidays: the model works on a typical week
    }
    auto const space = rule.find(' ');
    if (space == std::string_view::npos) {
      throw data_error{"opening hours: rule '" + std::string{rule} +
                       "' needs days and times, e.g. 'Mo-Fr 07:00-18:30'"};
    }
    auto const days = parse_days(trim(rule.substr(0, space)), rule);
    auto const times = trim(rule.substr(space + 1));
    week_mask rule_mask;
    if (times != "off" && times != "closed") {
      for (auto range : split(times, ',')) {
        auto const dash = range.find('-');
        if (dash == std::string_view::npos) {
          throw data_error{"opening hours: bad time range '" + std::string{range} + "' in '" +
                           std::string{rule} + "'"};
        }
        int const from = minutes(trim(range.substr(0, dash)), rule);
        int const to = minutes(trim(range.substr(dash + 1)), rule);
        if (from == to) {
          throw data_error{"opening hours: empty time range '" + std::string{range} + "' in '" +
                           std::string{rule} + "'"};
        }
        for (int d = 0; d < 7; ++d) {
          if (!days[static_cast<std::size_t>(d)]) {
            continue;
          }
          if (to > from) {
            rule_mask.open(d, from, to);
          } else {  // past midnight: continues the next day
            rule_mask.open(d, from, 24 * 60);
            rule_mask.open((d + 1) % 7, 0, to);
          }
        }
      }
    }
    // A later rule replaces the earlier ones for its days (OSM semantics).
    week_mask cleared;
    for (int d = 0; d < 7; ++d) {
      if (!days[static_cast<std::size_t>(d)]) {
        cleared.open(d, 0, 24 * 60);
      }
    }
    mask = mask & cleared;
    mask |= rule_mask;
  }
  return mask;
}

std::string format_opening_hours(week_mask const& mask) {
  auto day_text = [&](int d) {
    std::string out;
    std::size_t s = 0;
    while (s < week_mask::kSlotsPerDay) {
      auto const base = static_cast<std::size_t>(d) * week_mask::kSlotsPerDay;
      if (!mask.bits().test(base + s)) {
        ++s;
        continue;
      }
      auto e = s;
      while (e < week_mask::kSlotsPerDay && mask.bits().test(base + e)) {
        ++e;
      }
      char buf[32];
      auto const a = static_cast<int>(s) * week_mask::kMinutesPerSlot;
      auto const b = static_cast<int>(e) * week_mask::kMinutesPerSlot;
      std::snprintf(buf, sizeof buf, "%02d:%02d-%02d:%02d", a / 60, a % 60, b / 60, b % 60);
      out += (out.empty() ? "" : ",") + std::string{buf};
      s = e;
    }
    return out;
  };
  std::string out;
  int d = 0;
  while (d < 7) {
    auto const t = day_text(d);
    int e = d + 1;
    while (e < 7 && day_text(e) == t) {
      ++e;
    }
    if (!t.empty()) {
      std::string days{kDays[static_cast<std::size_t>(d)]};
      if (e - d > 1) {
        days += (e - d == 2 ? "," : "-") + std::string{kDays[static_cast<std::size_t>(e - 1)]};
      }
      out += (out.empty() ? "" : "; ") + days + " " + t;
    }
    d = e;
  }
  return out.empty() ? "off" : out;
}

}  // namespace avip::sim
