#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <geos_c.h>

#include "geo/feature_table.hpp"

namespace avip::geo {

/// One GEOS context handle (GEOS_init_r). Not shared between threads: make one per thread
/// (`tbb::enumerable_thread_specific<geos_context>`). Hands out geometries whose deleter holds the
/// handle, so they are freed with the context that made them.
class geos_context {
 public:
  struct deleter {
    GEOSContextHandle_t handle{nullptr};
    void operator()(GEOSGeometry* g) const {
      if (g != nullptr) {
        GEOSGeom_destroy_r(handle, g);
      }
    }
  };
  using geometry = std::unique_ptr<GEOSGeometry, deleter>;

  geos_context();
  ~geos_context();
  geos_context(geos_context const&) = delete;
  geos_context& operator=(geos_context const&) = delete;

  [[nodiscard]] GEOSContextHandle_t handle() const { return handle_; }
  [[nodiscard]] geometry own(GEOSGeometry* g) const { return geometry{g, deleter{handle_}}; }

  /// GEOS's last error message on this context (e.g. "IllegalArgumentException: Points of LinearRing do
  /// not form a closed linestring"), or empty.
  [[nodiscard]] std::string const& last_error() const { return last_error_; }

  /// Throws avip::geo_error (with GEOS's message) when the bytes are not WKB or not a valid shape.
  [[nodiscard]] geometry from_wkb(wkb const& bytes) const;
  [[nodiscard]] geometry from_wkt(std::string const& text) const;
  [[nodiscard]] wkb to_wkb(GEOSGeometry const* g) const;
  [[nodiscard]] std::string to_wkt(GEOSGeometry const* g) const;

  /// The operations below throw avip::geo_error with GEOS's message when GEOS returns no geometry.
  /// nullopt when valid, else GEOS's reason (e.g. "Self-intersection[1 1]").
  [[nodiscard]] std::optional<std::string> invalid_reason(GEOSGeometry const* g) const;
  [[nodiscard]] double area(GEOSGeometry const* g) const;
  [[nodiscard]] geometry buffer(GEOSGeometry const* g, double distance, int quadrant_segments = 8) const;
  [[nodiscard]] geometry unary_union(std::vector<geometry> parts) const;
  [[nodiscard]] geometry point(double x, double y) const;
  [[nodiscard]] geometry centroid(GEOSGeometry const* g) const;
  /// Point on the boundary counts as inside (covers), so edges are never lost between neighbours.
  [[nodiscard]] bool covers(GEOSGeometry const* poly, double x, double y) const;
  [[nodiscard]] bool intersects(GEOSGeometry const* a, GEOSGeometry const* b) const;
  [[nodiscard]] geometry intersection(GEOSGeometry const* a, GEOSGeometry const* b) const;
  [[nodiscard]] geometry box(double x0, double y0, double x1, double y1) const;

 private:
  /// `g`, or a geo_error naming `what` and GEOS's message when it is null.
  [[nodiscard]] geometry checked(GEOSGeometry* g, char const* what) const;
  static void on_message(char const* message, void* self);

  GEOSContextHandle_t handle_;
  std::string last_error_;
};

}  // namespace avip::geo
