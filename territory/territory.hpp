#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "geo/feature_table.hpp"
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

}  // namespace avip::territory
