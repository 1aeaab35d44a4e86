#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/strong_index.hpp"
#include "sim/types.hpp"
#include "sim/week_mask.hpp"

namespace avip::sim {

// The world: everything a run reads, built once (by territory/ and scenarios/) and then read-only.
// Struct-of-arrays: one vector per attribute, all of one table's vectors the same length, indexed by
// that table's strong index. Coordinates are in the territory's metric CRS. Geometry stays in geo/;
// the sim sees only the index arrays (which commune, QPV, cell each entity belongs to).

struct sector_table {
  index_vector<sector_idx, std::string> name;  ///< e.g. "Nord-Est", "Sud-Ouest", or an EPCI name
  [[nodiscard]] std::size_t size() const { return name.size(); }
};

struct commune_table {
  index_vector<commune_idx, std::string> code;  ///< INSEE code, e.g. "97402"
  index_vector<commune_idx, std::string> name;
  index_vector<commune_idx, std::string> epci;
  index_vector<commune_idx, sector_idx> sector;
  index_vector<commune_idx, double> population;
  index_vector<commune_idx, double> children_under_3;  ///< for the taux de couverture
  index_vector<commune_idx, std::uint8_t> zrr;         ///< rural revitalisation zone (whole commune)
  index_vector<commune_idx, point> centroid;
  /// Share of poor households (Filosofi, 0–1), to rank communes by income in the equity indicators;
  /// NaN when unknown.
  index_vector<commune_idx, double> poverty_rate;
  /// Road length ÷ straight line for car and walking trips of the families living in the commune when
  /// the territory has no road graph (mountain roads: Cilaos, Salazie); NaN (or absent) when not given:
  /// params.detour_factor.
  index_vector<commune_idx, double> detour_factor;
  [[nodiscard]] std::size_t size() const { return code.size(); }
};

struct qpv_table {
  index_vector<qpv_idx, std::string> code;  ///< e.g. "QP974001"
  index_vector<qpv_idx, std::string> name;
  index_vector<qpv_idx, commune_idx> commune;
  index_vector<qpv_idx, double> residents;
  index_vector<qpv_idx, std::uint8_t> synthetic;
  [[nodiscard]] std::size_t size() const { return code.size(); }
};

/// Population grid (200 m cells in La Réunion). `centre` is the cell centre.
struct grid_table {
  double cell_size{200.0};
  index_vector<cell_idx, std::string> id;  ///< INSPIRE id, e.g. CRS2975RES200mN7634200E0359400
  index_vector<cell_idx, point> centre;
  index_vector<cell_idx, commune_idx> commune;
  index_vector<cell_idx, qpv_idx> qpv;  ///< invalid when the centre is in no QPV
  index_vector<cell_idx, double> people;
  index_vector<cell_idx, double> children_0_3;
  index_vector<cell_idx, double> low_income_households;
  index_vector<cell_idx, double> single_parent_households;  ///< negative when unknown
  [[nodiscard]] std::size_t size() const { return id.size(); }
};

/// Childcare offer. A Baby Bus is several `baby_bus_site` rows sharing one `bus`; each row holds that
/// site's days and hours, and `places` is the capacity per session.
struct facility_table {
  index_vector<facility_idx, std::string> id;
  index_vector<facility_idx, std::string> name;
  index_vector<facility_idx, facility_kind> kind;
  index_vector<facility_idx, std::int32_t> places;  ///< PMI-approved places
  index_vector<facility_idx, week_mask> hours;
  index_vector<facility_idx, std::string> hours_text;  ///< as written (OSM opening_hours syntax)
  index_vector<facility_idx, double> occupancy;        ///< 0–1, share of places taken at the start
  index_vector<facility_idx, std::uint8_t> avip;       ///< AVIP label
  /// Places labelled AVIP by the label convention ("un nombre de places AVIP sera labellisé par EAJE",
  /// seed 002): the most AVIP children the structure holds at once, and the places the CAF funds.
  /// 0 when not given: the model then uses params.labelled_places_share × places (labelled_places()).
  index_vector<facility_idx, std::int32_t> avip_places;
  /// Year the AVIP label was first granted (e.g. 2021); 0 when unknown or not labelled. The CAF pays
  /// the first-year rate only when it equals params.year.
  index_vector<facility_idx, std::int16_t> label_year;
  index_vector<facility_idx, network_idx> network;  ///< labelled network, or invalid
  index_vector<facility_idx, manager_idx> manager;  ///< or invalid
  index_vector<facility_idx, bus_idx> bus;          ///< Baby Bus this site belongs to, or invalid
  index_vector<facility_idx, std::uint8_t> synthetic;
  index_vector<facility_idx, std::string> source;
  index_vector<facility_idx, point> location;
  index_vector<facility_idx, commune_idx> commune;
  index_vector<facility_idx, qpv_idx> qpv;
  index_vector<facility_idx, cell_idx> cell;  ///< grid cell containing it, or invalid
  index_vector<network_idx, std::string> network_id;
  index_vector<network_idx, std::uint8_t> network_has_coordinator;
  index_vector<manager_idx, std::string> manager_id;
  index_vector<bus_idx, std::string> bus_id;
  [[nodiscard]] std::size_t size() const { return id.size(); }
};

/// Demand: households in insertion with children under 3 (or up to 6 for a disabled child).
struct family_table {
  index_vector<family_idx, std::string> id;
  index_vector<family_idx, point> location;
  index_vector<family_idx, commune_idx> commune;
  index_vector<family_idx, qpv_idx> qpv;
  index_vector<family_idx, cell_idx> cell;
  index_vector<family_idx, std::uint8_t> zrr;
  index_vector<family_idx, std::uint8_t> children_under_3;
  index_vector<family_idx, std::uint8_t> child_age_months;  ///< youngest child at the start of the horizon
  index_vector<family_idx, std::uint8_t> disabled_child;
  index_vector<family_idx, std::uint8_t> single_parent;
  index_vector<family_idx, std::uint8_t> parent_under_26;
  index_vector<family_idx, insertion_path> path;
  index_vector<family_idx, week_mask> hours;  ///< care hours needed each week
  index_vector<family_idx, mobility> mobility_mode;
  index_vector<family_idx, std::int8_t> referral_month;  ///< 0-based month of the horizon, or -1: drawn
  index_vector<family_idx, std::uint8_t> synthetic;
  [[nodiscard]] std::size_t size() const { return id.size(); }
  /// 2025 accord priority public: single parent, QPV or ZRR resident, or parent under 26.
  [[nodiscard]] bool priority(family_idx f) const {
    return single_parent[f] != 0 || qpv[f].valid() || zrr[f] != 0 || parent_under_26[f] != 0;
  }
};

/// Door-to-door bus times (walking access and egress included, initial wait included) from grid cells
/// to facilities, per bus window key (sim/types.hpp): rows (cell, key) sorted, each row's facilities
/// sorted, holding the median and 80th percentile minutes over the window's departure minutes when the
/// median is within the bus tolerance. Only the (cell, key) pairs somebody needs are computed.
struct bus_access {
  static constexpr std::uint16_t kUnreachable = 0xFFFF;
  std::vector<std::uint64_t> row;      ///< cell << 16 | window key, sorted
  std::vector<std::uint32_t> offsets;  ///< size rows + 1, or empty when no timetable was given
  std::vector<facility_idx> facility;
  std::vector<std::uint16_t> median;
  std::vector<std::uint16_t> p80;
  [[nodiscard]] bool empty() const { return offsets.empty(); }
  static std::uint64_t row_key(cell_idx c, std::uint16_t key) {
    return (std::uint64_t{c.index()} << 16U) | key;
  }
  /// Index of the (cell, key, facility) entry, or npos.
  [[nodiscard]] std::size_t find(cell_idx c, std::uint16_t key, facility_idx k) const {
    auto const r = std::lower_bound(row.begin(), row.end(), row_key(c, key));
    if (r == row.end() || *r != row_key(c, key)) {
      return npos;
    }
    auto const i = static_cast<std::size_t>(r - row.begin());
    auto const b = facility.begin() + offsets[i];
    auto const e = facility.begin() + offsets[i + 1];
    auto const f = std::lower_bound(b, e, k);
    return f != e && *f == k ? static_cast<std::size_t>(f - facility.begin()) : npos;
  }
  /// Median minutes, kUnreachable when not within the tolerance.
  [[nodiscard]] std::uint16_t median_minutes(cell_idx c, std::uint16_t key, facility_idx k) const {
    auto const i = find(c, key, k);
    return i == npos ? kUnreachable : median[i];
  }
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
};

/// Car and walking minutes on the territory's road graph (OpenStreetMap) from each family's home to the
/// facilities within the longest tolerance: CSR over families, each row sorted by facility. Empty when
/// the territory gives no road graph: car and walking times are then straight lines × the detour factor
/// of the family's commune. A family or facility beyond the snapping limit of the walking graph walks in
/// a straight line; beyond that of the car graph it has no car time.
struct road_access {
  std::vector<std::uint32_t> offsets;  ///< size families + 1, or empty when there is no road graph
  std::vector<facility_idx> facility;
  std::vector<float> car;   ///< minutes, +infinity when not reachable by car within the bound
  std::vector<float> walk;  ///< minutes, +infinity when not reachable on foot within the bound
  std::vector<std::uint8_t> family_walks_on_roads;    ///< per family: within the walking snapping limit
  std::vector<std::uint8_t> facility_walks_on_roads;  ///< per facility
  double max_car_kmh{0.0};                            ///< fastest car speed of the graph
  [[nodiscard]] bool empty() const { return offsets.empty(); }
  /// Index of the (family, facility) entry, or npos.
  [[nodiscard]] std::size_t find(family_idx f, facility_idx k) const {
    if (f.index() + 1 >= offsets.size()) {
      return npos;
    }
    auto const b = facility.begin() + offsets[f.index()];
    auto const e = facility.begin() + offsets[f.index() + 1];
    auto const it = std::lower_bound(b, e, k);
    return it != e && *it == k ? static_cast<std::size_t>(it - facility.begin()) : npos;
  }
  /// Car minutes on the roads; +infinity when not within the bound or off the car graph.
  [[nodiscard]] double car_minutes(family_idx f, facility_idx k) const {
    auto const i = find(f, k);
    return i == npos ? kInfinity : car[i];
  }
  /// Walking minutes on the roads, or NaN when either end is off the walking graph (walk straight).
  [[nodiscard]] double walk_minutes(family_idx f, facility_idx k) const {
    if (f.index() >= family_walks_on_roads.size() || family_walks_on_roads[f.index()] == 0 ||
        k.index() >= facility_walks_on_roads.size() || facility_walks_on_roads[k.index()] == 0) {
      return std::numeric_limits<double>::quiet_NaN();
    }
    auto const i = find(f, k);
    return i == npos ? kInfinity : walk[i];
  }
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  static constexpr double kInfinity = std::numeric_limits<double>::infinity();
};

/// The detour factor of commune `c` (road ÷ straight line), or `fallback` when the commune gives none.
inline double detour_factor_of(commune_table const& communes, commune_idx c, double fallback) {
  if (!c.valid() || c.index() >= communes.detour_factor.size()) {
    return fallback;
  }
  double const d = communes.detour_factor[c];
  return d >= 1.0 ? d : fallback;  // NaN compares false
}

/// The bus windows a family's care hours give (15-min slots): drop-off = the earliest opening over
/// Monday–Friday, pick-up = the latest closing; the Saturday and the Sunday drop-offs when it needs them.
struct family_bus_windows {
  bool weekday{false};
  bool saturday{false};
  bool sunday{false};
  std::uint16_t morning{0};
  std::uint16_t evening{0};
  std::uint16_t saturday_morning{0};
  std::uint16_t sunday_morning{0};

