#include "geo/geos_context.hpp"

#include <fmt/format.h>

#include "core/error.hpp"

namespace avip::geo {

geos_context::geos_context() : handle_{GEOS_init_r()} {
  if (handle_ == nullptr) {
    throw geo_error{"cannot create a GEOS context (out of memory?)"};
  }
  // Errors are kept for the exception that follows a null result; notices are not errors.
  GEOSContext_setErrorMessageHandler_r(handle_, &geos_context::on_message, this);
}

void geos_context::on_message(char const* message, void* self) {
  static_cast<geos_context*>(self)->last_error_ = message == nullptr ? "" : message;
}

geos_context::geometry geos_context::checked(GEOSGeometry* g, char const* what) const {
  auto out = own(g);
  if (!out) {
    throw geo_error{
        fmt::format("GEOS could not compute {}{}{}", what, last_error_.empty() ? "" : ": ", last_error_)};
  }
  return out;
}

geos_context::~geos_context() {
  GEOS_finish_r(handle_);
}

geos_context::geometry geos_context::from_wkb(wkb const& bytes) const {
  auto g = own(GEOSGeomFromWKB_buf_r(handle_, bytes.data(), bytes.size()));
  if (!g) {
    throw geo_error{last_error_.empty() ? std::string{"geometry is not valid WKB"}
                                        : fmt::format("not a valid geometry ({})", last_error_)};
  }
  return g;
}

geos_context::geometry geos_context::from_wkt(std::string const& text) const {
  GEOSWKTReader* r = GEOSWKTReader_create_r(handle_);
  auto g = own(GEOSWKTReader_read_r(handle_, r, text.c_str()));
  GEOSWKTReader_destroy_r(handle_, r);
  if (!g) {
    throw geo_error{fmt::format("not a WKT geometry: '{}' ({})", text.substr(0, 60), last_error_)};
  }
  return g;
}

wkb geos_context::to_wkb(GEOSGeometry const* g) const {
  GEOSWKBWriter* w = GEOSWKBWriter_create_r(handle_);
  std::size_t size = 0;
  unsigned char* buf = GEOSWKBWriter_write_r(handle_, w, g, &size);
  GEOSWKBWriter_destroy_r(handle_, w);
  if (buf == nullptr) {
    throw geo_error{"cannot write geometry as WKB"};
  }
  wkb out(buf, buf + size);
  GEOSFree_r(handle_, buf);
  return out;
}

std::string geos_context::to_wkt(GEOSGeometry const* g) const {
  GEOSWKTWriter* w = GEOSWKTWriter_create_r(handle_);
  GEOSWKTWriter_setTrim_r(handle_, w, 1);
  char* text = GEOSWKTWriter_write_r(handle_, w, g);
  GEOSWKTWriter_destroy_r(handle_, w);
  std::string out{text == nullptr ? "" : text};
  GEOSFree_r(handle_, text);
  return out;
}

std::optional<std::string> geos_context::invalid_reason(GEOSGeometry const* g) const {
  if (GEOSisValid_r(handle_, g) == 1) {
    return std::nullopt;
  }
  char* reason = GEOSisValidReason_r(handle_, g);
  std::string out{reason == nullptr ? "invalid geometry" : reason};
  GEOSFree_r(handle_, reason);
  return out;
}

double geos_context::area(GEOSGeometry const* g) const {
  double a = 0.0;
  GEOSArea_r(handle_, g, &a);
  return a;
}

geos_context::geometry geos_context::buffer(GEOSGeometry const* g, double distance,
                                            int quadrant_segments) const {
  return checked(GEOSBuffer_r(handle_, g, distance, quadrant_segments), "a buffer");
}

geos_context::geometry geos_context::unary_union(std::vector<geometry> parts) const {
  std::vector<GEOSGeometry*> raw;
  raw.reserve(parts.size());
  for (auto& p : parts) {
    raw.push_back(p.release());
  }
  auto collection = own(GEOSGeom_createCollection_r(handle_, GEOS_GEOMETRYCOLLECTION, raw.data(),
                                                    static_cast<unsigned>(raw.size())));
  if (!collection) {
    for (auto* r : raw) {  // not taken over by GEOS
      GEOSGeom_destroy_r(handle_, r);
    }
    throw geo_error{fmt::format("GEOS could not collect the parts of a union: {}", last_error_)};
  }
  return checked(GEOSUnaryUnion_r(handle_, collection.get()), "a union");
}

geos_context::geometry geos_context::point(double x, double y) const {
  return checked(GEOSGeom_createPointFromXY_r(handle_, x, y), "a point");
}

geos_context::geometry geos_context::centroid(GEOSGeometry const* g) const {
  return checked(GEOSGetCentroid_r(handle_, g), "a centroid");
}

bool geos_context::covers(GEOSGeometry const* poly, double x, double y) const {
  auto p = point(x, y);
  return GEOSCovers_r(handle_, poly, p.get()) == 1;
}

bool geos_context::intersects(GEOSGeometry const* a, GEOSGeometry const* b) const {
  return GEOSIntersects_r(handle_, a, b) == 1;
}

geos_context::geometry geos_context::intersection(GEOSGeometry const* a, GEOSGeometry const* b) const {
  return checked(GEOSIntersection_r(handle_, a, b), "an intersection");
}

geos_context::geometry geos_context::box(double x0, double y0, double x1, double y1) const {
  return checked(GEOSGeom_createRectangle_r(handle_, x0, y0, x1, y1), "a rectangle");
}

}  // namespace avip::geo
