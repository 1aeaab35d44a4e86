#pragma once

#include <bitset>
#include <cstddef>

namespace avip::sim {

/// A weekly timetable as 15-minute slots, Monday 00:00 first: 7 days × 96 slots.
/// A family's needed hours fit a facility when `needed.fits_in(open)`.
class week_mask {
 public:
  static constexpr std::size_t kSlotsPerDay = 96;
  static constexpr std::size_t kSlots = 7 * kSlotsPerDay;
  static constexpr int kMinutesPerSlot = 15;

  /// Opens [from_minute, to_minute) of `day` (0 = Monday); minutes are rounded outward to slots.
  void open(int day, int from_minute, int to_minute) {
    auto const first = static_cast<std::size_t>(from_minute / kMinutesPerSlot);
    auto const last = static_cast<std::size_t>((to_minute + kMinutesPerSlot - 1) / kMinutesPerSlot);
    for (auto s = first; s < last && s < kSlotsPerDay; ++s) {
      bits_.set(static_cast<std::size_t>(day) * kSlotsPerDay + s);
    }
  }
  [[nodiscard]] bool is_open(int day, int minute) const {
    return bits_.test(static_cast<std::size_t>(day) * kSlotsPerDay +
                      static_cast<std::size_t>(minute / kMinutesPerSlot));
  }
  [[nodiscard]] bool fits_in(week_mask const& open) const { return (bits_ & ~open.bits_).none(); }
  [[nodiscard]] bool empty() const { return bits_.none(); }
  [[nodiscard]] double hours() const { return static_cast<double>(bits_.count()) * kMinutesPerSlot / 60.0; }
  /// Hours outside 7:30–19:00 on weekdays, or on Saturday or Sunday (DOMAIN.md "atypical hours").
  [[nodiscard]] bool has_atypical() const {
    week_mask regular;
    for (int d = 0; d < 5; ++d) {
      regular.open(d, 7 * 60 + 30, 19 * 60);
    }
    return !fits_in(regular);
  }
  [[nodiscard]] bool has_day(int day) const {
    for (std::size_t s = 0; s < kSlotsPerDay; ++s) {
      if (bits_.test(static_cast<std::size_t>(day) * kSlotsPerDay + s)) {
        return true;
      }
    }
    return false;
  }
  week_mask& operator|=(week_mask const& o) {
    bits_ |= o.bits_;
    return *this;
  }
  friend week_mask operator&(week_mask a, week_mask const& b) {
    a.bits_ &= b.bits_;
    return a;
  }
  bool operator==(week_mask const&) const = default;
  [[nodiscard]] std::bitset<kSlots> const& bits() const { return bits_; }

 private:
  std::bitset<kSlots> bits_;
};

}  // namespace avip::sim
