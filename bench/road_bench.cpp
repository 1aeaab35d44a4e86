// Road benchmark: one-to-many bounded Dijkstra (geo/road_network.hpp) on a synthetic grid road graph.
//   ./build/road_bench                         1,000 × 1,000 nodes 100 m apart (1 M nodes, 100 × 100 km),
//                                              residential streets (25 km/h) with a secondary road
//                                              (50 km/h) every 1 km; 10,000 origins, 30,000 targets,
//                                              car and walking within 30 min
//   ./build/road_bench --side 500 --origins 2000 --targets 10000 --minutes 30   scaled down
// Origins and targets are random points (fixed seed) snapped to the graph within 500 m.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <tbb/info.h>

#include "core/memory.hpp"
#include "geo/road_network.hpp"

namespace {

using avip::geo::road_edge;
using avip::geo::xy;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct bench_options {
  std::uint32_t side{1000};
  double spacing_m{100.0};
  std::size_t origins{10000};
  std::size_t targets{30000};
  double minutes{30.0};
};

/// A side × side grid of two-way streets; every 10th row and column a faster road.
avip::geo::road_network grid_network(bench_options const& o) {
  std::vector<xy> nodes;
  nodes.reserve(static_cast<std::size_t>(o.side) * o.side);
  for (std::uint32_t y = 0; y < o.side; ++y) {
    for (std::uint32_t x = 0; x < o.side; ++x) {
      nodes.push_back({x * o.spacing_m, y * o.spacing_m});
    }
  }
  std::vector<road_edge> edges;
  edges.reserve(2 * nodes.size());
  auto add = [&](std::uint32_t a, std::uint32_t b, bool fast) {
    road_edge e;
    e.from = a;
    e.to = b;
    e.length_m = o.spacing_m;
    e.car_kmh = fast ? 50 : 25;
    e.car_forward = e.car_backward = e.walk = true;
    edges.push_back(e);
  };
  for (std::uint32_t y = 0; y < o.side; ++y) {
    for (std::uint32_t x = 0; x < o.side; ++x) {
      auto const i = y * o.side + x;
      if (x + 1 < o.side) {
        add(i, i + 1, y % 10 == 0);
      }
      if (y + 1 < o.side) {
        add(i, i + o.side, x % 10 == 0);
      }
    }
  }
  return avip::geo::road_network{std::move(nodes), edges, avip::geo::road_options{}};
}

std::vector<xy> random_points(std::size_t n, double extent, std::uint64_t seed) {
  std::mt19937_64 rng{seed};
  std::uniform_real_distribution<double> u{0.0, extent};
  std::vector<xy> out(n);
  for (auto& p : out) {
    p = {u(rng), u(rng)};
  }
  return out;
}

bench_options parse(int argc, char** argv) {
  bench_options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string const k = argv[i];
    char const* v = argv[i + 1];
    if (k == "--side") {
      o.side = static_cast<std::uint32_t>(std::strtoul(v, nullptr, 10));
    } else if (k == "--origins") {
      o.origins = std::strtoul(v, nullptr, 10);
    } else if (k == "--targets") {
      o.targets = std::strtoul(v, nullptr, 10);
    } else if (k == "--minutes") {
      o.minutes = std::strtod(v, nullptr);
    } else {
      std::fprintf(stderr, "road_bench: unknown option %s\n", argv[i]);
      std::exit(2);
    }
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  auto const o = parse(argc, argv);
  auto t0 = std::chrono::steady_clock::now();
  auto const net = grid_network(o);
  std::printf("grid road graph: %zu nodes (%u × %u, %.0f m apart), built in %.2f s\n", net.node_count(),
              o.side, o.side, o.spacing_m, seconds_since(t0));
  double const extent = (o.side - 1) * o.spacing_m;
  auto const origins = random_points(o.origins, extent, 974);
  auto const targets = random_points(o.targets, extent, 975);
  for (auto mode : {avip::geo::road_mode::car, avip::geo::road_mode::walk}) {
    t0 = std::chrono::steady_clock::now();
    auto const r = avip::geo::one_to_many(net, mode, origins, targets, o.minutes);
    double const secs = seconds_since(t0);
    std::printf(
        "%s: %zu origins × %zu targets within %.0f min on %d threads: %.2f s (%.0f origins/s), %zu pairs "
        "(%.0f per origin), peak RSS %.0f MB\n",
        mode == avip::geo::road_mode::car ? "car " : "walk", o.origins, o.targets, o.minutes,
        tbb::info::default_concurrency(), secs, static_cast<double>(o.origins) / secs, r.target.size(),
        static_cast<double>(r.target.size()) / static_cast<double>(o.origins), avip::peak_rss_mb());
  }
  return 0;
}
