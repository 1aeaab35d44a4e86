#include "sim/fca.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include <tbb/parallel_for.h>

#include "sim/candidates.hpp"

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

fca_pairs three_step_weights(fca_pairs pairs) {
  for (std::size_t i = 0; i + 1 < pairs.offsets.size(); ++i) {
    double sum = 0;
    for (auto k = pairs.offsets[i]; k < pairs.offsets[i + 1]; ++k) {
      sum += pairs.weight[k];
    }
    for (auto k = pairs.offsets[i]; k < pairs.offsets[i + 1]; ++k) {
      pairs.weight[k] = sum > 0 ? pairs.weight[k] * pairs.weight[k] / sum : 0.0;
    }
  }
  return pairs;
}

fca_pairs catchment_pairs(std::vector<point> const& demand, std::vector<point> const& supply,
                          double catchment_minutes, double speed_kmh, double detour,
                          std::function<double(double)> const& weight) {
  double const radius = catchment_minutes * speed_kmh * 1000.0 / 60.0 / detour;
  double const size = std::max(500.0, radius);
  auto key = [&](double x, double y) {
    return (static_cast<std::uint64_t>(static_cast<std::int64_t>(std::floor(x / size)) + (1LL << 31))
            << 32U) |
           static_cast<std::uint64_t>(static_cast<std::int64_t>(std::floor(y / size)) + (1LL << 31));
  };
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> buckets;
  for (std::size_t j = 0; j < supply.size(); ++j) {
    buckets[key(supply[j].x, supply[j].y)].push_back(static_cast<std::uint32_t>(j));
  }
  std::vector<std::vector<std::pair<std::uint32_t, double>>> found(demand.size());
  tbb::parallel_for(tbb::blocked_range<std::size_t>{0, demand.size(), 256}, [&](auto const& range) {
    for (auto i = range.begin(); i != range.end(); ++i) {
      auto const& d = demand[i];
      for (int dx = -1; dx <= 1; ++dx) {
        for (int dy = -1; dy <= 1; ++dy) {
          auto it = buckets.find(key(d.x + dx * size, d.y + dy * size));
          if (it == buckets.end()) {
            continue;
          }
          for (auto j : it->second) {
            double const c = straight_minutes(d, supply[j], speed_kmh, detour);
            if (c <= catchment_minutes) {
              found[i].emplace_back(j, c);
            }
          }
        }
      }
      std::sort(found[i].begin(), found[i].end());
    }
  });
  fca_pairs p;
  p.offsets.resize(demand.size() + 1, 0);
  for (std::size_t i = 0; i < demand.size(); ++i) {
    p.offsets[i + 1] = p.offsets[i] + static_cast<std::uint32_t>(found[i].size());
  }
  p.supply.resize(p.offsets.back());
  p.cost.resize(p.offsets.back());
  p.weight.resize(p.offsets.back());
  tbb::parallel_for(std::size_t{0}, demand.size(), [&](std::size_t i) {
    auto o = p.offsets[i];
    for (auto const& [j, c] : found[i]) {
      p.supply[o] = j;
      p.cost[o] = c;
      p.weight[o] = weight(c);
      ++o;
    }
  });
  return p;
}

std::vector<double> two_step_fca(std::vector<double> const& demand, std::vector<double> const& supply,
                                 fca_pairs const& pairs) {
  // Step 1, in demand order so that the sums do not depend on the thread count.
  std::vector<double> weighted_demand(supply.size(), 0.0);
  for (std::size_t i = 0; i < demand.size(); ++i) {
    for (auto k = pairs.offsets[i]; k < pairs.offsets[i + 1]; ++k) {
      weighted_demand[pairs.supply[k]] += demand[i] * pairs.weight[k];
    }
  }
  std::vector<double> ratio(supply.size(), 0.0);
  for (std::size_t j = 0; j < supply.size(); ++j) {
    ratio[j] = weighted_demand[j] > 0 ? supply[j] / weighted_demand[j] : 0.0;
  }
  std::vector<double> access(demand.size(), 0.0);
  tbb::parallel_for(std::size_t{0}, demand.size(), [&](std::size_t i) {
    double a = 0;
    for (auto k = pairs.offsets[i]; k < pairs.offsets[i + 1]; ++k) {
      a += ratio[pairs.supply[k]] * pairs.weight[k];
    }
    access[i] = a;
  });
  return access;
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
      catchment_pairs(demand_pts, supply_pts, catchment, p.car_speed_kmh, p.detour_factor, e2sfca_weight);
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
