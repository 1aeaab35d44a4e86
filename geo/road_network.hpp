#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/strong_index.hpp"
#include "geo/projection.hpp"

namespace avip::geo {

using road_node = strong_index<struct road_node_tag>;

/// The two modes a road graph serves: driving (oneway respected, no footway) and walking (both
/// directions, no motorway or trunk).
enum class road_mode : std::uint8_t { car, walk };

/// One OSM `highway=*` class: the car speed used on it (km/h, 0: not for cars) and whether people
/// walk on it. Speeds are typical free-flow speeds on La Réunion's and mainland France's roads, below
/// the legal limits (bends, junctions, towns); `maxspeed` tags are not read.
struct highway_class {
  std::string_view tag;
  double car_kmh;
  bool walk;
};

/// The documented table (data/README.md "Roads"). A `highway` value not listed is not a road for
/// either mode (construction, proposed, platform, raceway, bus_guideway...).
inline constexpr auto kHighwayClasses = std::to_array<highway_class>({
    {"motorway", 90, false},     {"motorway_link", 45, false}, {"trunk", 80, false},
    {"trunk_link", 40, false},   {"primary", 60, true},        {"primary_link", 30, true},
    {"secondary", 50, true},     {"secondary_link", 25, true}, {"tertiary", 40, true},
    {"tertiary_link", 20, true}, {"unclassified", 30, true},   {"residential", 25, true},
    {"living_street", 10, true}, {"service", 15, true},        {"road", 20, true},
    {"track", 10, true},         {"pedestrian", 0, true},      {"footway", 0, true},
    {"path", 0, true},           {"steps", 0, true},           {"cycleway", 0, true},
    {"bridleway", 0, true},      {"corridor", 0, true},
});

/// Class of a `highway` value, or nullptr when it is not a road for either mode.
highway_class const* find_highway_class(std::string_view highway);

/// An edge of the road graph as read: both end nodes, its length and what may use it.
struct road_edge {
  std::uint32_t from{0};
  std::uint32_t to{0};
  double length_m{0.0};
  double car_kmh{0.0};       ///< 0: not for cars
  bool car_forward{false};   ///< cars may drive from → to
  bool car_backward{false};  ///< cars may drive to → from
  bool walk{false};          ///< people may walk it (both ways)
};

struct road_options {
  double walk_speed_kmh{4.5};
  /// A point farther than this from every node of a mode's graph gets no time by that mode.
  double snap_limit_m{500.0};
  /// Speed of the car's off-road legs (home → nearest node, nearest node → facility): driveways,
  /// car parks, unmapped lanes. Walking's off-road legs are at the walking speed.
  double car_connector_kmh{15.0};
};

/// A point attached to its nearest node of one mode's graph.
struct snapped_point {
  road_node node{road_node::invalid()};  ///< invalid beyond the snapping limit
  double distance_m{0.0};
};

/// A road graph in a metric CRS: nodes, and one compact adjacency (CSR) per mode with travel seconds
/// on each arc. Built once, then read-only: snapping and queries may run from any number of threads.
class road_network {
 public:
  struct adjacency {
    std::vector<std::uint32_t> offsets;  ///< nodes + 1
    std::vector<std::uint32_t> head;
    std::vector<float> seconds;
  };

  /// From plain arrays (tests, benchmarks): node coordinates in metres and edges between them.
  road_network(std::vector<xy> nodes, std::vector<road_edge> const& edges, road_options const& o);

  /// Reads the `highway=*` ways of an OpenStreetMap extract (.osm.pbf, .osm, .osm.bz2...) with
  /// libosmium, splits each into one edge per pair of consecutive nodes and projects the nodes from
  /// WGS84 to `epsg`. Throws avip::geo_error naming the file when it cannot be read or has no road.
  static road_network read_osm(std::string const& file, int epsg, road_options const& o);

  [[nodiscard]] std::size_t node_count() const { return nodes_.size(); }
  [[nodiscard]] xy node(road_node n) const { return nodes_[n.index()]; }
  [[nodiscard]] adjacency const& graph(road_mode m) const { return m == road_mode::car ? car_ : walk_; }
  [[nodiscard]] road_options const& options() const { return options_; }
  /// The fastest car speed on the graph (km/h), which bounds how far a car gets in a given time.
  [[nodiscard]] double max_car_kmh() const { return max_car_kmh_; }

  /// The nearest node with at least one arc of mode `m` within the snapping limit (ties: the lowest
  /// node index), from a grid of buckets the size of the limit.
  [[nodiscard]] snapped_point snap(xy p, road_mode m) const;

 private:
  struct node_grid {
    double cell{500.0};
    std::vector<std::uint64_t> keys;     ///< sorted bucket keys
    std::vector<std::uint32_t> offsets;  ///< keys + 1
    std::vector<std::uint32_t> nodes;
  };
  void build_grid(road_mode m);
  [[nodiscard]] node_grid const& grid(road_mode m) const {
    return m == road_mode::car ? car_grid_ : walk_grid_;
  }

  std::vector<xy> nodes_;
  adjacency car_;
  adjacency walk_;
  node_grid car_grid_;
  node_grid walk_grid_;
  road_options options_;
  double max_car_kmh_{0.0};
};

/// Travel minutes from origins to targets on one mode's graph, up to a bound: CSR over origins, each
/// row's targets in increasing index. A pair is absent when either point is beyond the snapping limit
/// or the time exceeds the bound. Minutes include the off-road legs at both ends.
struct road_times {
  std::vector<std::uint32_t> offsets;  ///< origins + 1
  std::vector<std::uint32_t> target;
  std::vector<float> minutes;
  std::vector<std::uint8_t> origin_snapped;  ///< per origin: 1 when within the snapping limit
  std::vector<std::uint8_t> target_snapped;  ///< per target
};

/// One-to-many bounded Dijkstra from each distinct snapped origin node (origins sharing a node share
/// the search), stopped at `max_minutes`; parallel over origin nodes (oneTBB) with per-thread scratch,
/// so the result does not depend on the thread count.
road_times one_to_many(road_network const& net, road_mode m, std::vector<xy> const& origins,
                       std::vector<xy> const& targets, double max_minutes);

}  // namespace avip::geo
