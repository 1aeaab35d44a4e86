#pragma once

#include <map>
#include <optional>
#include <string>

#include "geo/feature_table.hpp"

namespace avip::geo {

struct read_options {
  std::string layer;  ///< layer name; empty = the only/first layer
  /// contract name -> the user's column name, so that a planner's own column names work.
  std::map<std::string, std::string> field_map;
  /// For CSV (or any table without geometry): the columns holding coordinates (after mapping).
  std::optional<std::string> x_field;
  std::optional<std::string> y_field;
  /// CRS of the source when the file does not say (CSV coordinates); default EPSG:4326.
  std::optional<int> source_epsg;
  /// Reproject geometries into this CRS (PROJ); nullopt keeps the source CRS.
  std::optional<int> target_epsg;
};

/// Reads any OGR vector source (GeoJSON, GeoPackage, Shapefile, CSV with coordinates, and files in a
/// zip via /vsizip/) into a feature_table. Throws avip::geo_error naming the file (and layer) when it
/// cannot be opened, the layer is missing or empty, a geometry is invalid, or the CRS is unknown.
feature_table read_vector(std::string const& path, read_options const& options = {});

}  // namespace avip::geo
