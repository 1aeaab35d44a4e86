#pragma once

#include <optional>
#include <vector>

#include "geo/feature_table.hpp"
#include "geo/projection.hpp"

namespace avip::geo {

/// Union of polygons (e.g. communes dissolved into sectors).
wkb dissolve(std::vector<wkb> const& parts);

/// The rings (exterior then interior, for every polygon part) of a (multi)polygon, simplified with
/// `tolerance` (same units, topology preserved; 0 = as is). For drawing maps.
std::vector<std::vector<xy>> polygon_rings(wkb const& polygon, double tolerance);

/// A polyline simplified with `tolerance` (same units; Douglas-Peucker, ends kept; 0 = as is). For
/// drawing maps. Fewer than three points are returned as they are.
std::vector<xy> simplify_line(std::vector<xy> const& line, double tolerance);

/// An axis-aligned square centred on (x, y), as WKB.
wkb square(double x, double y, double size);

/// A point as WKB.
wkb point_wkb(double x, double y);

/// The coordinates of a point geometry (2-D or 3-D WKB), or nullopt when it is not a single point.
/// Throws avip::geo_error when the bytes are not WKB.
std::optional<xy> point_coordinates(wkb const& geometry);

/// The point standing for a geometry: a point's own coordinates (2-D or 3-D WKB), the centroid (GEOS) of
/// any other shape; nullopt for an empty geometry. Throws avip::geo_error when the bytes are not WKB.
std::optional<xy> centroid(wkb const& geometry);

/// True when every geometry is a single point (2-D or 3-D WKB). Throws avip::geo_error when the bytes
/// are not WKB.
bool all_points(std::vector<wkb> const& geometries);

}  // namespace avip::geo
