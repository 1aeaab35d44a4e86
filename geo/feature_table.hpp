#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace avip::geo {

/// A geometry as ISO WKB bytes: plain data that crosses module and thread boundaries freely.
using wkb = std::vector<unsigned char>;

/// One layer read into plain arrays on the calling thread (the GDAL dataset is closed afterwards).
/// Columns carry the *contract* names once a field mapping has been applied.
struct feature_table {
  std::string file;   ///< as given by the user (for messages)
  std::string layer;  ///< OGR layer name
  int epsg{0};        ///< CRS of `geometry` (after reprojection, if one was asked)
  std::vector<std::string> columns;
  /// values[column][feature]; nullopt for an unset/null field. Numbers come as their text form.
  std::vector<std::vector<std::optional<std::string>>> values;
  std::vector<std::int64_t> fid;  ///< OGR feature id (what a planner sees in QGIS)
  std::vector<wkb> geometry;      ///< empty vector when the layer has no geometry

  [[nodiscard]] std::size_t size() const { return fid.size(); }
  /// Index of a column, or nullopt.
  [[nodiscard]] std::optional<std::size_t> column(std::string const& name) const;
  /// The text of (feature, column); throws avip::data_error naming file, layer, feature and field
  /// when the column is missing or the value null.
  [[nodiscard]] std::string const& text(std::size_t feature, std::string const& name) const;
  /// The number in (feature, column); throws avip::data_error (same naming) when not a number.
  [[nodiscard]] double number(std::size_t feature, std::string const& name) const;
  /// "file 'f', layer 'l', feature N" for messages.
  [[nodiscard]] std::string where(std::size_t feature) const;
};

}  // namespace avip::geo
