#include "sim/cost.hpp"

#include <cmath>
#include <map>
#include <string>

namespace avip::sim {

std::int32_t labelled_places(world const& w, params const& p, facility_idx k) {
  auto const& fa = w.facilities;
  if (fa.avip[k] == 0 && fa.kind[k] != facility_kind::baby_bus_site) {
    return 0;
  }
  if (!is_eaje(fa.kind[k])) {
    return fa.places[k];  // a Baby Bus site or a labelled assistant maternel: all its places
  }
  if (k.index() < fa.avip_places.size() && fa.avip_places[k] > 0) {
    return std::min(fa.avip_places[k], fa.places[k]);
  }
  return static_cast<std::int32_t>(std::ceil(p.labelled_places_share * fa.places[k] - 1e-9));
}

cost_indicators compute_cost(world const& w, params const& p) {
  auto const& fa = w.facilities;
  cost_indicators c;
  // Référents (a labelled EAJE must have one, seed 000 annex 4) and coordinators (networks that have
  // one) are funded per manager or network: 0.1 FTE per 5 labelled places, 50 % of up to 2,400 € per
  // 0.1 FTE (seed 002).
  std::map<std::string, double> funded_groups;
  for (std::size_t i = 0; i < fa.size(); ++i) {
    auto const k = facility_idx::from(i);
    if (fa.avip[k] == 0 || fa.kind[k] == facility_kind::baby_bus_site) {
      continue;
    }
    double const places = labelled_places(w, p, k);
    c.labelled_places += places;
    bool const first_year =
        k.index() >= fa.label_year.size() || fa.label_year[k] == 0 || fa.label_year[k] >= p.year;
    if (first_year) {
      c.labelled_places_first_year += places;
    }
    if (fa.network[k].valid()) {
      auto const n = fa.network[k];
      bool const coordinated =
          n.index() < fa.network_has_coordinator.size() && fa.network_has_coordinator[n] != 0;
      if (coordinated) {
        funded_groups["network:" + fa.network_id[n]] += places;
      }
    } else if (is_eaje(fa.kind[k])) {
      funded_groups[fa.manager[k].valid() ? "manager:" + fa.manager_id[fa.manager[k]]
                                          : "facility:" + fa.id[k]] += places;
    }
  }
  c.label_funding = c.labelled_places_first_year * p.label_funding_first_year +
                    (c.labelled_places - c.labelled_places_first_year) * p.label_funding_later_years;
  for (auto const& [group, places] : funded_groups) {
    c.coordinator_funding +=
        std::ceil(places / p.coordinator_places_per_tenth_fte - 1e-9) * p.coordinator_funding_per_tenth_fte;
  }
  c.baby_buses = static_cast<std::int32_t>(w.facilities.bus_id.size());
  c.baby_bus = c.baby_buses * p.baby_bus_yearly_cost;
  c.total = c.label_funding + c.coordinator_funding + c.baby_bus;
  return c;
}

}  // namespace avip::sim
