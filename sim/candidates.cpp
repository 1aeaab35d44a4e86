#include "sim/candidates.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include "sim/l214.hpp"

namespace avip::sim {

double straight_minutes(point a, point b, double speed_kmh, double detour) {
  double const d = std::hypot(a.x - b.x, a.y - b.y) * detour;
  return d / (speed_kmh * 1000.0 / 60.0);
}

namespace {

/// Walking minutes: on the road graph when both ends are on it, else a straight line × the detour
/// factor of the family's commune.
double walk_minutes(world const& w, params const& p, family_idx f, facility_idx k) {
  if (!w.roads.empty()) {
    if (double const m = w.roads.walk_minutes(f, k); !std::isnan(m)) {
      return m;
    }
  }
  return straight_minutes(w.families.location[f], w.facilities.location[k], p.walk_speed_kmh,
                          detour_factor_of(w.communes, w.families.commune[f], p.detour_factor));
}

/// Car minutes: on the road graph when there is one (none off it), else a straight line × the detour
/// factor of the family's commune.
double car_minutes(world const& w, params const& p, family_idx f, facility_idx k) {
  if (!w.roads.empty()) {
    return w.roads.car_minutes(f, k);
  }
  return straight_minutes(w.families.location[f], w.facilities.location[k], p.car_speed_kmh,
                          detour_factor_of(w.communes, w.families.commune[f], p.detour_factor));
}

}  // namespace

bool fits_hours(world const& w, params const& p, family_idx f, facility_idx k) {
  auto const& fa = w.facilities;
  auto const& fm = w.families;
  if (fa.kind[k] == facility_kind::baby_bus_site) {
    // An itinerant micro-crèche complements other care: it fits when its sessions cover at least the
    // AVIP minimum of care hours among those the family needs (10 h a week, seed 002); the family is
    // then reported as partly covered unless the sessions cover all its hours.
    if ((fm.hours[f] & fa.hours[k]).hours() < p.min_weekly_hours) {
      return false;
    }
  } else if (!fm.hours[f].fits_in(fa.hours[k])) {
    return false;
  }
  return fa.places[k] > 0;
}

bool fits_age(world const& w, params const& p, family_idx f, facility_idx k, int age_months) {
  auto const& fa = w.facilities;
  auto const& fm = w.families;
  int const max_age = fm.disabled_child[f] != 0 ? p.max_age_months_disabled : p.max_age_months;
  if (age_months > max_age) {
    return false;
  }
  return !(fa.kind[k] == facility_kind::baby_bus_site && age_months < p.baby_bus_min_age_months);
}

bool may_take_avip(world const& w, params const& p, facility_idx k) {
  auto const kind = w.facilities.kind[k];
  if (w.facilities.avip[k] != 0 || kind == facility_kind::baby_bus_site) {
    return true;
  }
  if (is_eaje(kind)) {
    return l214_applies(w, p, k);
  }
  return p.unlabelled_assmat_open;
}

namespace {

/// Facilities bucketed on a square grid so that a family looks only at nearby buckets.
struct bucket_index {
  double size{2000.0};
  std::unordered_map<std::uint64_t, std::vector<facility_idx>> buckets;

