#include "synth/qpv_cover.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "core/error.hpp"

namespace avip::synth {

namespace {

struct envelope {
  double x0{0}, y0{0}, x1{0}, y1{0};
};

envelope envelope_of(geo::geos_context const& geos, GEOSGeometry const* g) {
  envelope e;
  GEOSGeom_getXMin_r(geos.handle(), g, &e.x0);
  GEOSGeom_getYMin_r(geos.handle(), g, &e.y0);
  GEOSGeom_getXMax_r(geos.handle(), g, &e.x1);
  GEOSGeom_getYMax_r(geos.handle(), g, &e.y1);
  return e;
}

bool is_empty(geo::geos_context const& geos, GEOSGeometry const* g) {
  return g == nullptr || GEOSisEmpty_r(geos.handle(), g) != 0;
}

}  // namespace

qpv_cover::qpv_cover(territory::territory const& t, geo::geos_context const& geos) : geos_{geos} {
  auto const& grid = t.world.grid;
  double const cell = grid.cell_size;
  std::map<std::pair<long, long>, std::uint32_t> at;
  for (std::size_t i = 0; i < grid.size(); ++i) {
    auto const& c = grid.centre[sim::cell_idx::from(i)];
    at[{std::lround(std::floor(c.x / cell)), std::lround(std::floor(c.y / cell))}] =
        static_cast<std::uint32_t>(i);
  }
  covered_.assign(grid.size(), 0.0);
  qpv_of_cell_.resize(grid.size());
  parts_of_qpv_.resize(t.qpv_geometry.size());
  for (std::size_t q = 0; q < t.qpv_geometry.size(); ++q) {
    polygon_.push_back(geos.from_wkb(t.qpv_geometry[q]));
    shrunk_.push_back(geos.buffer(polygon_.back().get(), -kMargin));
    grown_.push_back(geos.buffer(polygon_.back().get(), kMargin));
    auto const e = envelope_of(geos, grown_.back().get());
    // Every cell whose square may meet the grown polygon (one lattice step of slack either side).
    for (long kx = std::lround(std::floor(e.x0 / cell)) - 1; kx <= std::lround(std::floor(e.x1 / cell)) + 1;
         ++kx) {
      for (long ky = std::lround(std::floor(e.y0 / cell)) - 1; ky <= std::lround(std::floor(e.y1 / cell)) + 1;
           ++ky) {
        auto const it = at.find({kx, ky});
        if (it == at.end()) {
          continue;
        }
        auto const i = it->second;
        auto const& c = grid.centre[sim::cell_idx{i}];
        auto square = geos.box(c.x - cell / 2, c.y - cell / 2, c.x + cell / 2, c.y + cell / 2);
        if (!geos.intersects(square.get(), grown_.back().get())) {
          continue;
        }
        qpv_of_cell_[i].push_back(static_cast<std::uint32_t>(q));
        auto in = geos.intersection(square.get(), polygon_.back().get());
        double const share = geos.area(in.get()) / (cell * cell);
        if (share <= 0) {
          continue;
        }
        covered_[i] = std::min(1.0, covered_[i] + share);
        part p;
        p.qpv = static_cast<std::uint32_t>(q);
        p.cell = i;
        p.share = share;
        auto interior = geos.intersection(square.get(), shrunk_.back().get());
        if (!is_empty(geos, interior.get()) && geos.area(interior.get()) > 0) {
          auto const ie = envelope_of(geos, interior.get());
          p.x0 = ie.x0, p.y0 = ie.y0, p.x1 = ie.x1, p.y1 = ie.y1;
          p.interior = std::move(interior);
        }
        parts_of_qpv_[q].push_back(parts_.size());
        parts_.push_back(std::move(p));
      }
    }
  }
}

double qpv_cover::weight_in(std::uint32_t qpv, std::vector<double> const& weight) const {
  double total = 0;
  for (auto k : parts_of_qpv_[qpv]) {
    total += weight[parts_[k].cell] * parts_[k].share;
  }
  return total;
}

sim::point qpv_cover::draw_in(part const& p, random_stream& rng) const {
  for (int tries = 0; tries < 200; ++tries) {
    double const x = rng.uniform(p.x0, p.x1);
    double const y = rng.uniform(p.y0, p.y1);
    if (geos_.covers(p.interior.get(), x, y)) {
      return {x, y};
    }
  }
  auto on = geos_.own(GEOSPointOnSurface_r(geos_.handle(), p.interior.get()));
  double x = 0;
  double y = 0;
  GEOSGeomGetX_r(geos_.handle(), on.get(), &x);
  GEOSGeomGetY_r(geos_.handle(), on.get(), &y);
  return {x, y};
}

qpv_cover::part const* qpv_cover::pick(std::uint32_t qpv, std::vector<double> const* weight,
                                       random_stream& rng) const {
  auto const& ks = parts_of_qpv_[qpv];
  auto const mass = [&](part const& p) {
    return p.interior ? (weight != nullptr ? (*weight)[p.cell] : 1.0) * p.share : 0.0;
  };
  double total = 0;
  for (auto k : ks) {
    total += mass(parts_[k]);
  }
  if (total <= 0) {
    return nullptr;
  }
  double u = rng.uniform() * total;
  part const* last = nullptr;
  for (auto k : ks) {
    auto const& p = parts_[k];
    if (mass(p) <= 0) {
      continue;
    }
    last = &p;
    u -= mass(p);
    if (u < 0) {
      return &p;
    }
  }
  return last;
}

sim::point qpv_cover::draw_inside(std::uint32_t qpv, std::vector<double> const& weight,
                                  random_stream& rng) const {
  part const* p = pick(qpv, &weight, rng);
  if (p == nullptr) {
    p = pick(qpv, nullptr, rng);  // no weight on its cells: by area
  }
  if (p != nullptr) {
    return draw_in(*p, rng);
  }
  // A QPV on no cell of the grid: anywhere inside it.
  auto const& inner = is_empty(geos_, shrunk_[qpv].get()) ? polygon_[qpv] : shrunk_[qpv];
  auto const e = envelope_of(geos_, inner.get());
  for (int tries = 0; tries < 10000; ++tries) {
    double const x = rng.uniform(e.x0, e.x1);
    double const y = rng.uniform(e.y0, e.y1);
    if (geos_.covers(inner.get(), x, y)) {
      return {x, y};
    }
  }
  throw data_error{"synthesis: cannot draw a point inside a QPV polygon (empty or degenerate geometry)"};
}

bool qpv_cover::near_any(std::uint32_t cell, double x, double y) const {
  return std::any_of(qpv_of_cell_[cell].begin(), qpv_of_cell_[cell].end(),
                     [&](std::uint32_t q) { return geos_.covers(grown_[q].get(), x, y); });
}

bool qpv_cover::inside(std::uint32_t qpv, double x, double y) const {
  return geos_.covers(polygon_[qpv].get(), x, y);
}

}  // namespace avip::synth
