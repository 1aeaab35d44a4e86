#include "geo/road_network.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <optional>
#include <queue>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <osmium/handler.hpp>
#include <osmium/handler/node_locations_for_ways.hpp>
#include <osmium/index/map/flex_mem.hpp>
#include <osmium/io/any_input.hpp>
#include <osmium/osm/way.hpp>
#include <osmium/visitor.hpp>

#include "core/error.hpp"

namespace avip::geo {

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

std::int64_t bucket_of(double v, double cell) {
  return static_cast<std::int64_t>(std::floor(v / cell));
}

std::uint64_t bucket_key(std::int64_t bx, std::int64_t by) {
  return (static_cast<std::uint64_t>(bx + (1LL << 31)) << 32U) |
         (static_cast<std::uint64_t>(by + (1LL << 31)) & 0xFFFFFFFFULL);
}

bool is_one_of(char const* v, std::initializer_list<char const*> values) {
  if (v == nullptr) {
    return false;
  }
  return std::any_of(values.begin(), values.end(), [&](char const* s) { return std::strcmp(v, s) == 0; });
}

/// What a way's tags allow: car directions and walking.
struct way_use {
  double car_kmh{0.0};
  bool forward{false};
  bool backward{false};
  bool walk{false};
};

std::optional<way_use> use_of(osmium::TagList const& tags) {
  auto const* cls = find_highway_class(tags.get_value_by_key("highway", ""));
  if (cls == nullptr) {
    return std::nullopt;
  }
  way_use u;
  u.car_kmh = cls->car_kmh;
  u.walk = cls->walk;
  char const* access = tags.get_value_by_key("access");
  if (is_one_of(access, {"no", "private"})) {
    u.car_kmh = 0;
    u.walk = false;
  }
  if (is_one_of(tags.get_value_by_key("motor_vehicle"), {"no", "private"}) ||
      is_one_of(tags.get_value_by_key("motorcar"), {"no", "private"})) {
    u.car_kmh = 0;
  }
  char const* foot = tags.get_value_by_key("foot");
  if (is_one_of(foot, {"no", "private"})) {
    u.walk = false;
  } else if (is_one_of(foot, {"yes", "designated", "permissive"})) {
    u.walk = true;
  }
  if (u.car_kmh > 0) {
    char const* oneway = tags.get_value_by_key("oneway");
    bool const implied =
        cls->tag == "motorway" || is_one_of(tags.get_value_by_key("junction"), {"roundabout", "circular"});
    if (is_one_of(oneway, {"yes", "true", "1"}) || (implied && !is_one_of(oneway, {"no", "-1", "reverse"}))) {
      u.forward = true;
    } else if (is_one_of(oneway, {"-1", "reverse"})) {
      u.backward = true;
    } else {
      u.forward = u.backward = true;
    }
  }
  if (u.car_kmh <= 0 && !u.walk) {
    return std::nullopt;
  }
  return u;
}

/// Collects the road ways: one graph node per OSM node used by a road, one edge per consecutive pair.
struct way_collector : osmium::handler::Handler {
  std::unordered_map<osmium::object_id_type, std::uint32_t> ids;
  std::vector<xy> lonlat;
  std::vector<road_edge> edges;
  std::size_t missing_locations{0};

  std::uint32_t node_of(osmium::NodeRef const& r) {
    auto [it, inserted] = ids.try_emplace(r.ref(), static_cast<std::uint32_t>(lonlat.size()));
    if (inserted) {
      lonlat.push_back({r.location().lon(), r.location().lat()});
    }
    return it->second;
  }

  void way(osmium::Way const& w) {
    auto const use = use_of(w.tags());
    if (!use) {
      return;
    }
    auto const& refs = w.nodes();
    for (std::size_t i = 1; i < refs.size(); ++i) {
      if (!refs[i - 1].location().valid() || !refs[i].location().valid()) {
        ++missing_locations;
        continue;
      }
      auto const a = node_of(refs[i - 1]);
      auto const b = node_of(refs[i]);
      if (a == b) {
        continue;
      }
      road_edge e;
      e.from = a;
      e.to = b;
      e.car_kmh = use->car_kmh;
      e.car_forward = use->forward;
      e.car_backward = use->backward;
      e.walk = use->walk;
      edges.push_back(e);
    }
  }
};

}  // namespace