  static std::uint64_t key(std::int64_t bx, std::int64_t by) {
    return (static_cast<std::uint64_t>(bx + (1LL << 31)) << 32U) |
           static_cast<std::uint64_t>(by + (1LL << 31));
  }
  explicit bucket_index(world const& w, double cell) : size{cell} {
    for (std::size_t i = 0; i < w.facilities.size(); ++i) {
      auto const& l = w.facilities.location[facility_idx::from(i)];
      buckets[key(static_cast<std::int64_t>(std::floor(l.x / size)),
                  static_cast<std::int64_t>(std::floor(l.y / size)))]
          .push_back(facility_idx::from(i));
    }
  }
  template <typename Fn>
  void around(point c, double radius, Fn&& fn) const {
    auto const bx0 = static_cast<std::int64_t>(std::floor((c.x - radius) / size));
    auto const bx1 = static_cast<std::int64_t>(std::floor((c.x + radius) / size));
    auto const by0 = static_cast<std::int64_t>(std::floor((c.y - radius) / size));
    auto const by1 = static_cast<std::int64_t>(std::floor((c.y + radius) / size));
    for (auto bx = bx0; bx <= bx1; ++bx) {
      for (auto by = by0; by <= by1; ++by) {
        if (auto it = buckets.find(key(bx, by)); it != buckets.end()) {
          for (auto k : it->second) {
            fn(k);
          }
        }
      }
    }
  }
};

}  // namespace

candidates build_candidates(world const& w, params const& p) {
  auto const n = w.families.size();
  candidates c;
  c.reason.assign(n, no_match_reason::none);
  double const max_tol = *std::max_element(p.tolerance_minutes.begin(), p.tolerance_minutes.end());
  double const fastest = std::max(p.car_speed_kmh, p.walk_speed_kmh);
  double const radius = max_tol * fastest * 1000.0 / 60.0 / p.detour_factor;
  bucket_index const index{w, std::max(1000.0, radius / 2.0)};
  std::vector<std::uint8_t> capable(w.facilities.size());
  for (std::size_t k = 0; k < capable.size(); ++k) {
    capable[k] = may_take_avip(w, p, facility_idx::from(k)) ? 1 : 0;
  }

  std::vector<std::vector<std::pair<float, facility_idx>>> per_family(n);
  tbb::parallel_for(tbb::blocked_range<std::size_t>{0, n, 512}, [&](auto const& range) {
    for (auto i = range.begin(); i != range.end(); ++i) {
      auto const f = family_idx::from(i);
      auto const home = w.families.location[f];
      auto const mode = w.families.mobility_mode[f];
      double const tol = p.tolerance_minutes[static_cast<std::size_t>(mode)];
      auto const need = bus_windows_of(w.families.hours[f]);
      bool reachable_any = false;
      bool compatible_any = false;
      auto& out = per_family[i];
      // Bus times from the family's cell (sorted rows, binary search): the worst of the medians of the
      // trips it makes, each within the tolerance, or unreachable.
      auto bus_minutes = [&](facility_idx k) -> double {
        if (mode != mobility::bus || w.bus.empty() || !w.families.cell[f].valid() || !need.any()) {
          return 1e9;
        }
        auto const cell = w.families.cell[f];
        std::uint16_t worst = 0;
        need.for_each_key(
            [&](std::uint16_t key) { worst = std::max(worst, w.bus.median_minutes(cell, key, k)); });
        return worst >= bus_access::kUnreachable ? 1e9 : worst;
      };
      bool const by_bus = mode == mobility::bus && !w.bus.empty();
      double const car_search = std::max(fastest, w.roads.max_car_kmh);  // road speeds exceed car_speed_kmh
      double const search_speed = mode == mobility::car ? car_search : (by_bus ? 40.0 : p.walk_speed_kmh);
      double const search = tol * search_speed * 1000.0 / 60.0;
      index.around(home, search, [&](facility_idx k) {
        double minutes = walk_minutes(w, p, f, k);
        if (mode == mobility::car) {
          minutes = std::min(minutes, car_minutes(w, p, f, k));
        } else if (mode == mobility::bus) {
          minutes = std::min(minutes, bus_minutes(k));
        }
        if (minutes > tol) {
          return;
        }
        reachable_any = true;
        if (fits_hours(w, p, f, k)) {
          if (capable[k.index()] != 0) {
            out.emplace_back(static_cast<float>(minutes), k);
          } else {
            compatible_any = true;
          }
        }
      });
      // Nearest first; a family looks no further than the nearest `max_candidates`.
      auto const keep = std::min(out.size(), static_cast<std::size_t>(std::max(1, p.max_candidates)));
      std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(keep), out.end());
      out.resize(keep);
      out.shrink_to_fit();
      // An AVIP referral goes to a labelled structure (or a Baby Bus) first; the L.214-7 places of the
      // other EAJE come after them, each group nearest first.
      std::stable_sort(out.begin(), out.end(), [&](auto const& a, auto const& b) {
        auto const la =
            w.facilities.avip[a.second] != 0 || w.facilities.kind[a.second] == facility_kind::baby_bus_site;
        auto const lb =
            w.facilities.avip[b.second] != 0 || w.facilities.kind[b.second] == facility_kind::baby_bus_site;
        return la && !lb;
      });
      if (out.empty()) {
        c.reason[i] = compatible_any
                          ? no_match_reason::not_allowed
                          : (reachable_any ? no_match_reason::hours : no_match_reason::unreachable);
      }
    }
  });
  c.offsets.resize(n + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    c.offsets[i + 1] = c.offsets[i] + static_cast<std::uint32_t>(per_family[i].size());
  }
  c.facility.resize(c.offsets[n]);
  c.minutes.resize(c.offsets[n]);
  c.partial.resize(c.offsets[n]);
  tbb::parallel_for(std::size_t{0}, n, [&](std::size_t i) {
    auto o = c.offsets[i];
    auto const f = family_idx::from(i);
    for (auto const& [m, k] : per_family[i]) {
      c.facility[o] = k;
      c.minutes[o] = m;
      c.partial[o] = w.families.hours[f].fits_in(w.facilities.hours[k]) ? 0 : 1;
      ++o;
    }
  });
  return c;
}

std::vector<double> candidate_inputs(params const& p) {
  std::vector<double> v{p.car_speed_kmh,
                        p.walk_speed_kmh,
                        p.detour_factor,
                        p.min_weekly_hours,
                        p.l214_places_per_child,
                        static_cast<double>(p.max_candidates),
                        p.unlabelled_assmat_open ? 1.0 : 0.0};
  v.insert(v.end(), p.tolerance_minutes.begin(), p.tolerance_minutes.end());
  return v;
}

}  // namespace avip::sim
