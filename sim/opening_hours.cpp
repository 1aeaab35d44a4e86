#include "sim/opening_hours.hpp"

#include <algorithm>
#include <array>
#include <bitset>
#include <cctype>
#include <cstdio>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace avip::sim {

namespace {

constexpr std::array<std::string_view, 7> kDays{"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"};
constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 4> kVariableTimes{"sunrise", "sunset", "dawn", "dusk"};
constexpr std::size_t kQuoted = 60;
constexpr int kDay = 24 * 60;

using slots = std::bitset<week_mask::kSlots>;

/// At most kQuoted characters of `s`, control characters shown as '?', so that a message stays short.
std::string quote(std::string_view s) {
  std::string out{"'"};
  for (std::size_t i = 0; i < s.size() && i < kQuoted; ++i) {
    auto const c = static_cast<unsigned char>(s[i]);
    out += (c < 0x20 || c == 0x7f) ? '?' : s[i];
  }
  out += s.size() > kQuoted ? "…'" : "'";
  return out;
}

bool is_alpha(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0;
}
bool is_digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int day_index(std::string_view d) {
  for (std::size_t i = 0; i < kDays.size(); ++i) {
    if (kDays[i] == d) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

template <std::size_t N>
bool one_of(std::array<std::string_view, N> const& words, std::string_view w) {
  for (auto const x : words) {
    if (x == w) {
      return true;
    }
  }
  return false;
}

/// One rule: the days it selects (holidays dropped), its time spans in minutes (an end past 24:00
/// continues the next day) and whether it opens or closes them.
struct rule {
  std::array<bool, 7> days{};
  bool any_weekday{false};
  bool holiday{false};
  std::vector<std::pair<int, int>> spans;
  bool closed{false};
};

class parser {
 public:
  explicit parser(std::string_view text) : text_{text} {}

  week_mask parse() {
    bool additional = false;
    bool weekly_rule = false;
    bool holiday_rule = false;
    for (;;) {
      skip_spaces();
      if (!at_end() && peek() != ';') {
        auto const r = parse_rule();
        holiday_rule = holiday_rule || r.holiday;
        if (r.any_weekday || !r.holiday) {
          apply(r, additional);
          weekly_rule = true;
        }
      }
      skip_spaces();
      if (at_end()) {
        break;
      }
      additional = separator();
    }
    if (!weekly_rule) {
      if (holiday_rule) {
        throw data_error{"opening hours: " + quote(text_) +
                         " only has public or school holiday rules (PH, SH), which the model ignores "
                         "(it simulates a typical week): give the weekly hours too, e.g. "
                         "'Mo-Fr 07:00-18:30; PH off'"};
      }
      throw data_error{"opening hours: empty timetable"};
    }
    return to_mask();
  }

 private:
  std::string_view text_;
  std::size_t pos_{0};
  std::size_t rule_start_{0};
  slots open_;

  [[nodiscard]] bool at_end() const { return pos_ >= text_.size(); }
  [[nodiscard]] char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  void skip_spaces() {
    while (!at_end() && is_space(peek())) {
      ++pos_;
    }
  }
  [[nodiscard]] std::string_view word_at(std::size_t p) const {
    auto e = p;
    while (e < text_.size() && is_alpha(text_[e])) {
      ++e;
    }
    return text_.substr(p, e - p);
  }
  /// The token at `p` (up to a space or separator), for messages.
  [[nodiscard]] std::string_view token_at(std::size_t p) const {
    auto e = p;
    while (e < text_.size() && !is_space(text_[e]) && text_[e] != ';' && text_[e] != ',') {
      ++e;
    }
    return text_.substr(p, std::max<std::size_t>(e - p, p < text_.size() ? 1 : 0));
  }
  [[noreturn]] void fail(std::string const& what) const {
    throw data_error{"opening hours: " + what + " in " + quote(text_.substr(rule_start_))};
  }

  /// `;` (normal rule, returns false) or `,` before a new rule (additional rule, returns true).
  bool separator() {
    if (peek() == '|' && peek(1) == '|') {
      fail("fallback rules ('||') are not supported");
    }
    if (peek() == ';' || peek() == ',') {
      ++pos_;
      return text_[pos_ - 1] == ',';
    }
    fail("unexpected " + quote(token_at(pos_)) + " (expected ';' or ',' between rules)");
  }

  rule parse_rule() {
    rule_start_ = pos_;
    rule r;
    if (text_.substr(pos_, 4) == "24/7") {
      pos_ += 4;
      r.any_weekday = true;
      r.days.fill(true);
    } else {
      refuse_wide_range();
      parse_weekdays(r);
      skip_spaces();
      if (is_digit(peek())) {
        parse_times(r);
      } else if (one_of(kVariableTimes, word_at(pos_)) || peek() == '(') {
        fail("variable times (" + quote(token_at(pos_)) + ") are not supported: give clock times");
      }
    }
    if (!r.any_weekday) {
      r.days.fill(!r.holiday);
      r.any_weekday = !r.holiday;
    }
    if (r.spans.empty()) {
      r.spans.emplace_back(0, kDay);
    }
    parse_modifier(r);
    return r;
  }

  void refuse_wide_range() {
    auto const w = word_at(pos_);
    if (one_of(kMonths, w)) {
      fail("months and dates (" + quote(token_at(pos_)) +
           ") are not supported: the model simulates a typical week");
    }
    if (w == "week") {
      fail("week numbers are not supported: the model simulates a typical week");
    }
    if (w == "easter") {
      fail("'easter' is not supported: the model simulates a typical week");
    }
    if (is_digit(peek()) && is_digit(peek(1)) && is_digit(peek(2)) && is_digit(peek(3))) {
      fail("years (" + quote(token_at(pos_)) + ") are not supported: the model simulates a typical week");
    }
  }

  void parse_weekdays(rule& r) {
    auto const w = word_at(pos_);
    if (w.size() != 2) {
      return;  // no weekday selector: every day (a two-letter word is taken for a day)
    }
    for (;;) {
      parse_weekday_range(r);
      auto p = pos_;  // a ',' continues the list when a weekday follows; else it separates rules
      if (p < text_.size() && text_[p] == ',') {
        ++p;
        while (p < text_.size() && is_space(text_[p])) {
          ++p;
        }
        auto const next = word_at(p);
        if (next.size() == 2 && (day_index(next) >= 0 || next == "PH" || next == "SH")) {
          pos_ = p;
          continue;
        }
      }
      return;
    }
  }

  void parse_weekday_range(rule& r) {
    auto const w = word_at(pos_);
    if (w == "PH" || w == "SH") {
      pos_ += 2;
      r.holiday = true;
      return;
    }
    int a = day_index(w);
    if (a < 0) {
      fail("unknown day " + quote(w) + " (expected Mo Tu We Th Fr Sa Su)");
    }
    pos_ += w.size();
    int b = a;
    if (peek() == '-') {
      ++pos_;
      auto const e = word_at(pos_);
      b = day_index(e);
      if (b < 0) {
        fail("unknown day " + quote(e.empty() ? token_at(pos_) : e) + " (expected Mo Tu We Th Fr Sa Su)");
      }
      pos_ += e.size();
    }
    if (peek() == '[') {
      fail("nth weekdays of a month (" + quote(token_at(pos_)) + ") are not supported");
    }
    for (int guard = 0; guard < 7; ++guard) {  // Sa-Mo wraps over the week end
      r.days[static_cast<std::size_t>(a)] = true;
      if (a == b) {
        break;
      }
      a = (a + 1) % 7;
    }
    r.any_weekday = true;
  }

  void parse_times(rule& r) {
    for (;;) {
      auto const span_start = pos_;
      int const from = parse_time(24);
      if (peek() == '+') {
        fail("open ends (" + quote(token_at(span_start)) + ") are not supported: give a closing time");
      }
      if (peek() != '-') {
        fail("bad time range " + quote(token_at(span_start)) + " (expected HH:MM-HH:MM)");
      }
      ++pos_;
      if (one_of(kVariableTimes, word_at(pos_))) {
        fail("variable times (" + quote(token_at(pos_)) + ") are not supported: give clock times");
      }
      int to = parse_time(48);
      if (peek() == '+' || peek() == '/') {
        fail("unsupported time range " + quote(token_at(span_start)) + " (expected HH:MM-HH:MM)");
      }
      if (to == from) {
        fail("empty time range " + quote(token_at(span_start)) + " (write 00:00-24:00 for a whole day)");
      }
      if (to < from) {
        to += kDay;  // past midnight: continues the next day
      }
      r.spans.emplace_back(from, to);
      auto p = pos_;  // a ',' continues the list when a time follows; else it separates rules
      if (p < text_.size() && text_[p] == ',') {
        ++p;
        while (p < text_.size() && is_space(text_[p])) {
          ++p;
        }
        if (p < text_.size() && is_digit(text_[p]) && (p + 2 >= text_.size() || text_[p + 2] != '/')) {
          pos_ = p;
          continue;
        }
      }
      return;
    }
  }

  /// "07:30" -> 450 (also "7:30"); hours up to `max_hour` (24 for a start, 48 for an end).
  int parse_time(int max_hour) {
    auto const start = pos_;
    int h = 0;
    int digits = 0;
    while (is_digit(peek()) && digits < 3) {
      h = h * 10 + (peek() - '0');
      ++pos_;
      ++digits;
    }
    if (digits == 0 || digits > 2 || peek() != ':' || !is_digit(peek(1)) || !is_digit(peek(2)) ||
        is_digit(peek(3))) {
      fail("bad time " + quote(token_at(start)) + " (expected HH:MM)");
    }
    int const m = (peek(1) - '0') * 10 + (peek(2) - '0');
    pos_ += 3;
    if (h > max_hour || m > 59 || (h == max_hour && m != 0)) {
      fail("time out of range " + quote(text_.substr(start, pos_ - start)));
    }
    return h * 60 + m;
  }

  void parse_modifier(rule& r) {
    skip_spaces();
    auto const w = word_at(pos_);
    if (w == "open" || w == "off" || w == "closed") {
      r.closed = w != "open";
      pos_ += w.size();
      skip_spaces();
      if (peek() == '"') {
        skip_comment();
      }
    } else if (w == "unknown" || peek() == '"') {
      fail("'unknown' hours and comment-only rules cannot be simulated: give the hours");
    } else if (!at_end() && peek() != ';' && peek() != ',' && peek() != '|') {
      fail("unexpected " + quote(token_at(pos_)) + " (expected days, times, 'off' or ';')");
    }
  }

  void skip_comment() {
    auto const close = text_.find('"', pos_ + 1);
    if (close == std::string_view::npos) {
      fail("unclosed comment");
    }
    pos_ = close + 1;
  }

  void apply(rule const& r, bool additional) {
    slots selected;
    for (int d = 0; d < 7; ++d) {
      if (!r.days[static_cast<std::size_t>(d)]) {
        continue;
      }
      for (auto const& [from, to] : r.spans) {
        mark(selected, d, from, to);
      }
    }
    if (r.closed) {
      open_ &= ~selected;
      return;
    }
    if (!additional) {  // a normal rule replaces what earlier rules said of its days
      for (int d = 0; d < 7; ++d) {
        if (r.days[static_cast<std::size_t>(d)]) {
          mark_cleared(d);
        }
      }
    }
    open_ |= selected;
  }

  /// Slots [from, to) of day d, rounded outward; past 24:00 on the next day.
  static void mark(slots& s, int d, int from, int to) {
    auto const first = static_cast<std::size_t>(from / week_mask::kMinutesPerSlot);
    auto const last =
        static_cast<std::size_t>((to + week_mask::kMinutesPerSlot - 1) / week_mask::kMinutesPerSlot);
    for (auto k = first; k < last; ++k) {
      auto const day = (static_cast<std::size_t>(d) + k / week_mask::kSlotsPerDay) % 7;
      s.set(day * week_mask::kSlotsPerDay + k % week_mask::kSlotsPerDay);
    }
  }

  void mark_cleared(int d) {
    for (std::size_t k = 0; k < week_mask::kSlotsPerDay; ++k) {
      open_.reset(static_cast<std::size_t>(d) * week_mask::kSlotsPerDay + k);
    }
  }

  [[nodiscard]] week_mask to_mask() const {
    week_mask mask;
    for (std::size_t k = 0; k < week_mask::kSlots; ++k) {
      if (open_.test(k)) {
        auto const d = static_cast<int>(k / week_mask::kSlotsPerDay);
        auto const m = static_cast<int>(k % week_mask::kSlotsPerDay) * week_mask::kMinutesPerSlot;
        mask.open(d, m, m + week_mask::kMinutesPerSlot);
      }
    }
    return mask;
  }
};

}  // namespace

week_mask parse_opening_hours(std::string_view text) {
  if (text.size() > kMaxOpeningHoursLength) {
    throw data_error{"opening hours: too long (" + std::to_string(text.size()) + " characters, at most " +
                     std::to_string(kMaxOpeningHoursLength) + "): " + quote(text)};
  }
  return parser{text}.parse();
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