highway_class const* find_highway_class(std::string_view highway) {
  auto const it = std::find_if(kHighwayClasses.begin(), kHighwayClasses.end(),
                               [&](highway_class const& c) { return c.tag == highway; });
  return it == kHighwayClasses.end() ? nullptr : &*it;
}

road_network::road_network(std::vector<xy> nodes, std::vector<road_edge> const& edges, road_options const& o)
    : nodes_{std::move(nodes)}, options_{o} {
  auto const n = nodes_.size();
  double const walk_mps = o.walk_speed_kmh / 3.6;
  // Counting pass, then filling pass: arcs of a node keep the edges' order.
  std::vector<std::uint32_t> car_deg(n + 1, 0), walk_deg(n + 1, 0);
  for (auto const& e : edges) {
    if (e.from >= n || e.to >= n) {
      throw geo_error{
          fmt::format("road graph: edge {}–{} names a node beyond the {} nodes", e.from, e.to, n)};
    }
    car_deg[e.from + 1] += (e.car_forward && e.car_kmh > 0) ? 1 : 0;
    car_deg[e.to + 1] += (e.car_backward && e.car_kmh > 0) ? 1 : 0;
    walk_deg[e.from + 1] += e.walk ? 1 : 0;
    walk_deg[e.to + 1] += e.walk ? 1 : 0;
    if (e.car_kmh > 0 && (e.car_forward || e.car_backward)) {
      max_car_kmh_ = std::max(max_car_kmh_, e.car_kmh);
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    car_deg[i + 1] += car_deg[i];
    walk_deg[i + 1] += walk_deg[i];
  }
  car_.offsets = car_deg;
  walk_.offsets = walk_deg;
  car_.head.resize(car_deg[n]);
  car_.seconds.resize(car_deg[n]);
  walk_.head.resize(walk_deg[n]);
  walk_.seconds.resize(walk_deg[n]);
  auto add = [](adjacency& g, std::vector<std::uint32_t>& next, std::uint32_t a, std::uint32_t b, double s) {
    auto const i = next[a]++;
    g.head[i] = b;
    g.seconds[i] = static_cast<float>(s);
  };
  for (auto const& e : edges) {
    double const len = e.length_m > 0
                           ? e.length_m
                           : std::hypot(nodes_[e.from].x - nodes_[e.to].x, nodes_[e.from].y - nodes_[e.to].y);
    if (e.car_kmh > 0) {
      double const s = len / (e.car_kmh / 3.6);
      if (e.car_forward) {
        add(car_, car_deg, e.from, e.to, s);
      }
      if (e.car_backward) {
        add(car_, car_deg, e.to, e.from, s);
      }
    }
    if (e.walk) {
      add(walk_, walk_deg, e.from, e.to, len / walk_mps);
      add(walk_, walk_deg, e.to, e.from, len / walk_mps);
    }
  }
  build_grid(road_mode::car);
  build_grid(road_mode::walk);
}

void road_network::build_grid(road_mode m) {
  auto const& g = graph(m);
  auto& grid_ref = m == road_mode::car ? car_grid_ : walk_grid_;
  grid_ref.cell = std::max(1.0, options_.snap_limit_m);
  // A node belongs to a mode's graph when an arc of that mode leaves or reaches it.
  std::vector<std::uint8_t> used(nodes_.size(), 0);
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (g.offsets[i + 1] > g.offsets[i]) {
      used[i] = 1;
      for (auto a = g.offsets[i]; a < g.offsets[i + 1]; ++a) {
        used[g.head[a]] = 1;
      }
    }
  }
  std::vector<std::pair<std::uint64_t, std::uint32_t>> keyed;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (used[i] != 0) {
      keyed.emplace_back(
          bucket_key(bucket_of(nodes_[i].x, grid_ref.cell), bucket_of(nodes_[i].y, grid_ref.cell)),
          static_cast<std::uint32_t>(i));
    }
  }
  std::sort(keyed.begin(), keyed.end());
  grid_ref.keys.clear();
  grid_ref.offsets.clear();
  grid_ref.nodes.clear();
  for (std::size_t i = 0; i < keyed.size(); ++i) {
    if (i == 0 || keyed[i].first != keyed[i - 1].first) {
      grid_ref.keys.push_back(keyed[i].first);
      grid_ref.offsets.push_back(static_cast<std::uint32_t>(i));
    }
    grid_ref.nodes.push_back(keyed[i].second);
  }
  grid_ref.offsets.push_back(static_cast<std::uint32_t>(keyed.size()));
}

