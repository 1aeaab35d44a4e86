#pragma once

#include <memory>

namespace avip::geo {

struct xy {
  double x{0.0};
  double y{0.0};
};

/// A PROJ transformation between two EPSG CRSs, coordinates always in (x = east/lon, y = north/lat)
/// order. Owns its PROJ context: use one per thread (PROJ: "all operations within a context in the same
/// thread"). Throws avip::geo_error for an unknown EPSG code.
class transformer {
 public:
  transformer(int from_epsg, int to_epsg);
  ~transformer();
  transformer(transformer&&) noexcept;
  transformer& operator=(transformer&&) noexcept;
  transformer(transformer const&) = delete;
  transformer& operator=(transformer const&) = delete;

  [[nodiscard]] xy forward(xy p) const;
  [[nodiscard]] xy inverse(xy p) const;
  [[nodiscard]] int from() const { return from_; }
  [[nodiscard]] int to() const { return to_; }

 private:
  struct kit;
  std::unique_ptr<kit> kit_;
  int from_;
  int to_;
};

/// The metric CRS for data whose WGS84 extent is given: EPSG:2975 (RGR92 / UTM 40S) for La Réunion,
/// EPSG:2154 (Lambert-93) for mainland France and Corsica, otherwise the WGS84 UTM zone of the centre.
int choose_metric_epsg(double min_lon, double min_lat, double max_lon, double max_lat);

/// Throws avip::geo_error when PROJ does not know `epsg`.
void require_known_epsg(int epsg);

}  // namespace avip::geo
