#include "sim/fca.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include "core/error.hpp"

namespace avip::sim {

double e2sfca_weight(double cost) {
  if (cost <= 10.0) {
    return 1.0;
  }
  if (cost <= 20.0) {
    return 0.68;
  }
  if (cost <= 30.0) {
    return 0.22;
  }
  return 0.0;
}

double gaussian_weight(double cost, double sigma) {
  return std::exp(-cost * cost / (2.0 * sigma * sigma));
}

decay decay::stepped(std::vector<std::pair<double, double>> steps) {
  std::sort(steps.begin(), steps.end());
  decay d{form::stepped, {}, {}, 0.0};
  for (auto const& [threshold, weight] : steps) {
    d.thresholds.push_back(threshold);
    d.values.push_back(weight);
  }
  d.values.push_back(0.0);
  return d;
}

void decay::fill(double const* cost, double* weight, std::size_t n) const {
  switch (shape) {
    case form::none:
      std::fill_n(weight, n, 1.0);
      return;
    case form::gaussian: {
      double const scale = 2.0 * sigma * sigma;
      for (std::size_t k = 0; k < n; ++k) {
        weight[k] = std::exp(-cost[k] * cost[k] / scale);
      }
      return;
    }
    case form::stepped: {
      // values[j] where j counts the thresholds below the cost: values[0] up to the first, 0 beyond the last.
      double const* t = thresholds.data();
      double const* v = values.data();
      std::size_t const steps = thresholds.size();
      for (std::size_t k = 0; k < n; ++k) {
        std::size_t j = 0;
        for (std::size_t m = 0; m < steps; ++m) {
          j += cost[k] > t[m] ? 1U : 0U;
        }
        weight[k] = v[j];
      }
      return;
    }
  }
}

void set_weights(fca_pairs& pairs, decay const& w) {
  if (pairs.cost.size() != pairs.size() && w.shape != decay::form::none) {
    throw data_error{"set_weights: the pair list was built without its costs"};
  }
  pairs.weight.resize(pairs.size());
  tbb::parallel_for(tbb::blocked_range<std::size_t>{0, pairs.size(), 1U << 16U}, [&](auto const& r) {
    if (w.shape == decay::form::none) {
      std::fill_n(pairs.weight.data() + r.begin(), r.size(), 1.0);
    } else {
      w.fill(pairs.cost.data() + r.begin(), pairs.weight.data() + r.begin(), r.size());
    }
  });
}

namespace {

/// Supply points sorted by the cell of a dense square grid (counting sort, stable), as SoA.
struct supply_grid {
  double x0{0}, y0{0}, size{1};
  std::int64_t nx{1}, ny{1};
  std::vector<std::uint32_t> start;  ///< per cell + 1, into the sorted arrays
  std::vector<double> x, y;
  std::vector<std::uint32_t> id;

  [[nodiscard]] std::int64_t col(double px) const {
    return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor((px - x0) / size)), 0, nx - 1);
  }
  [[nodiscard]] std::int64_t row(double py) const {
    return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor((py - y0) / size)), 0, ny - 1);
  }
};

supply_grid make_grid(std::vector<point> const& supply, double radius) {
  supply_grid g;
  if (supply.empty()) {
    g.start = {0, 0};
    return g;
  }
  double x1 = supply[0].x;
  double y1 = supply[0].y;
  g.x0 = x1;
  g.y0 = y1;
  for (auto const& p : supply) {
    g.x0 = std::min(g.x0, p.x), g.y0 = std::min(g.y0, p.y);
    x1 = std::max(x1, p.x), y1 = std::max(y1, p.y);
  }
  // Cells of half the radius (a 5 × 5 neighbourhood), but never more cells than 4 per supply point.
  double const extent = std::max({x1 - g.x0, y1 - g.y0, 1.0});
  double const coarsest = extent / std::sqrt(4.0 * static_cast<double>(supply.size()));
  g.size = std::max({radius / 2.0, coarsest, 1e-9});
  g.nx = static_cast<std::int64_t>((x1 - g.x0) / g.size) + 1;
  g.ny = static_cast<std::int64_t>((y1 - g.y0) / g.size) + 1;
  auto const cells = static_cast<std::size_t>(g.nx * g.ny);
  std::vector<std::uint32_t> cell(supply.size());
  g.start.assign(cells + 1, 0);
  for (std::size_t j = 0; j < supply.size(); ++j) {
    cell[j] = static_cast<std::uint32_t>(g.row(supply[j].y) * g.nx + g.col(supply[j].x));
    ++g.start[cell[j] + 1];
  }
  std::partial_sum(g.start.begin(), g.start.end(), g.start.begin());
  g.x.resize(supply.size());
  g.y.resize(supply.size());
  g.id.resize(supply.size());
  auto next = g.start;
  for (std::size_t j = 0; j < supply.size(); ++j) {
    auto const at = next[cell[j]]++;
    g.x[at] = supply[j].x;
    g.y[at] = supply[j].y;
    g.id[at] = static_cast<std::uint32_t>(j);
  }
  return g;
}