snapped_point road_network::snap(xy p, road_mode m) const {
  auto const& g = grid(m);
  double const limit = options_.snap_limit_m;
  snapped_point best;
  double best_d2 = limit * limit;
  auto const bx = bucket_of(p.x, g.cell);
  auto const by = bucket_of(p.y, g.cell);
  for (std::int64_t dx = -1; dx <= 1; ++dx) {
    for (std::int64_t dy = -1; dy <= 1; ++dy) {
      auto const key = bucket_key(bx + dx, by + dy);
      auto const it = std::lower_bound(g.keys.begin(), g.keys.end(), key);
      if (it == g.keys.end() || *it != key) {
        continue;
      }
      auto const b = static_cast<std::size_t>(it - g.keys.begin());
      for (auto i = g.offsets[b]; i < g.offsets[b + 1]; ++i) {
        auto const n = g.nodes[i];
        double const d2 =
            (nodes_[n].x - p.x) * (nodes_[n].x - p.x) + (nodes_[n].y - p.y) * (nodes_[n].y - p.y);
        if (d2 < best_d2 || (d2 == best_d2 && best.node.valid() && n < best.node.value())) {
          best_d2 = d2;
          best.node = road_node{n};
        }
      }
    }
  }
  best.distance_m = best.node.valid() ? std::sqrt(best_d2) : 0.0;
  return best;
}

road_network road_network::read_osm(std::string const& file, int epsg, road_options const& o) {
  way_collector ways;
  try {
    osmium::io::Reader reader{file, osmium::osm_entity_bits::node | osmium::osm_entity_bits::way};
    using index_t = osmium::index::map::FlexMem<osmium::unsigned_object_id_type, osmium::Location>;
    index_t index;
    osmium::handler::NodeLocationsForWays<index_t> locations{index};
    locations.ignore_errors();
    osmium::apply(reader, locations, ways);
    reader.close();
  } catch (std::exception const& e) {
    throw geo_error{fmt::format("{}: cannot read the OpenStreetMap extract ({})", file, e.what())};
  }
  if (ways.edges.empty()) {
    throw geo_error{fmt::format("{}: no highway=* way usable by car or on foot", file)};
  }
  transformer const to_metric{4326, epsg};
  std::vector<xy> nodes;
  nodes.reserve(ways.lonlat.size());
  for (auto const& p : ways.lonlat) {
    nodes.push_back(to_metric.forward(p));
  }
  for (auto& e : ways.edges) {
    e.length_m = std::hypot(nodes[e.from].x - nodes[e.to].x, nodes[e.from].y - nodes[e.to].y);
  }
  return road_network{std::move(nodes), ways.edges, o};
}

namespace {

/// Per-thread Dijkstra state: distances reset only where touched.
struct dijkstra_scratch {
  std::vector<float> dist;
  std::vector<std::uint32_t> touched;
  std::vector<std::pair<float, std::uint32_t>> heap;
};

/// Settles nodes from `source` up to `bound` seconds; calls `settled(node, seconds)` once per node.
template <typename Fn>
void bounded_dijkstra(road_network::adjacency const& g, std::uint32_t source, float bound,
                      dijkstra_scratch& s, Fn&& settled) {
  auto const cmp = [](auto const& a, auto const& b) { return a.first > b.first; };
  s.heap.clear();
  s.dist[source] = 0;
  s.touched.push_back(source);
  s.heap.emplace_back(0.0F, source);
  while (!s.heap.empty()) {
    std::pop_heap(s.heap.begin(), s.heap.end(), cmp);
    auto const [d, u] = s.heap.back();
    s.heap.pop_back();
    if (d > s.dist[u]) {
      continue;  // a stale entry
    }
    settled(u, d);
    for (auto a = g.offsets[u]; a < g.offsets[u + 1]; ++a) {
      auto const v = g.head[a];
      float const nd = d + g.seconds[a];
      if (nd <= bound && nd < s.dist[v]) {
        if (s.dist[v] == kInf) {
          s.touched.push_back(v);
        }
        s.dist[v] = nd;
        s.heap.emplace_back(nd, v);
        std::push_heap(s.heap.begin(), s.heap.end(), cmp);
      }
    }
  }
  for (auto v : s.touched) {
    s.dist[v] = kInf;
  }
  s.touched.clear();
}

std::vector<snapped_point> snap_all(road_network const& net, road_mode m, std::vector<xy> const& pts) {
  std::vector<snapped_point> out(pts.size());
  tbb::parallel_for(std::size_t{0}, pts.size(), [&](std::size_t i) { out[i] = net.snap(pts[i], m); });
  return out;
}

}  // namespace

