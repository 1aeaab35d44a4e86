#include "geo/projection.hpp"

#include <cmath>
#include <string>

#include <fmt/format.h>
#include <proj.h>

#include "core/error.hpp"

namespace avip::geo {

struct transformer::kit {
  PJ_CONTEXT* ctx{nullptr};
  PJ* pj{nullptr};
  ~kit() {
    if (pj != nullptr) {
      proj_destroy(pj);
    }
    if (ctx != nullptr) {
      proj_context_destroy(ctx);
    }
  }
};

transformer::transformer(int from_epsg, int to_epsg)
    : kit_{std::make_unique<kit>()}, from_{from_epsg}, to_{to_epsg} {
  kit_->ctx = proj_context_create();
  auto const a = fmt::format("EPSG:{}", from_epsg);
  auto const b = fmt::format("EPSG:{}", to_epsg);
  PJ* raw = proj_create_crs_to_crs(kit_->ctx, a.c_str(), b.c_str(), nullptr);
  if (raw == nullptr) {
    throw geo_error{fmt::format("unknown CRS: cannot transform from EPSG:{} to EPSG:{} ({})", from_epsg,
                                to_epsg,
                                proj_context_errno_string(kit_->ctx, proj_context_errno(kit_->ctx)))};
  }
  kit_->pj = proj_normalize_for_visualization(kit_->ctx, raw);
  proj_destroy(raw);
  if (kit_->pj == nullptr) {
    throw geo_error{
        fmt::format("cannot normalise the transformation EPSG:{} -> EPSG:{}", from_epsg, to_epsg)};
  }
}

transformer::~transformer() = default;
transformer::transformer(transformer&&) noexcept = default;
transformer& transformer::operator=(transformer&&) noexcept = default;

xy transformer::forward(xy p) const {
  auto const c = proj_trans(kit_->pj, PJ_FWD, proj_coord(p.x, p.y, 0, 0));
  return {c.xy.x, c.xy.y};
}

xy transformer::inverse(xy p) const {
  auto const c = proj_trans(kit_->pj, PJ_INV, proj_coord(p.x, p.y, 0, 0));
  return {c.xy.x, c.xy.y};
}

void require_known_epsg(int epsg) {
  PJ_CONTEXT* ctx = proj_context_create();
  auto const code = std::to_string(epsg);
  PJ* crs = proj_create_from_database(ctx, "EPSG", code.c_str(), PJ_CATEGORY_CRS, 0, nullptr);
  bool const ok = crs != nullptr;
  if (crs != nullptr) {
    proj_destroy(crs);
  }
  proj_context_destroy(ctx);
  if (!ok) {
    throw geo_error{fmt::format("unknown CRS: EPSG:{} is not in the PROJ database", epsg)};
  }
}

int choose_metric_epsg(double min_lon, double min_lat, double max_lon, double max_lat) {
  double const lon = (min_lon + max_lon) / 2.0;
  double const lat = (min_lat + max_lat) / 2.0;
  if (lon > 55.0 && lon < 56.0 && lat > -21.6 && lat < -20.7) {
    return 2975;  // La Réunion
  }
  if (lon > -5.5 && lon < 10.0 && lat > 41.0 && lat < 51.5) {
    return 2154;  // mainland France and Corsica
  }
  int const zone = static_cast<int>(std::floor((lon + 180.0) / 6.0)) + 1;
  return (lat >= 0 ? 32600 : 32700) + zone;
}

}  // namespace avip::geo
