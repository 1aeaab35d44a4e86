#include "geo/polygon_index.hpp"

#include <limits>
#include <memory>

#include <fmt/format.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include "core/error.hpp"
#include "geo/geos_context.hpp"

namespace avip::geo {

namespace {

/// One thread's copy of the polygons: GEOS context, geometries, prepared geometries and STR-tree.
struct polygon_kit {
  geos_context geos;
  std::vector<geos_context::geometry> polygons;
  std::vector<GEOSPreparedGeometry const*> prepared;
  GEOSSTRtree* tree{nullptr};

  explicit polygon_kit(std::vector<wkb> const& wkbs) {
    try {
      build(wkbs);
    } catch (...) {
      release();  // the destructor does not run when the constructor throws
      throw;
    }
  }
  ~polygon_kit() { release(); }

  void build(std::vector<wkb> const& wkbs) {
    tree = GEOSSTRtree_create_r(geos.handle(), 10);
    if (tree == nullptr) {
      throw geo_error{fmt::format("GEOS could not create an STR-tree: {}", geos.last_error())};
    }
    polygons.reserve(wkbs.size());
    for (std::size_t i = 0; i < wkbs.size(); ++i) {
      polygons.push_back(geos.from_wkb(wkbs[i]));
      prepared.push_back(GEOSPrepare_r(geos.handle(), polygons.back().get()));
      if (prepared.back() == nullptr) {
        prepared.pop_back();
        throw geo_error{fmt::format("GEOS could not prepare polygon {}: {}", i, geos.last_error())};
      }
      // The tree stores the index (offset by one so that 0 is never a null item).
      GEOSSTRtree_insert_r(geos.handle(), tree, polygons.back().get(),
                           reinterpret_cast<void*>(static_cast<std::uintptr_t>(i + 1)));
    }
  }
  void release() {
    if (tree != nullptr) {
      GEOSSTRtree_destroy_r(geos.handle(), tree);
      tree = nullptr;
    }
    for (auto const* p : prepared) {
      GEOSPreparedGeom_destroy_r(geos.handle(), p);
    }
    prepared.clear();
  }
  polygon_kit(polygon_kit const&) = delete;
  polygon_kit& operator=(polygon_kit const&) = delete;

  std::uint32_t locate(xy p) {
    auto pt = geos.point(p.x, p.y);
    struct query {
      polygon_kit* kit;
      GEOSGeometry const* point;
      std::uint32_t found;
    } q{this, pt.get(), kNoPolygon};
    GEOSSTRtree_query_r(
        geos.handle(), tree, pt.get(),
        [](void* item, void* data) {
          auto* qq = static_cast<query*>(data);
          auto const i = static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(item) - 1);
          if (i < qq->found &&
              GEOSPreparedCovers_r(qq->kit->geos.handle(), qq->kit->prepared[i], qq->point) == 1) {
            qq->found = i;  // the lowest index wins, whatever the tree's visiting order
          }
        },
        &q);
    return q.found;
  }
};

}  // namespace

std::vector<std::uint32_t> locate_points(std::vector<wkb> const& polygons, std::vector<xy> const& points) {
  std::vector<std::uint32_t> out(points.size(), kNoPolygon);
  if (polygons.empty() || points.empty()) {
    return out;
  }
  tbb::enumerable_thread_specific<std::unique_ptr<polygon_kit>> kits;
  tbb::parallel_for(tbb::blocked_range<std::size_t>{0, points.size(), 256}, [&](auto const& range) {
    auto& kit = kits.local();
    if (!kit) {
      kit = std::make_unique<polygon_kit>(polygons);
    }
    for (auto i = range.begin(); i != range.end(); ++i) {
      out[i] = kit->locate(points[i]);
    }
  });
  return out;
}

void snap_to_nearest(std::vector<wkb> const& polygons, std::vector<xy> const& points,
                     std::vector<std::uint32_t>& located, double max_distance) {
  geos_context geos;
  std::vector<geos_context::geometry> g;
  g.reserve(polygons.size());
  for (auto const& w : polygons) {
    g.push_back(geos.from_wkb(w));
  }
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (located[i] != kNoPolygon) {
      continue;
    }
    auto pt = geos.point(points[i].x, points[i].y);
    double best = max_distance;
    for (std::size_t j = 0; j < g.size(); ++j) {
      double d = std::numeric_limits<double>::max();
      if (GEOSDistance_r(geos.handle(), g[j].get(), pt.get(), &d) == 1 && d <= best) {
        best = d;
        located[i] = static_cast<std::uint32_t>(j);
      }
    }
  }
}

}  // namespace avip::geo
