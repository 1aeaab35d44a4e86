#pragma once

#include <cstdint>
#include <vector>

#include "core/random.hpp"
#include "geo/geos_context.hpp"
#include "territory/territory.hpp"

namespace avip::synth {

/// How the QPV polygons of a territory cover its 200 m grid cells, to draw points inside a QPV or
/// outside every QPV. Points are drawn at least `kMargin` from every QPV boundary, on the side asked,
/// so that the 6-decimal coordinates of the GeoJSON (about 0.1 m) put them on the same side when the
/// layer is read back and joined to the QPV by point in polygon.
class qpv_cover {
 public:
  static constexpr double kMargin = 1.0;  ///< metres

  /// `geos` must outlive this object (it owns the geometries made here).
  qpv_cover(territory::territory const& t, geo::geos_context const& geos);

  [[nodiscard]] std::size_t qpv_count() const { return polygon_.size(); }
  /// Share of the square of grid cell `cell` inside some QPV, 0–1.
  [[nodiscard]] double covered(std::uint32_t cell) const { return covered_[cell]; }
  /// Σ weight[cell] × the share of the cell's square inside QPV `qpv`.
  [[nodiscard]] double weight_in(std::uint32_t qpv, std::vector<double> const& weight) const;
  /// A point inside QPV `qpv`: on a cell drawn ∝ weight[cell] × the cell's share inside it (∝ that share
  /// when every weight is 0), uniformly within the part of the cell inside the QPV.
  [[nodiscard]] sim::point draw_inside(std::uint32_t qpv, std::vector<double> const& weight,
                                       random_stream& rng) const;
  /// True when (x, y), a point of the square of cell `cell`, lies inside a QPV or within kMargin of one.
  [[nodiscard]] bool near_any(std::uint32_t cell, double x, double y) const;
  /// True when (x, y) lies inside QPV `qpv` (boundary included).
  [[nodiscard]] bool inside(std::uint32_t qpv, double x, double y) const;

 private:
  /// The part of one grid cell inside one QPV.
  struct part {
    std::uint32_t qpv{0};
    std::uint32_t cell{0};
    double share{0.0};                     ///< of the cell's square
    geo::geos_context::geometry interior;  ///< the square ∩ the QPV shrunk by kMargin; null if empty
    double x0{0}, y0{0}, x1{0}, y1{0};     ///< envelope of `interior`
  };
  /// A part of QPV `qpv` drawn ∝ weight[cell] × share (∝ share when `weight` is null), or null when
  /// none has mass.
  part const* pick(std::uint32_t qpv, std::vector<double> const* weight, random_stream& rng) const;
  sim::point draw_in(part const& p, random_stream& rng) const;

  geo::geos_context const& geos_;
  std::vector<geo::geos_context::geometry> polygon_;  ///< as read, by QPV
  std::vector<geo::geos_context::geometry> shrunk_;   ///< buffered by −kMargin
  std::vector<geo::geos_context::geometry> grown_;    ///< buffered by +kMargin
  std::vector<part> parts_;
  std::vector<std::vector<std::size_t>> parts_of_qpv_;
  std::vector<std::vector<std::uint32_t>> qpv_of_cell_;  ///< QPV overlapping each cell (grown)
  std::vector<double> covered_;
};

}  // namespace avip::synth
