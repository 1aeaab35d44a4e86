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

/// A table of text cells as CSV through GDAL's CSV driver: comma-separated, UTF-8 without BOM, one
/// line per row, a cell quoted as RFC 4180 says only where it needs it (GDAL quotes a cell holding a
/// comma, a semicolon, a tab, a double quote or a line break); the first line is `columns`. Written
/// beside `path` and renamed into it once complete (replacing it, as the atomic text writer does).
/// Throws avip::geo_error.
void write_csv_table(std::string const& path, std::vector<std::string> const& columns,
                     std::vector<std::vector<std::string>> const& rows);

}  // namespace avip::geo
