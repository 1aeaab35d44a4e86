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

/// Time windows for access (DESIGN.md "Access").
enum class time_window : std::uint8_t { weekday, early, late, saturday };
inline constexpr std::size_t kWindowCount = 4;
inline constexpr std::array<std::string_view, kWindowCount> kWindowNames{"weekday", "early", "late",
                                                                         "saturday"};

/// Referral source of a family (France Travail, CAF, Mission locale...).
enum class referrer : std::uint8_t { france_travail, caf, mission_locale };

}  // namespace avip::sim