/// Calls `segment(begin, end)` for each run of sorted supply points that a circle of `radius` around `d`
/// can touch: for each row of cells, the columns within the circle's chord at the row's nearest edge.
template <typename Segment>
void for_each_segment(supply_grid const& g, point d, double radius, Segment&& segment) {
  auto const r0 = g.row(d.y - radius);
  auto const r1 = g.row(d.y + radius);
  for (auto row = r0; row <= r1; ++row) {
    double const lo = g.y0 + static_cast<double>(row) * g.size;
    double const dy = d.y < lo ? lo - d.y : std::max(0.0, d.y - (lo + g.size));
    if (dy > radius) {
      continue;
    }
    double const half = std::sqrt(radius * radius - dy * dy);
    auto const c0 = g.col(d.x - half);
    auto const c1 = g.col(d.x + half);
    auto const begin = g.start[static_cast<std::size_t>(row * g.nx + c0)];
    auto const end = g.start[static_cast<std::size_t>(row * g.nx + c1 + 1)];
    if (begin < end) {
      segment(begin, end);
    }
  }
}

/// The catchment test, shared by both passes so that they always agree: cost = √(dx² + dy²) × detour ÷
/// metres per minute ≤ catchment. Squared distances surely inside or outside it skip the square root.
struct catchment_test {
  double catchment, detour, metres_per_minute;
  double inner, outer;  ///< squared distances surely inside / outside

  catchment_test(double catchment_minutes, double detour_factor, double mpm)
      : catchment{catchment_minutes}, detour{detour_factor}, metres_per_minute{mpm} {
    double const exact = catchment * metres_per_minute / detour;
    inner = exact * exact * (1.0 - 1e-9);
    outer = exact * exact * (1.0 + 1e-9);
  }
  [[nodiscard]] double cost(double squared) const { return std::sqrt(squared) * detour / metres_per_minute; }

  /// How many supply points of [begin, end) are within the catchment of d: a branch-free count of the
  /// sure ones, then the exact test only when some fall in the thin ring between `inner` and `outer`.
  [[nodiscard]] std::size_t count(supply_grid const& g, point d, std::uint32_t begin,
                                  std::uint32_t end) const {
    std::size_t sure = 0;
    std::size_t ring = 0;
    for (auto s = begin; s < end; ++s) {
      double const ex = d.x - g.x[s];
      double const ey = d.y - g.y[s];
      double const squared = ex * ex + ey * ey;
      sure += squared < inner ? 1U : 0U;
      ring += (squared >= inner && squared <= outer) ? 1U : 0U;
    }
    if (ring > 0) {
      for (auto s = begin; s < end; ++s) {
        double const ex = d.x - g.x[s];
        double const ey = d.y - g.y[s];
        double const squared = ex * ex + ey * ey;
        if (squared >= inner && squared <= outer && cost(squared) <= catchment) {
          ++sure;
        }
      }
    }
    return sure;
  }
};

/// Per-task scratch of the fill pass: the costs of one run of candidates, then the kept pairs of one
/// demand point.
struct fill_scratch {
  std::vector<double> candidate_cost;
  std::vector<std::uint32_t> kept_supply;
  std::vector<double> kept_cost;
};

void require_fits(std::size_t pairs) {
  if (pairs > std::numeric_limits<std::uint32_t>::max()) {
    throw data_error{
        fmt::format("{} demand-supply pairs: more than the 4,294,967,295 a pair list holds; use a smaller "
                    "catchment or split the territory",
                    pairs)};
  }
}

}  // namespace

