#include "scenarios/apply.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <unistd.h>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/id_index.hpp"
#include "geo/geos_context.hpp"
#include "geo/polygon_index.hpp"
#include "geo/projection.hpp"
#include "geo/vector_reader.hpp"
#include "scenarios/problems.hpp"
#include "sim/opening_hours.hpp"
#include "territory/cell_lookup.hpp"

namespace avip::scenarios {

namespace {

/// A GeoJSON geometry (WGS84) given inline in a selector, as WKB in the world's CRS.
geo::wkb polygon_from_geojson(std::string const& geojson, int epsg, edit const& e, problems& p) {
  try {
    auto const t =
        geo::read_vector(fmt::format("{{\"type\":\"FeatureCollection\",\"features\":[{{\"type\":\"Feature\","
                                     "\"properties\":{{}},\"geometry\":{}}}]}}",
                                     geojson),
                         geo::read_options{{}, {}, {}, {}, 4326, epsg});
    return t.geometry.at(0);
  } catch (error const& ex) {
    p.add_in(e.file, e.select.pointer + "/within",
             fmt::format("not a valid GeoJSON polygon ({})", ex.what()));
    return {};
  }
}

std::vector<sim::facility_idx> select(sim::world const& w, edit const& e, problems& p) {
  auto const& s = e.select;
  auto const& fa = w.facilities;
  std::vector<geo::wkb> polygon;
  if (!s.within_geojson.empty()) {
    auto g = polygon_from_geojson(s.within_geojson, w.epsg, e, p);
    if (g.empty()) {
      return {};
    }
    polygon.push_back(std::move(g));
  }
  std::vector<std::uint32_t> inside;
  if (!polygon.empty()) {
    std::vector<geo::xy> pts;
    for (std::size_t i = 0; i < fa.size(); ++i) {
      pts.push_back({fa.location[sim::facility_idx::from(i)].x, fa.location[sim::facility_idx::from(i)].y});
    }
    inside = geo::locate_points(polygon, pts);
  }
  std::set<std::string> ids(s.ids.begin(), s.ids.end());
  std::set<std::string> found;
  for (auto const& c : s.communes) {
    bool known = false;
    for (std::size_t i = 0; i < w.communes.size(); ++i) {
      known = known || w.communes.code[sim::commune_idx::from(i)] == c ||
              w.communes.name[sim::commune_idx::from(i)] == c;
    }
    if (!known) {
      p.add_in(e.file, s.pointer + "/commune", fmt::format("no commune with code or name '{}'", c));
    }
  }
  std::vector<sim::facility_idx> out;
  auto in = [](std::vector<std::string> const& list, std::string const& v) {
    return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
  };
  for (std::size_t i = 0; i < fa.size(); ++i) {
    auto const k = sim::facility_idx::from(i);
    if (!ids.empty() && !ids.contains(fa.id[k])) {
      continue;
    }
    if (!s.communes.empty()) {
      auto const c = fa.commune[k];
      if (!c.valid() || !(in(s.communes, w.communes.code[c]) || in(s.communes, w.communes.name[c]))) {
        continue;
      }
    }
    if (!in(s.kinds, std::string{sim::kFacilityKindNames[static_cast<std::size_t>(fa.kind[k])]})) {
      continue;
    }
    if (!s.managers.empty() && (!fa.manager[k].valid() || !in(s.managers, fa.manager_id[fa.manager[k]]))) {
      continue;
    }
    if (!s.networks.empty() && (!fa.network[k].valid() || !in(s.networks, fa.network_id[fa.network[k]]))) {
      continue;
    }
    if (!inside.empty() && inside[i] == geo::kNoPolygon) {
      continue;
    }
    found.insert(fa.id[k]);
    out.push_back(k);
  }
  for (auto const& id : s.ids) {
    if (!found.contains(id)) {
      bool exists = std::find(fa.id.begin(), fa.id.end(), id) != fa.id.end();
      p.add_in(e.file, s.pointer + "/ids",
               exists ? fmt::format("facility '{}' does not match the other criteria", id)
                      : fmt::format("no facility with id '{}'", id));
    }
  }
  if (out.empty() && s.ids.empty()) {
    p.add_in(e.file, s.pointer, "this selector matches no facility");
  }
  return out;
}

/// What adding facilities reads beside the world: the territory, the projection of their lon/lat,
/// the grid's cells, and the ids of the networks, managers and buses (hashed).
struct facility_context {
  territory::territory const& t;
  geo::transformer const& to_metric;
  territory::cell_lookup const& cells;
  id_index<sim::network_idx>& networks;
  id_index<sim::manager_idx>& managers;
  id_index<sim::bus_idx>& buses;
};

/// Adds a facility given in a scenario. One labelled by the scenario (`avip: true`) is labelled in
/// the scenario's year; its labelled places are not given (the model uses labelled_places_share).
void add_facility(sim::world& w, facility_context const& ctx, new_facility const& f, edit const& e, int year,
                  problems& p) {
  auto const& t = ctx.t;
  auto& fa = w.facilities;
  if (std::find(fa.id.begin(), fa.id.end(), f.id) != fa.id.end()) {
    p.add_in(e.file, f.pointer + "/id", fmt::format("a facility with id '{}' already exists", f.id));
    return;
  }
  auto const xy = ctx.to_metric.forward({f.lon, f.lat});
  auto commune = geo::locate_points(t.commune_geometry, {xy});
  // A point just off a simplified coastline belongs to the nearest commune, as the loader does.
  geo::snap_to_nearest(t.commune_geometry, {xy}, commune, territory::kCoastSnapMetres);
  if (commune[0] == geo::kNoPolygon) {
    p.add_in(e.file, f.pointer,
             fmt::format("({}, {}) lies outside every commune of the territory (by more than {} m)", f.lon,
                         f.lat, territory::kCoastSnapMetres));
    return;
  }
  auto const qpv = geo::locate_points(t.qpv_geometry, {xy});
  fa.id.push_back(f.id);
  fa.name.push_back(f.name);
  auto const kind = std::find(sim::kFacilityKindNames.begin(), sim::kFacilityKindNames.end(), f.kind);
  fa.kind.push_back(static_cast<sim::facility_kind>(kind - sim::kFacilityKindNames.begin()));
  fa.places.push_back(f.places);
  fa.hours_text.push_back(f.hours);
  fa.hours.push_back(sim::parse_opening_hours(f.hours));
  fa.occupancy.push_back(f.occupancy);
  fa.avip.push_back(f.avip ? 1 : 0);
  fa.avip_places.push_back(0);
  fa.label_year.push_back(static_cast<std::int16_t>(f.avip ? year : 0));
  auto const net = ctx.networks.of(f.network);
  if (net.valid() && fa.network_has_coordinator.size() < fa.network_id.size()) {
    fa.network_has_coordinator.push_back(1);
  }
  fa.network.push_back(net);
  fa.manager.push_back(ctx.managers.of(f.manager.empty() ? f.id : f.manager));
  fa.bus.push_back(ctx.buses.of(f.bus));
  fa.synthetic.push_back(0);
  fa.source.push_back(fmt::format("scenario {}#{}", e.file, f.pointer));
  fa.location.push_back({xy.x, xy.y});
  fa.commune.push_back(sim::commune_idx{commune[0]});
  fa.qpv.push_back(qpv[0] == geo::kNoPolygon ? sim::qpv_idx::invalid() : sim::qpv_idx{qpv[0]});
  fa.cell.push_back(ctx.cells.at({xy.x, xy.y}));
}

/// Removes the facilities for which `drop` is true, keeping every column aligned.
template <typename Pred>
void remove_facilities(sim::facility_table& fa, Pred drop) {
  sim::facility_table out;
  out.network_id = fa.network_id;
  out.network_has_coordinator = fa.network_has_coordinator;
  out.manager_id = fa.manager_id;
  out.bus_id = fa.bus_id;
  for (std::size_t i = 0; i < fa.size(); ++i) {
    auto const k = sim::facility_idx::from(i);
    if (drop(k)) {
      continue;
    }
    out.id.push_back(fa.id[k]);
    out.name.push_back(fa.name[k]);
    out.kind.push_back(fa.kind[k]);
    out.places.push_back(fa.places[k]);
    out.hours.push_back(fa.hours[k]);
    out.hours_text.push_back(fa.hours_text[k]);
    out.occupancy.push_back(fa.occupancy[k]);
    out.avip.push_back(fa.avip[k]);
    out.avip_places.push_back(fa.avip_places[k]);
    out.label_year.push_back(fa.label_year[k]);
    out.network.push_back(fa.network[k]);
    out.manager.push_back(fa.manager[k]);
    out.bus.push_back(fa.bus[k]);
    out.synthetic.push_back(fa.synthetic[k]);
    out.source.push_back(fa.source[k]);
    out.location.push_back(fa.location[k]);
    out.commune.push_back(fa.commune[k]);
    out.qpv.push_back(fa.qpv[k]);
    out.cell.push_back(fa.cell[k]);
  }
  fa = std::move(out);
}

/// Labelled places never exceed a facility's places once every edit is applied: the fault is the label
/// edit's that set them (its "places"), else the places edit's that lowered the total below the
/// territory's labelled places.
void check_labelled_places(sim::facility_table const& fa,
                           std::map<std::string, edit const*> const& labelled_by,
                           std::map<std::string, edit const*> const& places_by, problems& p) {
  for (std::size_t i = 0; i < fa.size(); ++i) {
    auto const k = sim::facility_idx::from(i);
    if (fa.avip[k] == 0 || fa.avip_places[k] <= fa.places[k]) {
      continue;
    }
    auto const& id = fa.id[k];
    auto const places = places_by.find(id);
    if (auto const l = labelled_by.find(id); l != labelled_by.end()) {
      p.add_in(
          l->second->file, l->second->pointer + "/places",
          fmt::format("{} labelled places exceed the {} PMI places of '{}'{}", fa.avip_places[k],
                      fa.places[k], id,
                      places == places_by.end() ? "" : fmt::format(" (set by {})", places->second->pointer)));
    } else if (places != places_by.end()) {
      p.add_in(places->second->file, places->second->pointer + "/places",
               fmt::format("'{}' has {} labelled places, more than these {} places: give its labelled places "
                           "with a label edit (\"places\"), or more places",
                           id, fa.avip_places[k], fa.places[k]));
    }
  }
}

}  // namespace

sim::world apply_edits(scenario const& s, territory::territory const& t) {
  sim::world w = t.world;
  problems p;
  geo::transformer const to_metric{4326, w.epsg};
  territory::cell_lookup const cells{w.grid};
  id_index networks{w.facilities.network_id};
  id_index managers{w.facilities.manager_id};
  id_index buses{w.facilities.bus_id};
  facility_context const ctx{t, to_metric, cells, networks, managers, buses};
  std::map<std::string, std::string> hours_edited;  // facility id -> pointer of the edit that changed it
  std::map<std::string, std::pair<bool, std::string>> labelled;
  // Facility id -> pointer of the edit that set its labelled places, or its places: checked against
  // each other once every edit is applied, so that their order does not matter.
  std::map<std::string, edit const*> labelled_places_set;
  std::map<std::string, edit const*> places_set;
  for (auto const& e : s.edits) {
    switch (e.kind) {
      case edit_kind::label: {
        auto const sel = select(w, e, p);
        auto const net = networks.of(e.network);
        while (w.facilities.network_has_coordinator.size() < w.facilities.network_id.size()) {
          w.facilities.network_has_coordinator.push_back(0);
        }
        if (net.valid()) {
          w.facilities.network_has_coordinator[net] = e.coordinator ? 1 : 0;
          bool const assmat_only =
              !sel.empty() && std::all_of(sel.begin(), sel.end(), [&](sim::facility_idx k) {
                return w.facilities.kind[k] == sim::facility_kind::assmat ||
                       w.facilities.kind[k] == sim::facility_kind::mam;
              });
          if (assmat_only && sel.size() < 2) {
            p.add_in(e.file, e.pointer + "/network",
                     "an assistant-maternel network needs at least 2 professionals");
          }
        }
        for (auto k : sel) {
          auto const& id = w.facilities.id[k];
          if (auto it = labelled.find(id); it != labelled.end() && it->second.first != e.label) {
            p.add_in(e.file, e.pointer,
                     fmt::format("overlaps {}: facility '{}' is both labelled and unlabelled",
                                 it->second.second, id));
          }
          labelled[id] = {e.label, e.pointer};
          auto& fa = w.facilities;
          if (e.label) {
            // Labelled by the scenario: in the scenario's year (first-year funding), unless the
            // territory already gives a year; one already labelled keeps its own, even unknown.
            if (fa.avip[k] == 0 && fa.label_year[k] == 0) {
              fa.label_year[k] = static_cast<std::int16_t>(s.params.year);
            }
            if (e.labelled_places > 0) {
              fa.avip_places[k] = e.labelled_places;
              labelled_places_set[id] = &e;
            }
          } else {
            fa.avip_places[k] = 0;
            fa.label_year[k] = 0;
          }
          fa.avip[k] = e.label ? 1 : 0;
          if (net.valid()) {
            w.facilities.network[k] = net;
          }
        }
        break;
      }
      case edit_kind::hours: {
        auto const sel = select(w, e, p);
        auto const mask = sim::parse_opening_hours(e.hours);
        for (auto k : sel) {
          auto const& id = w.facilities.id[k];
          if (auto it = hours_edited.find(id); it != hours_edited.end()) {
            p.add_in(e.file, e.pointer,
                     fmt::format("overlaps {}: both change the hours of '{}'", it->second, id));
            continue;
          }
          hours_edited[id] = e.pointer;
          if (e.replace_hours) {
            w.facilities.hours[k] = mask;
          } else {
            w.facilities.hours[k] |= mask;
          }
          w.facilities.hours_text[k] = sim::format_opening_hours(w.facilities.hours[k]);
        }
        break;
      }
      case edit_kind::places:
        for (auto k : select(w, e, p)) {
          auto const& id = w.facilities.id[k];
          if (auto it = places_set.find(id); it != places_set.end()) {
            p.add_in(e.file, e.pointer,
                     fmt::format("overlaps {}: both set the places of '{}'", it->second->pointer, id));
            continue;
          }
          places_set[id] = &e;
          w.facilities.places[k] = e.places;
        }
        break;
      case edit_kind::add_facilities:
        for (auto const& f : e.facilities) {
          add_facility(w, ctx, f, e, s.params.year, p);
        }
        break;
      case edit_kind::baby_bus_add: {
        auto const existing = std::find(w.facilities.bus_id.begin(), w.facilities.bus_id.end(), e.bus);
        bool const exists = existing != w.facilities.bus_id.end();
        if (e.replace_hours) {  // reroute: the bus's old sites go, the new ones come
          if (!exists) {
            p.add_in(e.file, e.pointer + "/bus", fmt::format("no Baby Bus with id '{}' to re-route", e.bus));
            break;
          }
          auto const b = sim::bus_idx::from(existing - w.facilities.bus_id.begin());
          remove_facilities(w.facilities, [&](sim::facility_idx k) { return w.facilities.bus[k] == b; });
        } else if (exists) {
          p.add_in(e.file, e.pointer + "/bus",
                   fmt::format("a Baby Bus with id '{}' already exists (use action reroute)", e.bus));
          break;
        }
        for (auto const& f : e.facilities) {
          add_facility(w, ctx, f, e, s.params.year, p);
        }
        break;
      }
      case edit_kind::baby_bus_remove: {
        auto const existing = std::find(w.facilities.bus_id.begin(), w.facilities.bus_id.end(), e.bus);
        if (existing == w.facilities.bus_id.end()) {
          p.add_in(e.file, e.pointer + "/bus", fmt::format("no Baby Bus with id '{}'", e.bus));
          break;
        }
        auto const b = sim::bus_idx::from(existing - w.facilities.bus_id.begin());
        remove_facilities(w.facilities, [&](sim::facility_idx k) { return w.facilities.bus[k] == b; });
        break;
      }
      case edit_kind::params:
        break;  // applied when the scenario was read
      case edit_kind::bus_service:
        if (t.gtfs.empty()) {
          p.add_in(e.file, e.pointer, "the territory has no GTFS feed to change");
        }
        break;  // applied to the timetable when bus times are computed
    }
  }
  check_labelled_places(w.facilities, labelled_places_set, places_set, p);
  // Buses without any site left are not counted (nor costed).
  {
    std::vector<std::uint8_t> used(w.facilities.bus_id.size(), 0);
    for (auto b : w.facilities.bus) {
      if (b.valid()) {
        used[b.index()] = 1;
      }
    }
    index_vector<sim::bus_idx, std::string> kept;
    std::vector<sim::bus_idx> remap(used.size(), sim::bus_idx::invalid());
    for (std::size_t i = 0; i < used.size(); ++i) {
      if (used[i] != 0) {
        remap[i] = sim::bus_idx::from(kept.size());
        kept.push_back(w.facilities.bus_id[sim::bus_idx::from(i)]);
      }
    }
    for (auto& b : w.facilities.bus) {
      b = b.valid() ? remap[b.index()] : b;
    }
    w.facilities.bus_id = std::move(kept);
  }
  p.throw_if_any();
  check_run_memory(w, s.params, s.replications, s.file.string());
  return w;
}

std::uint64_t estimated_run_bytes(sim::world const& w, sim::params const& p, int replications) {
  auto const families = static_cast<std::uint64_t>(w.families.size());
  auto const facilities = static_cast<std::uint64_t>(w.facilities.size());
  auto const per_family =
      std::min<std::uint64_t>(facilities, static_cast<std::uint64_t>(std::max(1, p.max_candidates)));
  // facility index, minutes, partial flag: 9 bytes per candidate.
  std::uint64_t const candidates = families * per_family * 9;
  // About 8 samples per facility, 12 per commune and sector, 40 island-wide, 8 bytes each.
  std::uint64_t const per_replication =
      8 * (8 * facilities + 12 * (w.communes.size() + w.sectors.size()) + 40);
  return candidates + per_replication * static_cast<std::uint64_t>(std::max(0, replications));
}

void check_run_memory(sim::world const& w, sim::params const& p, int replications, std::string const& file) {
  auto const need = estimated_run_bytes(w, p, replications);
  auto const pages = sysconf(_SC_PHYS_PAGES);
  auto const page = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page <= 0) {
    return;
  }
  auto const have = static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page);
  if (need > have / 10 * 8) {
    throw scenario_error{fmt::format(
        "{}: /params/max_candidates, /replications: this run would need about {:.1f} GB ({} families × "
        "up to {} candidates, {} replications), more than this machine's {:.1f} GB: lower max_candidates "
        "or the replications",
        file, static_cast<double>(need) / 1e9, w.families.size(), p.max_candidates, replications,
        static_cast<double>(have) / 1e9)};
  }
}

}  // namespace avip::scenarios
