#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "geo/feature_table.hpp"

namespace avip::geo {

enum class field_type : std::uint8_t { integer, real, text, boolean };

struct field_def {
  std::string name;
  field_type type{field_type::text};
  std::string description;  ///< written where the format keeps it (GeoPackage gpkg_data_columns)
};

using field_value = std::variant<std::monostate, std::int64_t, double, std::string, bool>;

/// A layer to write: fields, then one row of values per feature and its geometry (WKB in `epsg`).
struct output_layer {
  std::string name;
  std::string title;  ///< human title (GeoPackage identifier/description)
  int epsg{0};        ///< CRS of `geometry`
  std::vector<field_def> fields;
  std::vector<std::vector<field_value>> rows;
  std::vector<wkb> geometry;  ///< empty = table without geometry
};

enum class vector_format : std::uint8_t { geojson, gpkg, csv, shapefile };

/// Writes one layer into a new GeoJSON (RFC 7946: WGS84, right-hand rings, no crs member), CSV, or
/// Shapefile file, or appends it to a GeoPackage (created if missing). GeoJSON is reprojected to
/// EPSG:4326; the other formats keep `epsg` unless `target_epsg` is set. Throws avip::geo_error.
void write_vector(std::string const& path, vector_format format, output_layer const& layer,
                  int target_epsg = 0);

}  // namespace avip::geo
