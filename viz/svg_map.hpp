#pragma once

#include <string>
#include <vector>

#include "geo/feature_table.hpp"
#include "geo/projection.hpp"

namespace avip::viz {

/// Colour ramps used in maps and documented in the README (sequential, colour-blind safe).
std::string ramp_coverage(double share);  ///< 0 → red, 1 → green (RdYlGn)
std::string ramp_unmet(double share);     ///< 0 → pale, 1 → dark purple
std::string ramp_delta(double delta);     ///< −1 → red, 0 → white, +1 → blue

/// An inline SVG map in the territory's metric CRS (north up), scaled to a width in pixels.
class svg_map {
 public:
  svg_map(double min_x, double min_y, double max_x, double max_y, int width);
  void polygon(geo::wkb const& g, std::string const& fill, std::string const& stroke, double stroke_width,
               std::string const& title, double simplify = 0.0);
  void square(double x, double y, double size, std::string const& fill, std::string const& title);
  void circle(double x, double y, double radius_px, std::string const& fill, std::string const& stroke,
              std::string const& title);
  void legend(std::vector<std::pair<std::string, std::string>> const& entries, std::string const& caption);
  [[nodiscard]] std::string str() const;

 private:
  [[nodiscard]] double sx(double x) const { return (x - min_x_) * scale_; }
  [[nodiscard]] double sy(double y) const { return (max_y_ - y) * scale_; }
  double min_x_, max_y_, scale_;
  int width_, height_;
  std::string body_;
  std::string legend_;
};

std::string html_escape(std::string const& s);

}  // namespace avip::viz
