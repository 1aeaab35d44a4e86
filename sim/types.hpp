#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "core/strong_index.hpp"

namespace avip::sim {

using family_idx = strong_index<struct family_tag>;
using facility_idx = strong_index<struct facility_tag>;
using commune_idx = strong_index<struct commune_tag>;
using qpv_idx = strong_index<struct qpv_tag>;
using cell_idx = strong_index<struct cell_tag>;
using sector_idx = strong_index<struct sector_tag>;
using network_idx = strong_index<struct network_tag>;
using manager_idx = strong_index<struct manager_tag>;
using bus_idx = strong_index<struct bus_tag>;

/// A point in the territory's metric CRS (metres).
struct point {
  double x{0.0};
  double y{0.0};
};

enum class facility_kind : std::uint8_t {
  creche,
  multi_accueil,
  micro_creche,
  jardin_enfants,
  assmat,
  mam,
  baby_bus_site
};
inline constexpr std::array<std::string_view, 7> kFacilityKindNames{
    "creche", "multi_accueil", "micro_creche", "jardin_enfants", "assmat", "mam", "baby_bus_site"};

/// EAJE = établissement d'accueil du jeune enfant (collective care), subject to L.214-7 and the 20 % target.
constexpr bool is_eaje(facility_kind k) {
  return k == facility_kind::creche || k == facility_kind::multi_accueil ||
         k == facility_kind::micro_creche || k == facility_kind::jardin_enfants;
}

enum class insertion_path : std::uint8_t { job_search, training, fixed_term, social, integration };
inline constexpr std::array<std::string_view, 5> kInsertionPathNames{"job_search", "training", "fixed_term",
                                                                     "social", "integration"};

/// The best mode a family has: `car` families may also walk; `bus` families walk and take the bus.
enum class mobility : std::uint8_t { car, bus, walk };
inline constexpr std::array<std::string_view, 3> kMobilityNames{"car", "bus", "walk"};

/// Standard time windows of `avipsim transit` (DESIGN.md "Access"): weekday = 08:00 drop-off and 17:00
/// pick-up, early = 06:30 drop-off, late = 19:30 pick-up, saturday = 08:00 drop-off on a Saturday.
enum class time_window : std::uint8_t { weekday, early, late, saturday };
inline constexpr std::size_t kWindowCount = 4;
inline constexpr std::array<std::string_view, kWindowCount> kWindowNames{"weekday", "early", "late",
                                                                         "saturday"};

/// Bus trips a family makes: home → facility before the weekday drop-off, facility → home after the
/// weekday pick-up, home → facility before the Saturday drop-off, and before the Sunday drop-off.
enum class bus_trip : std::uint8_t { morning, evening, saturday, sunday };
inline constexpr int kBusWindowMinutes = 60;  ///< departures tried: every minute of the hour before / after
inline constexpr int kBusKeySlots = 97;       ///< 15-min slots 0…96 (24:00 included)
/// A window key: the trip and the 15-min slot of its drop-off or pick-up time.
constexpr std::uint16_t bus_window_key(bus_trip trip, int minute) {
  return static_cast<std::uint16_t>(static_cast<int>(trip) * kBusKeySlots + minute / 15);
}
constexpr bus_trip bus_key_trip(std::uint16_t key) {
  return static_cast<bus_trip>(key / kBusKeySlots);
}
constexpr int bus_key_minute(std::uint16_t key) {
  return (key % kBusKeySlots) * 15;
}
/// Departures [from, to) in minutes: the hour before a drop-off, the hour after a pick-up.
constexpr std::array<int, 2> bus_key_departures(std::uint16_t key) {
  int const m = bus_key_minute(key);
  return bus_key_trip(key) == bus_trip::evening ? std::array<int, 2>{m, m + kBusWindowMinutes}
                                                : std::array<int, 2>{m - kBusWindowMinutes, m};
}
/// The keys of each standard window (the second is none when equal to the first).
inline constexpr std::array<std::array<std::uint16_t, 2>, kWindowCount> kStandardBusKeys{{
    {bus_window_key(bus_trip::morning, 8 * 60), bus_window_key(bus_trip::evening, 17 * 60)},
    {bus_window_key(bus_trip::morning, 6 * 60 + 30), bus_window_key(bus_trip::morning, 6 * 60 + 30)},
    {bus_window_key(bus_trip::evening, 19 * 60 + 30), bus_window_key(bus_trip::evening, 19 * 60 + 30)},
    {bus_window_key(bus_trip::saturday, 8 * 60), bus_window_key(bus_trip::saturday, 8 * 60)},
}};

/// Referral source of a family (France Travail, CAF, Mission locale...).
enum class referrer : std::uint8_t { france_travail, caf, mission_locale };

}  // namespace avip::sim
