#include <catch2/catch.hpp>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "geo/projection.hpp"
#include "geo/road_network.hpp"

using avip::geo::one_to_many;
using avip::geo::road_edge;
using avip::geo::road_mode;
using avip::geo::road_network;
using avip::geo::road_options;
using avip::geo::road_times;
using avip::geo::xy;

namespace {

std::string const kTiny = std::string{AVIP_SOURCE_DIR} + "/tests/data/roads/tiny.osm";

/// The nodes of tests/data/roads/tiny.osm in EPSG:2975, as the reader projects them.
struct tiny_nodes {
  xy a, b, c, d, e, lone;
  tiny_nodes() {
    avip::geo::transformer const t{4326, 2975};
    a = t.forward({55.5000, -21.000});
    b = t.forward({55.5000, -20.991});
    c = t.forward({55.5000, -20.982});
    d = t.forward({55.5096, -21.000});
    e = t.forward({55.5096, -20.991});
    lone = t.forward({55.6000, -21.100});
  }
};

double metres(xy p, xy q) {
  return std::hypot(p.x - q.x, p.y - q.y);
}
double minutes(double m, double kmh) {
  return m / (kmh * 1000.0 / 60.0);
}

/// Minutes from origin `o` to target `t`, or nullopt when absent (unreachable within the bound).
std::optional<double> at(road_times const& r, std::size_t o, std::uint32_t t) {
  for (auto i = r.offsets[o]; i < r.offsets[o + 1]; ++i) {
    if (r.target[i] == t) {
      return r.minutes[i];
    }
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("highway classes: footways walk-only, motorways car-only, unknown values ignored", "[geo][roads]") {
  REQUIRE(avip::geo::find_highway_class("footway") != nullptr);
  CHECK(avip::geo::find_highway_class("footway")->car_kmh == 0);
  CHECK(avip::geo::find_highway_class("footway")->walk);
  CHECK(avip::geo::find_highway_class("steps")->walk);
  CHECK(avip::geo::find_highway_class("motorway")->car_kmh == 90);
  CHECK_FALSE(avip::geo::find_highway_class("motorway")->walk);
  CHECK_FALSE(avip::geo::find_highway_class("trunk")->walk);
  CHECK(avip::geo::find_highway_class("construction") == nullptr);
}

TEST_CASE("tiny.osm: car times respect the oneway street and use the motorway", "[geo][roads]") {
  tiny_nodes const n;
  auto const net = road_network::read_osm(kTiny, 2975, road_options{});
  CHECK(net.node_count() == 7);  // 1 2 3 4 5 9 10: node 99 is on no road
  CHECK(net.max_car_kmh() == 90);
  std::vector<xy> const pts{n.a, n.b, n.c, n.d, n.e, n.lone};
  auto const r = one_to_many(net, road_mode::car, pts, pts, 30.0);
  double const ab = minutes(metres(n.a, n.b), 25);  // residential, about 1 km at 25 km/h: 2.4 min
  CHECK(ab == Approx(2.4).epsilon(0.01));
  CHECK(*at(r, 0, 1) == Approx(ab).epsilon(1e-5));
  CHECK(*at(r, 0, 2) == Approx(ab + minutes(metres(n.b, n.c), 25)).epsilon(1e-5));
  CHECK(*at(r, 0, 4) == Approx(ab + minutes(metres(n.b, n.e), 60)).epsilon(1e-5));  // A→B→E
  CHECK_FALSE(at(r, 1, 0));  // B→A: against the oneway, and no way round
  CHECK_FALSE(at(r, 0, 3));  // D only by the footway
  CHECK(*at(r, 3, 4) == Approx(minutes(metres(n.d, n.e), 90)).epsilon(1e-5));  // motorway D→E
  CHECK_FALSE(at(r, 3, 0));  // D→E→B→A ends against the oneway too
  CHECK_FALSE(at(r, 4, 3));  // E→D: the motorway is oneway
  CHECK_FALSE(at(r, 0, 5));  // the disconnected street
  CHECK(*at(r, 5, 5) == Approx(0.0).margin(1e-6));
}

TEST_CASE("tiny.osm: walking ignores oneway, takes the footway, never the motorway", "[geo][roads]") {
  tiny_nodes const n;
  auto const net = road_network::read_osm(kTiny, 2975, road_options{});
  std::vector<xy> const pts{n.a, n.b, n.c, n.d, n.e};
  auto const r = one_to_many(net, road_mode::walk, pts, pts, 45.0);
  double const ab = minutes(metres(n.a, n.b), 4.5);  // about 1 km at 4.5 km/h: 13.3 min
  CHECK(ab == Approx(13.3).epsilon(0.01));
  CHECK(*at(r, 1, 0) == Approx(ab).epsilon(1e-5));                              // B→A against the oneway
  CHECK(*at(r, 0, 3) == Approx(minutes(metres(n.a, n.d), 4.5)).epsilon(1e-5));  // footway
  // D→E on foot: not along the motorway (1 km) but D→A→B→E (3 km).
  double const dabe = minutes(metres(n.d, n.a) + metres(n.a, n.b) + metres(n.b, n.e), 4.5);
  CHECK(*at(r, 3, 4) == Approx(dabe).epsilon(1e-5));
  CHECK(dabe > 3 * minutes(metres(n.d, n.e), 4.5) * 0.95);
}

TEST_CASE("one-to-many stops at the bound", "[geo][roads]") {
  tiny_nodes const n;
  auto const net = road_network::read_osm(kTiny, 2975, road_options{});
  std::vector<xy> const pts{n.a, n.b, n.c, n.d, n.e};
  auto const r = one_to_many(net, road_mode::walk, {n.a}, pts, 20.0);
  CHECK(at(r, 0, 0));
  CHECK(at(r, 0, 1));        // 13.3 min
  CHECK(at(r, 0, 3));        // 13.3 min
  CHECK_FALSE(at(r, 0, 2));  // 26.7 min
  CHECK_FALSE(at(r, 0, 4));  // 26.7 min
  CHECK(r.offsets.back() == 3);
}

TEST_CASE("snapping: within the limit with an off-road leg, beyond it no road time", "[geo][roads]") {
  tiny_nodes const n;
  road_options o;
  o.snap_limit_m = 500;
  auto const net = road_network::read_osm(kTiny, 2975, o);
  xy const near_a{n.a.x - 300, n.a.y};  // 300 m west of A, nearest node A
  xy const far{n.a.x - 600, n.a.y};     // 600 m from every node
  auto const s = net.snap(near_a, road_mode::walk);
  REQUIRE(s.node.valid());
  CHECK(s.distance_m == Approx(300).epsilon(1e-9));
  CHECK_FALSE(net.snap(far, road_mode::walk).node.valid());
  auto const r = one_to_many(net, road_mode::walk, {near_a, far}, {n.b}, 45.0);
  CHECK(r.origin_snapped[0] == 1);
  CHECK(r.origin_snapped[1] == 0);
  CHECK(*at(r, 0, 0) == Approx(minutes(300 + metres(n.a, n.b), 4.5)).epsilon(1e-5));
  CHECK_FALSE(at(r, 1, 0));
  // By car the leg is at the connector speed (15 km/h): 300 m = 1.2 min.
  auto const car = one_to_many(net, road_mode::car, {near_a}, {n.b}, 30.0);
  CHECK(*at(car, 0, 0) == Approx(1.2 + minutes(metres(n.a, n.b), 25)).epsilon(1e-5));
  // D is on the motorway and on the footway: a point on it snaps to it for both modes.
  CHECK(net.snap(n.d, road_mode::car).node == net.snap(n.d, road_mode::walk).node);
}

TEST_CASE("road graph from arrays: a 3 × 3 grid, results equal for any origin order", "[geo][roads]") {
  std::vector<xy> nodes;
  for (int y = 0; y < 3; ++y) {
    for (int x = 0; x < 3; ++x) {
      nodes.push_back({x * 100.0, y * 100.0});
    }
  }
  std::vector<road_edge> edges;
  auto add = [&](std::uint32_t a, std::uint32_t b) {
    road_edge e;
    e.from = a;
    e.to = b;
    e.car_kmh = 36;  // 10 m/s: 10 s per 100 m
    e.car_forward = e.car_backward = e.walk = true;
    edges.push_back(e);
  };
  for (std::uint32_t y = 0; y < 3; ++y) {
    for (std::uint32_t x = 0; x < 3; ++x) {
      if (x < 2) {
        add(y * 3 + x, y * 3 + x + 1);
      }
      if (y < 2) {
        add(y * 3 + x, (y + 1) * 3 + x);
      }
    }
  }
  road_network const net{nodes, edges, road_options{}};
  auto const r = one_to_many(net, road_mode::car, {nodes[0], nodes[8]}, nodes, 60.0);
  CHECK(*at(r, 0, 8) == Approx(40.0 / 60.0).epsilon(1e-6));  // 4 blocks of 10 s
  CHECK(*at(r, 1, 0) == Approx(40.0 / 60.0).epsilon(1e-6));
  CHECK(*at(r, 0, 4) == Approx(20.0 / 60.0).epsilon(1e-6));
  CHECK(r.offsets[1] == 9);
}

TEST_CASE("a missing or roadless extract is a geo_error naming the file", "[geo][roads]") {
  CHECK_THROWS_AS(road_network::read_osm("no/such/file.osm.pbf", 2975, road_options{}), avip::geo_error);
  try {
    (void)road_network::read_osm("no/such/file.osm.pbf", 2975, road_options{});
  } catch (avip::geo_error const& e) {
    CHECK(std::string{e.what()}.find("no/such/file.osm.pbf") != std::string::npos);
  }
}