road_times one_to_many(road_network const& net, road_mode m, std::vector<xy> const& origins,
                       std::vector<xy> const& targets, double max_minutes) {
  auto const& g = net.graph(m);
  double const leg_mps =
      (m == road_mode::car ? net.options().car_connector_kmh : net.options().walk_speed_kmh) / 3.6;
  auto const from = snap_all(net, m, origins);
  auto const to = snap_all(net, m, targets);
  road_times r;
  r.origin_snapped.resize(origins.size());
  r.target_snapped.resize(targets.size());
  // Targets by node (CSR over all nodes: a settled node finds its targets in O(1)).
  std::vector<std::uint32_t> first(net.node_count() + 1, 0);
  for (std::size_t t = 0; t < targets.size(); ++t) {
    r.target_snapped[t] = to[t].node.valid() ? 1 : 0;
    if (to[t].node.valid()) {
      ++first[to[t].node.index() + 1];
    }
  }
  for (std::size_t i = 0; i < net.node_count(); ++i) {
    first[i + 1] += first[i];
  }
  std::vector<std::uint32_t> at_node(first.back());
  {
    auto next = first;
    for (std::size_t t = 0; t < targets.size(); ++t) {  // increasing target index within a node
      if (to[t].node.valid()) {
        at_node[next[to[t].node.index()]++] = static_cast<std::uint32_t>(t);
      }
    }
  }
  // Distinct origin nodes: origins on the same node share one search.
  std::vector<std::uint32_t> sources;
  for (std::size_t i = 0; i < origins.size(); ++i) {
    r.origin_snapped[i] = from[i].node.valid() ? 1 : 0;
    if (from[i].node.valid()) {
      sources.push_back(from[i].node.value());
    }
  }
  std::sort(sources.begin(), sources.end());
  sources.erase(std::unique(sources.begin(), sources.end()), sources.end());
  auto const bound = static_cast<float>(max_minutes * 60.0);
  std::vector<std::vector<std::pair<std::uint32_t, float>>> found(sources.size());
  tbb::enumerable_thread_specific<dijkstra_scratch> scratch{[&] {
    dijkstra_scratch s;
    s.dist.assign(net.node_count(), kInf);
    return s;
  }};
  tbb::parallel_for(tbb::blocked_range<std::size_t>{0, sources.size(), 4}, [&](auto const& range) {
    auto& s = scratch.local();
    for (auto i = range.begin(); i != range.end(); ++i) {
      auto& out = found[i];
      bounded_dijkstra(g, sources[i], bound, s, [&](std::uint32_t u, float d) {
        for (auto k = first[u]; k < first[u + 1]; ++k) {
          auto const t = at_node[k];
          float const total = d + static_cast<float>(to[t].distance_m / leg_mps);
          if (total <= bound) {
            out.emplace_back(t, total);
          }
        }
      });
      std::sort(out.begin(), out.end());
    }
  });
  r.offsets.assign(origins.size() + 1, 0);
  for (std::size_t i = 0; i < origins.size(); ++i) {
    r.offsets[i + 1] = r.offsets[i];
    if (!from[i].node.valid()) {
      continue;
    }
    auto const src = std::lower_bound(sources.begin(), sources.end(), from[i].node.value()) - sources.begin();
    auto const leg = static_cast<float>(from[i].distance_m / leg_mps);
    for (auto const& [t, secs] : found[static_cast<std::size_t>(src)]) {
      if (secs + leg <= bound) {
        r.target.push_back(t);
        r.minutes.push_back((secs + leg) / 60.0F);
        ++r.offsets[i + 1];
      }
    }
  }
  return r;
}

}  // namespace avip::geo
