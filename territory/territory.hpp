#pragma once

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "geo/feature_table.hpp"
#include "geo/gtfs_check.hpp"
#include "sim/world.hpp"

namespace avip::territory {

/// Points (grid cells, facilities, families, a scenario's new facilities) outside every commune but
/// within this distance of one, in metres, belong to the nearest: a simplified coastline leaves coastal
/// points a little off shore.
inline constexpr double kCoastSnapMetres = 2000.0;

/// One input file and its content hash (recorded in summary.json so a run can be traced to its data).
struct input_file {
  std::string layer;  ///< contract layer: communes, qpv, grid, facilities, families, gtfs...
  std::filesystem::path path;
  std::string sha256;
};

/// A loaded territory: the read-only world for the simulation plus the geometry that only the
/// outputs need (in the world's metric CRS, as WKB), and where everything came from.
struct territory {
  std::filesystem::path manifest;  ///< the manifest file
  std::string name;
  sim::world world;
  std::vector<geo::wkb> commune_geometry;   ///< indexed like world.communes
  std::vector<geo::wkb> qpv_geometry;       ///< indexed like world.qpvs
  std::vector<std::filesystem::path> gtfs;  ///< GTFS feeds (zip or folder), possibly none
  /// OpenStreetMap extract (.osm.pbf, .osm) for car and walking times on roads; empty when not given
  /// (straight lines × the communes' detour factors).
  std::filesystem::path roads;
  std::vector<input_file> inputs;
  std::vector<std::string> synthetic_layers;  ///< contract layers flagged synthetic, for the report
  std::string provenance;                     ///< provenance note from the manifest
};

/// Where a territory's bus stops may lie: the box of its grid cells widened by a walk to a stop (2 km);
/// nullopt without a grid. `check` warns of each stop outside it; a feed with every stop outside is
/// refused by `check`, `run` and `transit` alike.
inline std::optional<geo::gtfs_extent> stops_extent(territory const& t) {
  auto const& g = t.world.grid;
  if (g.centre.empty()) {
    return std::nullopt;
  }
  double const margin = g.cell_size / 2 + 2000.0;
  geo::gtfs_extent e{t.world.epsg, g.centre.front().x, g.centre.front().y, g.centre.front().x,
                     g.centre.front().y};
  for (auto const& c : g.centre) {
    e.min_x = std::min(e.min_x, c.x);
    e.min_y = std::min(e.min_y, c.y);
    e.max_x = std::max(e.max_x, c.x);
    e.max_y = std::max(e.max_y, c.y);
  }
  e.min_x -= margin;
  e.min_y -= margin;
  e.max_x += margin;
  e.max_y += margin;
  return e;
}

}  // namespace avip::territory
