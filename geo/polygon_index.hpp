#pragma once

#include <cstdint>
#include <vector>

#include "geo/feature_table.hpp"
#include "geo/projection.hpp"

namespace avip::geo {

inline constexpr std::uint32_t kNoPolygon = 0xFFFFFFFFU;

/// For each point, the index of the first polygon that covers it (boundary included; a point in a
/// hole is outside), or kNoPolygon. STR-tree (GEOSSTRtree_r) over the polygons' envelopes; parallel
/// over points with one GEOS context per thread. Polygons and points in the same CRS.
std::vector<std::uint32_t> locate_points(std::vector<wkb> const& polygons, std::vector<xy> const& points);

/// For points outside every polygon, the nearest polygon within `max_distance` (coastal points of a
/// simplified outline), else kNoPolygon. Updates `located` in place.
void snap_to_nearest(std::vector<wkb> const& polygons, std::vector<xy> const& points,
                     std::vector<std::uint32_t>& located, double max_distance);

}  // namespace avip::geo
