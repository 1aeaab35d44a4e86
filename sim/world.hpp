#pragma once

#include <array>
#include <cstdint>
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

/// Door-to-door bus travel times (walking access and egress included) from each grid cell to the
/// facilities it reaches within the longest tolerance, per time window: CSR over cells.
struct bus_access {
  static constexpr std::uint16_t kUnreachable = 0xFFFF;
  std::vector<std::uint32_t> offsets;  ///< size cells + 1, or empty when no timetable was given
  std::vector<facility_idx> facility;
  std::vector<std::array<std::uint16_t, kWindowCount>> minutes;
  [[nodiscard]] bool empty() const { return offsets.empty(); }
};

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
};

}  // namespace avip::sim