fca_pairs catchment_pairs(std::vector<point> const& demand, std::vector<point> const& supply,
                          double catchment_minutes, double speed_kmh, double detour, decay const& w,
                          bool keep_cost) {
  double const metres_per_minute = speed_kmh * 1000.0 / 60.0;
  // A little beyond the exact radius, so that rounding never hides a pair; the cost test decides.
  double const radius = catchment_minutes * metres_per_minute / detour * (1.0 + 1e-9) + 1e-6;
  auto const g = make_grid(supply, radius);
  catchment_test const test{catchment_minutes, detour, metres_per_minute};
  fca_pairs p;
  p.offsets.assign(demand.size() + 1, 0);
  std::vector<std::size_t> count(demand.size() + 1, 0);
  tbb::parallel_for(tbb::blocked_range<std::size_t>{0, demand.size(), 256}, [&](auto const& range) {
    for (auto i = range.begin(); i != range.end(); ++i) {
      std::size_t n = 0;
      for_each_segment(g, demand[i], radius, [&](std::uint32_t begin, std::uint32_t end) {
        n += test.count(g, demand[i], begin, end);
      });
      count[i + 1] = n;
    }
  });
  std::partial_sum(count.begin(), count.end(), count.begin());
  require_fits(count.back());
  std::transform(count.begin(), count.end(), p.offsets.begin(),
                 [](std::size_t c) { return static_cast<std::uint32_t>(c); });
  p.supply.resize(count.back());
  if (keep_cost) {
    p.cost.resize(count.back());
  }
  if (w.shape != decay::form::none) {
    p.weight.resize(count.back());
  }
  tbb::parallel_for(tbb::blocked_range<std::size_t>{0, demand.size(), 256}, [&](auto const& range) {
    fill_scratch scratch;
    for (auto i = range.begin(); i != range.end(); ++i) {
      point const d = demand[i];
      std::size_t n = 0;
      for_each_segment(g, d, radius, [&](std::uint32_t begin, std::uint32_t end) {
        // The costs of the run (a loop the compiler vectorises), then a branch-free compaction.
        std::size_t const len = end - begin;
        scratch.candidate_cost.resize(len);
        double* c = scratch.candidate_cost.data();
        for (std::size_t s = 0; s < len; ++s) {
          double const ex = d.x - g.x[begin + s];
          double const ey = d.y - g.y[begin + s];
          c[s] = std::sqrt(ex * ex + ey * ey) * detour / metres_per_minute;
        }
        scratch.kept_supply.resize(n + len);
        scratch.kept_cost.resize(n + len);
        for (std::size_t s = 0; s < len; ++s) {
          scratch.kept_supply[n] = g.id[begin + s];
          scratch.kept_cost[n] = c[s];
          n += c[s] <= catchment_minutes ? 1U : 0U;
        }
      });
      auto const at = p.offsets[i];
      std::copy_n(scratch.kept_supply.begin(), n, p.supply.begin() + at);
      if (keep_cost) {
        std::copy_n(scratch.kept_cost.begin(), n, p.cost.begin() + at);
      }
      if (!p.weight.empty()) {
        w.fill(scratch.kept_cost.data(), p.weight.data() + at, n);
      }
    }
  });
  return p;
}

fca_pairs pairs_from_table(std::size_t demand_count, std::vector<cost_row> rows, double catchment,
                           decay const& w) {
  rows.erase(
      std::remove_if(rows.begin(), rows.end(), [&](cost_row const& r) { return !(r.cost <= catchment); }),
      rows.end());
  std::sort(rows.begin(), rows.end(), [](cost_row const& a, cost_row const& b) {
    return a.demand != b.demand ? a.demand < b.demand : a.supply < b.supply;
  });
  require_fits(rows.size());
  fca_pairs p;
  p.offsets.assign(demand_count + 1, 0);
  for (auto const& r : rows) {
    ++p.offsets[r.demand + 1];
  }
  std::partial_sum(p.offsets.begin(), p.offsets.end(), p.offsets.begin());
  p.supply.reserve(rows.size());
  p.cost.reserve(rows.size());
  for (auto const& r : rows) {
    p.supply.push_back(r.supply);
    p.cost.push_back(r.cost);
  }
  if (w.shape != decay::form::none) {
    set_weights(p, w);
  }
  return p;
}

fca_pairs three_step_weights(fca_pairs pairs, double catchment) {
  if (pairs.weight.empty()) {
    set_weights(pairs, decay::none());
  }
  bool const drop =
      pairs.cost.size() == pairs.size() &&
      std::any_of(pairs.cost.begin(), pairs.cost.end(), [&](double c) { return !(c <= catchment); });
  tbb::parallel_for(std::size_t{0}, pairs.demand_count(), [&](std::size_t i) {
    double sum = 0;
    for (auto k = pairs.offsets[i]; k < pairs.offsets[i + 1]; ++k) {
      sum += pairs.weight[k];
    }
    for (auto k = pairs.offsets[i]; k < pairs.offsets[i + 1]; ++k) {
      pairs.weight[k] = sum > 0 ? pairs.weight[k] * pairs.weight[k] / sum : 0.0;
    }
  });
  if (!drop) {
    return pairs;
  }
  // Keep the pairs within the catchment, in order (each moves to a position ≤ its own).
  std::uint32_t at = 0;
  std::uint32_t begin = 0;
  for (std::size_t i = 0; i < pairs.demand_count(); ++i) {
    auto const end = pairs.offsets[i + 1];
    for (auto k = begin; k < end; ++k) {
      if (pairs.cost[k] <= catchment) {
        pairs.supply[at] = pairs.supply[k];
        pairs.cost[at] = pairs.cost[k];
        pairs.weight[at] = pairs.weight[k];
        ++at;
      }
    }
    begin = end;
    pairs.offsets[i + 1] = at;
  }
  pairs.supply.resize(at);
  pairs.cost.resize(at);
  pairs.weight.resize(at);
  return pairs;
}

