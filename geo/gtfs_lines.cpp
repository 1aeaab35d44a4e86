#include "geo/gtfs_lines.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "core/error.hpp"
#include "geo/gtfs_feed.hpp"
#include "geo/gtfs_tables.hpp"

namespace avip::geo {

namespace {

/// shapes.txt: every shape's points in shape_pt_sequence order, every row checked.
std::unordered_map<std::string, std::vector<xy>> read_shapes(gtfs::table const& t) {
  int const c_id = t.column("shape_id", true);
  int const c_lat = t.column("shape_pt_lat", true);
  int const c_lon = t.column("shape_pt_lon", true);
  int const c_seq = t.column("shape_pt_sequence", true);
  struct point {
    std::int64_t seq;
    xy lonlat;
    std::size_t row;
  };
  std::unordered_map<std::string, std::vector<point>> points;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    auto const& id = t.at(r, c_id);
    if (id.empty()) {
      throw geo_error{fmt::format("{}: empty shape_id", t.where(r))};
    }
    double const lat = gtfs::real_field(t, r, c_lat, -90.0, 90.0);
    double const lon = gtfs::real_field(t, r, c_lon, -180.0, 180.0);
    auto const seq = gtfs::int_field(t, r, c_seq, 0, std::numeric_limits<std::int32_t>::max());
    points[id].push_back({seq, {lon, lat}, r});
  }
  std::unordered_map<std::string, std::vector<xy>> out;
  for (auto& [id, pts] : points) {
    std::sort(pts.begin(), pts.end(), [](point const& a, point const& b) { return a.seq < b.seq; });
    std::vector<xy> line;
    for (std::size_t k = 0; k < pts.size(); ++k) {
      if (k > 0 && pts[k].seq == pts[k - 1].seq) {
        throw geo_error{fmt::format("{}: shape '{}' has shape_pt_sequence {} twice", t.where(pts[k].row), id,
                                    pts[k].seq)};
      }
      line.push_back(pts[k].lonlat);
    }
    if (line.size() >= 2) {
      out.emplace(id, std::move(line));
    }
  }
  return out;
}

}  // namespace

gtfs_lines read_gtfs_lines(std::string const& path, bool use_shapes) {
  auto const feed = read_gtfs(path);
  std::unordered_map<std::string, std::vector<xy>> shapes;
  if (use_shapes) {
    if (auto const t = gtfs::read_table(gtfs::open_source(path), "shapes.txt", false)) {
      shapes = read_shapes(*t);
    }
  }
  gtfs_lines out;
  out.route_ids = feed.route_ids;
  // One line per (route, shape_id), and per (route, pattern) for the trips without a drawable shape.
  std::map<std::pair<std::string, std::string>, std::size_t> by_shape;
  std::map<std::pair<std::string, std::size_t>, std::size_t> by_stops;
  static std::string const kNone;
  for (std::size_t p = 0; p < feed.patterns.size(); ++p) {
    auto const& pat = feed.patterns[p];
    if (pat.stops.size() < 2) {
      continue;
    }
    for (auto const t : pat.trips) {
      auto const& route = feed.trip_route[t];
      auto const& shape_id = t < feed.trip_shape.size() ? feed.trip_shape[t] : kNone;
      auto const shape = shape_id.empty() ? shapes.end() : shapes.find(shape_id);
      auto const next = out.lines.size();
      auto const index = shape != shapes.end() ? by_shape.try_emplace({route, shape_id}, next).first->second
                                               : by_stops.try_emplace({route, p}, next).first->second;
      if (index == next) {
        gtfs_lines::line l;
        l.route = route;
        if (shape != shapes.end()) {
          l.shape = shape_id;
          l.lonlat = shape->second;
        } else {
          for (auto const s : pat.stops) {
            l.lonlat.push_back(feed.stop_lonlat[s]);
          }
        }
        out.lines.push_back(std::move(l));
      }
      auto& l = out.lines[index];
      ++l.trips;
      l.stops = std::max(l.stops, pat.stops.size());
    }
  }
  return out;
}

}  // namespace avip::geo
