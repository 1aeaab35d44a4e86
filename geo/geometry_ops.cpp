#include "geo/geometry_ops.hpp"

#include <algorithm>

#include "geo/geos_context.hpp"

namespace avip::geo {

namespace {

geos_context& local_context() {
  thread_local geos_context ctx;
  return ctx;
}

void add_ring(geos_context& g, GEOSGeometry const* ring, std::vector<std::vector<xy>>& out) {
  auto const* seq = GEOSGeom_getCoordSeq_r(g.handle(), ring);
  unsigned n = 0;
  GEOSCoordSeq_getSize_r(g.handle(), seq, &n);
  std::vector<xy> pts(n);
  for (unsigned i = 0; i < n; ++i) {
    GEOSCoordSeq_getXY_r(g.handle(), seq, i, &pts[i].x, &pts[i].y);
  }
  out.push_back(std::move(pts));
}

void add_polygon(geos_context& g, GEOSGeometry const* poly, std::vector<std::vector<xy>>& out) {
  add_ring(g, GEOSGetExteriorRing_r(g.handle(), poly), out);
  int const holes = GEOSGetNumInteriorRings_r(g.handle(), poly);
  for (int i = 0; i < holes; ++i) {
    add_ring(g, GEOSGetInteriorRingN_r(g.handle(), poly, i), out);
  }
}

}  // namespace

wkb dissolve(std::vector<wkb> const& parts) {
  auto& g = local_context();
  std::vector<geos_context::geometry> geoms;
  for (auto const& p : parts) {
    geoms.push_back(g.from_wkb(p));
  }
  auto u = g.unary_union(std::move(geoms));
  return g.to_wkb(u.get());
}

std::vector<std::vector<xy>> polygon_rings(wkb const& polygon, double tolerance) {
  auto& g = local_context();
  auto geom = g.from_wkb(polygon);
  if (tolerance > 0) {
    geom = g.own(GEOSTopologyPreserveSimplify_r(g.handle(), geom.get(), tolerance));
  }
  std::vector<std::vector<xy>> out;
  int const type = GEOSGeomTypeId_r(g.handle(), geom.get());
  if (type == GEOS_POLYGON) {
    add_polygon(g, geom.get(), out);
  } else {
    int const n = GEOSGetNumGeometries_r(g.handle(), geom.get());
    for (int i = 0; i < n; ++i) {
      auto const* part = GEOSGetGeometryN_r(g.handle(), geom.get(), i);
      if (GEOSGeomTypeId_r(g.handle(), part) == GEOS_POLYGON) {
        add_polygon(g, part, out);
      }
    }
  }
  return out;
}

std::vector<xy> simplify_line(std::vector<xy> const& line, double tolerance) {
  if (line.size() < 3 || tolerance <= 0) {
    return line;
  }
  auto& g = local_context();
  auto* seq = GEOSCoordSeq_create_r(g.handle(), static_cast<unsigned>(line.size()), 2);
  for (std::size_t i = 0; i < line.size(); ++i) {
    GEOSCoordSeq_setXY_r(g.handle(), seq, static_cast<unsigned>(i), line[i].x, line[i].y);
  }
  auto const geom = g.own(GEOSGeom_createLineString_r(g.handle(), seq));  // takes the sequence
  auto const simple =
      geom ? g.own(GEOSSimplify_r(g.handle(), geom.get(), tolerance)) : geos_context::geometry{};
  if (!simple) {
    return line;
  }
  std::vector<std::vector<xy>> out;
  add_ring(g, simple.get(), out);  // a line string's points, as a ring's
  return out.front();
}

wkb square(double x, double y, double size) {
  auto& g = local_context();
  auto b = g.box(x - size / 2, y - size / 2, x + size / 2, y + size / 2);
  return g.to_wkb(b.get());
}

wkb point_wkb(double x, double y) {
  auto& g = local_context();
  auto p = g.point(x, y);
  return g.to_wkb(p.get());
}

std::optional<xy> point_coordinates(wkb const& geometry) {
  auto& g = local_context();
  auto const p = g.from_wkb(geometry);
  if (GEOSGeomTypeId_r(g.handle(), p.get()) != GEOS_POINT || GEOSisEmpty_r(g.handle(), p.get()) != 0) {
    return std::nullopt;
  }
  xy out{};
  if (GEOSGeomGetX_r(g.handle(), p.get(), &out.x) == 0 || GEOSGeomGetY_r(g.handle(), p.get(), &out.y) == 0) {
    return std::nullopt;
  }
  return out;
}

std::optional<xy> centroid(wkb const& geometry) {
  auto& g = local_context();
  auto const shape = g.from_wkb(geometry);
  if (GEOSisEmpty_r(g.handle(), shape.get()) != 0) {
    return std::nullopt;
  }
  auto const c = GEOSGeomTypeId_r(g.handle(), shape.get()) == GEOS_POINT ? geos_context::geometry{}
                                                                         : g.centroid(shape.get());
  auto const* p = c ? c.get() : shape.get();
  xy out{};
  if (GEOSGeomGetX_r(g.handle(), p, &out.x) == 0 || GEOSGeomGetY_r(g.handle(), p, &out.y) == 0) {
    return std::nullopt;
  }
  return out;
}

bool all_points(std::vector<wkb> const& geometries) {
  return std::all_of(geometries.begin(), geometries.end(),
                     [](wkb const& g) { return point_coordinates(g).has_value(); });
}

}  // namespace avip::geo
