#include "geo/travel_times.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <memory>
#include <unordered_map>

#include <fmt/format.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_invoke.h>

#include "core/error.hpp"
#include "core/progress.hpp"
#include "geo/geos_context.hpp"
#include "geo/gtfs_tables.hpp"

namespace avip::geo {

namespace {

std::uint64_t bucket_key(double x, double y, double size) {
  auto const bx = static_cast<std::int64_t>(std::floor(x / size)) + (1LL << 31);
  auto const by = static_cast<std::int64_t>(std::floor(y / size)) + (1LL << 31);
  return (static_cast<std::uint64_t>(bx) << 32U) | static_cast<std::uint64_t>(by);
}

std::unique_ptr<timetable> load_day(std::vector<std::string> const& feeds, int epsg,
                                    travel_time_options const& o, service_day const& day,
                                    std::string& date_used) {
  std::vector<gtfs_feed> read;
  std::vector<xy> stops;
  transformer const to_metric{4326, epsg};
  for (auto const& path : feeds) {
    read.push_back(read_gtfs(path, day));
    apply_service_edits(read.back(), o.service_edits);
    std::size_t inside = 0;
    for (auto const& p : read.back().stop_lonlat) {
      auto const m = to_metric.forward(p);
      stops.push_back(m);
      auto const& e = o.stops_extent;
      inside += !e || (m.x >= e->min_x && m.x <= e->max_x && m.y >= e->min_y && m.y <= e->max_y) ? 1 : 0;
    }
    if (inside == 0 && !read.back().stop_lonlat.empty()) {
      throw geo_error{fmt::format("{}: stops.txt: all {} stops lie outside the territory (wrong feed?)", path,
                                  read.back().stop_lonlat.size())};
    }
    date_used += (date_used.empty() ? "" : ",") + read.back().date;
  }
  std::vector<gtfs_feed const*> ptrs;
  for (auto const& f : read) {
    ptrs.push_back(&f);
  }
  timetable_options const to{o.transfer_radius_m, std::max(o.transfer_radius_m, o.max_transfer_walk_m),
                             o.walk_speed_kmh, o.detour_factor, o.min_change_s};
  return std::make_unique<timetable>(ptrs, std::move(stops), to);
}

}  // namespace

namespace {
std::unique_ptr<timetable> no_service() {
  return std::make_unique<timetable>(std::vector<gtfs_feed const*>{}, std::vector<xy>{}, timetable_options{});
}
}  // namespace

bus_network::bus_network(std::unique_ptr<timetable> weekday, std::unique_ptr<timetable> saturday,
                         std::unique_ptr<timetable> sunday)
    : days_{std::move(weekday), std::move(saturday), std::move(sunday)} {
  for (auto& d : days_) {
    if (!d) {
      d = no_service();
    }
  }
}

bus_network::bus_network(std::vector<std::string> const& feeds, int epsg, travel_time_options const& o) {
  // The three service days are read side by side (each reads the feeds on its own). With a date, the
  // weekday is that date and the weekend days are the Saturday and Sunday on or after it; without one,
  // each is the feed's most typical day of its kind.
  std::array<std::exception_ptr, 3> errors;
  auto load = [&](std::size_t k) {
    int const weekday = k == 0 ? 1 : (k == 1 ? 5 : 6);
    auto const date = k == 0 || o.service_date.empty() ? o.service_date
                                                       : gtfs::weekday_on_or_after(o.service_date, weekday);
    try {
      days_[k] =
          load_day(feeds, epsg, o, service_day{date.empty() ? o.service_date : date, weekday}, dates_[k]);
    } catch (...) {
      errors[k] = std::current_exception();
    }
  };
  tbb::parallel_invoke([&] { load(0); }, [&] { load(1); }, [&] { load(2); });
  if (errors[0]) {
    std::rethrow_exception(errors[0]);
  }
  for (std::size_t k = 1; k < 3; ++k) {
    if (!errors[k]) {
      continue;
    }
    try {
      std::rethrow_exception(errors[k]);
    } catch (geo_error const& e) {
      // A network with no weekend service: no bus that day (any other problem is reported).
      if (std::string{e.what()}.find("no trip runs") == std::string::npos) {
        throw;
      }
    }
    days_[k] = no_service();
    dates_[k] = "none";
  }
}

std::vector<std::vector<stop_walk>> near_stops(std::vector<xy> const& pts, timetable const& tt,
                                               travel_time_options const& o) {
  double const cell = o.max_access_m;
  auto const& stops = tt.stops();
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> buckets;
  for (std::size_t s = 0; s < stops.size(); ++s) {
    buckets[bucket_key(stops[s].x, stops[s].y, cell)].push_back(static_cast<std::uint32_t>(s));
  }
  std::vector<std::vector<stop_walk>> out(pts.size());
  tbb::parallel_for(std::size_t{0}, pts.size(), [&](std::size_t i) {
    for (int dx = -1; dx <= 1; ++dx) {
      for (int dy = -1; dy <= 1; ++dy) {
        auto it = buckets.find(bucket_key(pts[i].x + dx * cell, pts[i].y + dy * cell, cell));
        if (it == buckets.end()) {
          continue;
        }
        for (auto s : it->second) {
          double const d = std::hypot(pts[i].x - stops[s].x, pts[i].y - stops[s].y);
          if (d <= o.max_access_m) {
            out[i].push_back({s, static_cast<std::int32_t>(std::lround(tt.walk_seconds(d)))});
          }
        }
      }
    }
    std::sort(out[i].begin(), out[i].end(), [](auto const& a, auto const& b) { return a.stop < b.stop; });
  });
  return out;
}

egress_index egress_to(std::vector<xy> const& points, timetable const& tt, travel_time_options const& o) {
  auto const near = near_stops(points, tt, o);
  egress_index e;
  e.destinations = points.size();
  e.offsets.assign(tt.stop_count() + 1, 0);
  for (auto const& list : near) {
    for (auto const& sw : list) {
      ++e.offsets[sw.stop + 1];
    }
  }
  for (std::size_t s = 0; s < tt.stop_count(); ++s) {
    e.offsets[s + 1] += e.offsets[s];
  }
  e.destination.resize(e.offsets.back());
  e.seconds.resize(e.offsets.back());
  auto cursor = e.offsets;
  for (std::size_t j = 0; j < near.size(); ++j) {
    for (auto const& sw : near[j]) {
      auto const at = cursor[sw.stop]++;
      e.destination[at] = static_cast<std::uint32_t>(j);
      e.seconds[at] = sw.seconds;
    }
  }
  return e;
}

namespace {

using rows_t = std::vector<std::vector<profile_entry>>;

profile_window window_of(bus_window const& w, travel_time_options const& o) {
  return {w.from_min * 60, w.to_min * 60, static_cast<std::int32_t>(std::lround(o.tolerance_minutes * 60.0))};
}

/// Outbound pairs: one rRAPTOR per (home, window) to the facilities.
void outbound(bus_network const& net, bus_request const& req, travel_time_options const& o, rows_t& rows,
              progress& bar) {
  for (auto const day : kServiceKinds) {
    if (std::none_of(req.windows.begin(), req.windows.end(),
                     [&](auto const& w) { return w.outbound && w.day == day; })) {
      continue;
    }
    auto const& tt = net.day(day);
    raptor const router{tt, raptor_options{o.max_transfers}};
    auto const access = near_stops(req.homes, tt, o);
    auto const egress = egress_to(req.facilities, tt, o);
    tbb::enumerable_thread_specific<raptor::scratch> tls;
    tbb::parallel_for(tbb::blocked_range<std::size_t>{0, req.pairs.size(), 64}, [&](auto const& range) {
      auto& s = tls.local();
      for (auto q = range.begin(); q != range.end(); ++q) {
        auto const [home, win] = req.pairs[q];
        auto const& w = req.windows[win];
        if (!w.outbound || w.day != day || access[home].empty()) {
          continue;
        }
        router.profile(access[home], window_of(w, o), egress, s, rows[q]);
      }
      bar.advance(range.size());
    });
  }
}

/// Inbound pairs: one rRAPTOR per (facility, window) to the homes that need that window, transposed.
void inbound(bus_network const& net, bus_request const& req, travel_time_options const& o, rows_t& rows,
             std::size_t& queries) {
  for (std::uint32_t win = 0; win < req.windows.size(); ++win) {
    auto const& w = req.windows[win];
    if (w.outbound) {
      continue;
    }
    std::vector<std::uint32_t> pair_of;  // local home → pair
    std::vector<xy> homes;
    for (std::size_t q = 0; q < req.pairs.size(); ++q) {
      if (req.pairs[q].second == win) {
        pair_of.push_back(static_cast<std::uint32_t>(q));
        homes.push_back(req.homes[req.pairs[q].first]);
      }
    }
    if (homes.empty()) {
      continue;
    }
    auto const& tt = net.day(w.day);
    raptor const router{tt, raptor_options{o.max_transfers}};
    auto const access = near_stops(req.facilities, tt, o);
    auto const egress = egress_to(homes, tt, o);
    rows_t from(req.facilities.size());
    tbb::enumerable_thread_specific<raptor::scratch> tls;
    tbb::parallel_for(tbb::blocked_range<std::size_t>{0, from.size(), 16}, [&](auto const& range) {
      auto& s = tls.local();
      for (auto k = range.begin(); k != range.end(); ++k) {
        if (!access[k].empty()) {
          router.profile(access[k], window_of(w, o), egress, s, from[k]);
        }
      }
    });
    queries += from.size();
    for (std::size_t k = 0; k < from.size(); ++k) {
      for (auto const& e : from[k]) {
        rows[pair_of[e.destination]].push_back({static_cast<std::uint32_t>(k), e.median_min, e.p80_min});
      }
      std::vector<profile_entry>{}.swap(from[k]);
    }
  }
}

}  // namespace

bus_times bus_profiles(bus_network const& net, bus_request const& req, travel_time_options const& o) {
  rows_t rows(req.pairs.size());
  bus_times out;
  {
    progress bar{"avipsim: bus travel times", 2 * req.pairs.size(), o.progress};
    outbound(net, req, o, rows, bar);
    for (auto const& [home, win] : req.pairs) {
      out.queries += req.windows[win].outbound ? 1 : 0;
    }
    inbound(net, req, o, rows, out.queries);
    bar.finish();
  }
  out.offsets.assign(rows.size() + 1, 0);
  for (std::size_t q = 0; q < rows.size(); ++q) {
    out.offsets[q + 1] = out.offsets[q] + static_cast<std::uint32_t>(rows[q].size());
  }
  out.facility.reserve(out.offsets.back());
  out.median.reserve(out.offsets.back());
  out.p80.reserve(out.offsets.back());
  for (auto& row : rows) {
    for (auto const& e : row) {
      out.facility.push_back(e.destination);
      out.median.push_back(e.median_min);
      out.p80.push_back(e.p80_min);
    }
    std::vector<profile_entry>{}.swap(row);
  }
  return out;
}

std::vector<std::vector<unsigned char>> cell_zones(std::vector<xy> const& homes, double cell_size,
                                                   std::vector<std::vector<std::uint32_t>> const& cells_of) {
  std::vector<std::vector<unsigned char>> out(cells_of.size());
  tbb::enumerable_thread_specific<std::unique_ptr<geos_context>> contexts;
  double const h = cell_size / 2.0;
  tbb::parallel_for(std::size_t{0}, cells_of.size(), [&](std::size_t j) {
    if (cells_of[j].empty()) {
      return;
    }
    auto& g = contexts.local();
    if (!g) {
      g = std::make_unique<geos_context>();
    }
    std::vector<geos_context::geometry> squares;
    for (auto c : cells_of[j]) {
      squares.push_back(g->box(homes[c].x - h, homes[c].y - h, homes[c].x + h, homes[c].y + h));
    }
    auto u = g->unary_union(std::move(squares));
    out[j] = g->to_wkb(u.get());
  });
  return out;
}

}  // namespace avip::geo
