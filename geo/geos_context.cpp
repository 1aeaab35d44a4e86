#include "geo/geos_context.hpp"

#include <cstdarg>
#include <cstdio>

#include <fmt/format.h>

#include "core/error.hpp"

namespace avip::geo {

namespace {

void geos_message(char const* fmt_text, ...) {
  (void)fmt_text;  // GEOS notices and errors surface through return values and exceptions
}

}  // namespace

geos_context::geos_context() : handle_{GEOS_init_r()} {
  GEOSContext_setNoticeHandler_r(handle_, geos_message);
  GEOSContext_setErrorHandler_r(handle_, geos_message);
}

geos_context::~geos_context() {
  GEOS_finish_r(handle_);
}

geos_context::geometry geos_context::from_wkb(wkb const& bytes) const {
  auto g = own(GEOSGeomFromWKB_buf_r(handle_, bytes.data(), bytes.size()));
  if (!g) {
    throw geo_error{"geometry is not valid WKB"};
  }
  return g;
}

geos_context::geometry geos_context::from_wkt(std::string const& text) const {
  GEOSWKTReader* r = GEOSWKTReader_create_r(handle_);
  auto g = own(GEOSWKTReader_read_r(handle_, r, text.c_str()));
  GEOSWKTReader_destroy_r(handle_, r);
  if (!g) {
    throw geo_error{fmt::format("not a WKT geometry: '{}'", text.substr(0, 60))};
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
  return own(GEOSBuffer_r(handle_, g, distance, quadrant_segments));
}

geos_context::geometry geos_context::unary_union(std::vector<geometry> parts) const {
  std::vector<GEOSGeometry*> raw;
  raw.reserve(parts.size());
  for (auto& p : parts) {
    raw.push_back(p.release());
  }
  auto collection = own(GEOSGeom_createCollection_r(handle_, GEOS_GEOMETRYCOLLECTION, raw.data(),
                                                    static_cast<unsigned>(raw.size())));
  return own(GEOSUnaryUnion_r(handle_, collection.get()));
}

geos_context::geometry geos_context::point(double x, double y) const {
  return own(GEOSGeom_createPointFromXY_r(handle_, x, y));
}

geos_context::geometry geos_context::centroid(GEOSGeometry const* g) const {
  return own(GEOSGetCentroid_r(handle_, g));
}

bool geos_context::covers(GEOSGeometry const* poly, double x, double y) const {
  auto p = point(x, y);
  return GEOSCovers_r(handle_, poly, p.get()) == 1;
}

bool geos_context::intersects(GEOSGeometry const* a, GEOSGeometry const* b) const {
  return GEOSIntersects_r(handle_, a, b) == 1;
}

geos_context::geometry geos_context::intersection(GEOSGeometry const* a, GEOSGeometry const* b) const {
  return own(GEOSIntersection_r(handle_, a, b));
}

geos_context::geometry geos_context::box(double x0, double y0, double x1, double y1) const {
  return own(GEOSGeom_createRectangle_r(handle_, x0, y0, x1, y1));
}

}  // namespace avip::geo