  [[nodiscard]] bool any() const { return weekday || saturday || sunday; }
  /// Calls `f(key)` for each window the family travels in.
  template <class F>
  void for_each_key(F&& f) const {
    if (weekday) {
      f(morning);
      f(evening);
    }
    if (saturday) {
      f(saturday_morning);
    }
    if (sunday) {
      f(sunday_morning);
    }
  }
};
inline family_bus_windows bus_windows_of(week_mask const& m) {
  family_bus_windows w;
  int drop = 24 * 60;
  int pick = 0;
  for (int d = 0; d < 5; ++d) {
    for (int slot = 0; slot < static_cast<int>(week_mask::kSlotsPerDay); ++slot) {
      if (m.is_open(d, slot * week_mask::kMinutesPerSlot)) {
        drop = std::min(drop, slot * week_mask::kMinutesPerSlot);
        pick = std::max(pick, (slot + 1) * week_mask::kMinutesPerSlot);
      }
    }
  }
  if (pick > 0) {
    w.weekday = true;
    w.morning = bus_window_key(bus_trip::morning, drop);
    w.evening = bus_window_key(bus_trip::evening, pick);
  }
  auto first_drop = [&](int day, bus_trip trip, bool& needed, std::uint16_t& key) {
    for (int slot = 0; slot < static_cast<int>(week_mask::kSlotsPerDay); ++slot) {
      if (m.is_open(day, slot * week_mask::kMinutesPerSlot)) {
        needed = true;
        key = bus_window_key(trip, slot * week_mask::kMinutesPerSlot);
        return;
      }
    }
  };
  first_drop(5, bus_trip::saturday, w.saturday, w.saturday_morning);
  first_drop(6, bus_trip::sunday, w.sunday, w.sunday_morning);
  return w;
}

struct world {
  std::string territory;  ///< e.g. "La Réunion (974)"
  int epsg{0};            ///< metric CRS of every coordinate
  sector_table sectors;
  commune_table communes;
  qpv_table qpvs;
  grid_table grid;
  facility_table facilities;
  family_table families;
  bus_access bus;
  road_access roads;
};

}  // namespace avip::sim