namespace {

/// The two steps, with the pair's weight from `weight(k)`: the stored one, or 1 for every pair.
template <typename Weight>
std::vector<double> two_steps(std::vector<double> const& demand, std::vector<double> const& supply,
                              fca_pairs const& pairs, Weight weight) {
  // Step 1 over fixed chunks of demand points (the chunks depend on the sizes, never on the threads),
  // each into its own row of sums, then the rows added in chunk order.
  std::size_t const n = demand.size();
  std::size_t const m = supply.size();
  std::size_t const chunks = std::clamp<std::size_t>(pairs.size() / (8 * m + 1), 1, 64);
  std::vector<double> partial(chunks * m, 0.0);
  tbb::parallel_for(std::size_t{0}, chunks, [&](std::size_t c) {
    double* sums = partial.data() + c * m;
    for (std::size_t i = n * c / chunks; i < n * (c + 1) / chunks; ++i) {
      double const d = demand[i];
      for (auto k = pairs.offsets[i]; k < pairs.offsets[i + 1]; ++k) {
        sums[pairs.supply[k]] += d * weight(k);
      }
    }
  });
  std::vector<double> ratio(m, 0.0);
  tbb::parallel_for(std::size_t{0}, m, [&](std::size_t j) {
    double weighted_demand = 0;
    for (std::size_t c = 0; c < chunks; ++c) {
      weighted_demand += partial[c * m + j];
    }
    ratio[j] = weighted_demand > 0 ? supply[j] / weighted_demand : 0.0;
  });
  std::vector<double> access(n, 0.0);
  tbb::parallel_for(tbb::blocked_range<std::size_t>{0, n, 512}, [&](auto const& r) {
    for (auto i = r.begin(); i != r.end(); ++i) {
      double a = 0;
      for (auto k = pairs.offsets[i]; k < pairs.offsets[i + 1]; ++k) {
        a += ratio[pairs.supply[k]] * weight(k);
      }
      access[i] = a;
    }
  });
  return access;
}

}  // namespace

std::vector<double> two_step_fca(std::vector<double> const& demand, std::vector<double> const& supply,
                                 fca_pairs const& pairs) {
  if (pairs.weight.empty()) {
    return two_steps(demand, supply, pairs, [](std::uint32_t) { return 1.0; });
  }
  return two_steps(demand, supply, pairs, [&w = pairs.weight](std::uint32_t k) { return w[k]; });
}

void fill_accessibility(world const& w, params const& p, run_results& r) {
  std::vector<point> demand_pts;
  std::vector<double> demand;
  std::vector<std::size_t> cell_of;
  for (std::size_t c = 0; c < w.grid.size(); ++c) {
    auto const ci = cell_idx::from(c);
    if (w.grid.children_0_3[ci] > 0) {
      demand_pts.push_back(w.grid.centre[ci]);
      demand.push_back(w.grid.children_0_3[ci]);
      cell_of.push_back(c);
    }
  }
  std::vector<point> supply_pts(w.facilities.location.begin(), w.facilities.location.end());
  std::vector<double> supply;
  for (auto pl : w.facilities.places) {
    supply.push_back(pl);
  }
  double const catchment = std::min(30.0, p.tolerance_minutes[0]);
  auto const pairs =
      catchment_pairs(demand_pts, supply_pts, catchment, p.car_speed_kmh, p.detour_factor, decay::stepped());
  auto const a = two_step_fca(demand, supply, pairs);
  r.cells.resize(w.grid.size());
  std::vector<double> num(w.communes.size(), 0.0);
  std::vector<double> den(w.communes.size(), 0.0);
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto const ci = cell_idx::from(cell_of[i]);
    r.cells[ci].accessibility = a[i];
    if (auto const c = w.grid.commune[ci]; c.valid()) {
      num[c.index()] += a[i] * demand[i];
      den[c.index()] += demand[i];
    }
  }
  r.communes.resize(w.communes.size());
  for (std::size_t c = 0; c < w.communes.size(); ++c) {
    r.communes[commune_idx::from(c)].accessibility = den[c] > 0 ? num[c] / den[c] : 0.0;
  }
}

}  // namespace avip::sim
