#pragma once

#include <algorithm>
#include <cmath>
#include <string>

#include "sim/opening_hours.hpp"
#include "sim/params.hpp"
#include "sim/world.hpp"

namespace avip::sim::testing {

/// A small world built in code: communes on a line 10 km apart, one grid cell per commune, and
/// facilities and families added by the test. Coordinates in metres.
struct mini_world {
  world w;

  explicit mini_world(int communes = 2) {
    w.territory = "mini";
    w.epsg = 2154;
    w.sectors.name.push_back("Nord");
    for (int c = 0; c < communes; ++c) {
      w.communes.code.push_back("6300" + std::to_string(c + 1));
      w.communes.name.push_back("C" + std::to_string(c + 1));
      w.communes.epci.push_back("E");
      w.communes.sector.push_back(sector_idx{0});
      w.communes.population.push_back(1000);
      w.communes.children_under_3.push_back(100);
      w.communes.zrr.push_back(0);
      w.communes.centroid.push_back({c * 10000.0, 0});
      w.communes.poverty_rate.push_back(0.5 / (c + 1));  // the first commune is the poorest
      w.grid.id.push_back("cell" + std::to_string(c));
      w.grid.centre.push_back({c * 10000.0, 0});
      w.grid.commune.push_back(commune_idx::from(c));
      w.grid.qpv.push_back(qpv_idx::invalid());
      w.grid.people.push_back(500);
      w.grid.children_0_3.push_back(30);
      w.grid.low_income_households.push_back(50);
      w.grid.single_parent_households.push_back(-1);
    }
  }

  /// The commune of a point on the line: one every 10 km, the last one beyond (a world's points always
  /// lie in one of its communes).
  [[nodiscard]] commune_idx commune_at(double x) const {
    auto const nearest = static_cast<std::size_t>(std::max(0L, std::lround(x / 10000.0)));
    return commune_idx::from(std::min(nearest, w.communes.size() - 1));
  }

  facility_idx facility(std::string const& id, facility_kind kind, int places, std::string const& hours,
                        double x, bool avip = true, double occupancy = 0.0) {
    auto& f = w.facilities;
    f.id.push_back(id);
    f.name.push_back(id);
    f.kind.push_back(kind);
    f.places.push_back(places);
    f.hours.push_back(parse_opening_hours(hours));
    f.hours_text.push_back(hours);
    f.occupancy.push_back(occupancy);
    f.avip.push_back(avip ? 1 : 0);
    f.avip_places.push_back(0);  // not given: labelled_places_share of its places
    f.label_year.push_back(0);   // unknown
    f.network.push_back(network_idx::invalid());
    f.manager.push_back(manager_idx::invalid());
    f.bus.push_back(bus_idx::invalid());
    f.synthetic.push_back(0);
    f.source.push_back("test");
    f.location.push_back({x, 0});
    auto const c = commune_at(x);
    f.commune.push_back(c);
    f.qpv.push_back(qpv_idx::invalid());
    f.cell.push_back(cell_idx::from(c.index()));
    return facility_idx::from(f.size() - 1);
  }

  family_idx family(double x, std::string const& hours, mobility m = mobility::walk, int referral_month = 0,
                    bool single = false, int age = 18, bool in_qpv = false) {
    auto& f = w.families;
    f.id.push_back("f" + std::to_string(f.size()));
    f.location.push_back({x, 0});
    auto const c = commune_at(x);
    f.commune.push_back(c);
    if (in_qpv && w.qpvs.size() == 0) {
      w.qpvs.code.push_back("Q1");
      w.qpvs.name.push_back("Q1");
      w.qpvs.commune.push_back(c);
      w.qpvs.residents.push_back(100);
      w.qpvs.synthetic.push_back(0);
    }
    f.qpv.push_back(in_qpv ? qpv_idx{0} : qpv_idx::invalid());
    f.cell.push_back(cell_idx::from(c.index()));
    f.zrr.push_back(0);
    f.children_under_3.push_back(1);
    f.child_age_months.push_back(static_cast<std::uint8_t>(age));
    f.disabled_child.push_back(0);
    f.single_parent.push_back(single ? 1 : 0);
    f.parent_under_26.push_back(0);
    f.path.push_back(insertion_path::job_search);
    f.hours.push_back(parse_opening_hours(hours));
    f.mobility_mode.push_back(m);
    f.referral_month.push_back(static_cast<std::int8_t>(referral_month));
    f.synthetic.push_back(0);
    return family_idx::from(f.size() - 1);
  }
};

/// Parameters without randomness in outcomes: every family referred (the whole funnel at 1), no
/// warm-up, no job found, no dropout, every contract renewed (a stay of 12 months), no turnover.
inline params quiet_params() {
  params p;
  p.awareness_rate = 1.0;
  p.insertion_path_rate = 1.0;
  p.childcare_barrier_rate = 1.0;
  p.acceptance_rate = 1.0;
  p.warmup_months = 0;
  p.monthly_job_finding_probability = 0;
  p.monthly_dropout_probability = 0;
  p.renewal_probability = 1.0;
  p.yearly_turnover = 0;
  return p;
}

}  // namespace avip::sim::testing
