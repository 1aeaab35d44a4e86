#include "scenarios/param_bindings.hpp"

namespace avip::scenarios {

std::vector<param_binding> const& param_bindings() {
  static std::vector<param_binding> const b = [] {
    std::vector<param_binding> v;
    auto d = [&](std::string n, double lo, double hi, double sim::params::*m) {
      v.push_back({std::move(n), lo, hi, false, [m](sim::params& p, double x) { p.*m = x; },
                   [m](sim::params const& p) { return p.*m; }});
    };
    auto i = [&](std::string n, double lo, double hi, int sim::params::*m) {
      v.push_back({std::move(n), lo, hi, true, [m](sim::params& p, double x) { p.*m = static_cast<int>(x); },
                   [m](sim::params const& p) { return static_cast<double>(p.*m); }});
    };
    i("horizon_months", 1, 60, &sim::params::horizon_months);
    i("warmup_months", 0, 60, &sim::params::warmup_months);
    i("year", 2000, 2100, &sim::params::year);
    i("school_entry_month", 0, 11, &sim::params::school_entry_month);
    d("awareness_rate", 0, 1, &sim::params::awareness_rate);
    d("insertion_path_rate", 0, 1, &sim::params::insertion_path_rate);
    d("childcare_barrier_rate", 0, 1, &sim::params::childcare_barrier_rate);
    d("acceptance_rate", 0, 1, &sim::params::acceptance_rate);
    d("demand_scale", 0, 10, &sim::params::demand_scale);
    d("caf_share_social_paths", 0, 1, &sim::params::caf_share_social_paths);
    i("max_wait_weeks", 0, 104, &sim::params::max_wait_weeks);
    i("contract_months", 1, 24, &sim::params::contract_months);
    i("contract_renewals", 0, 5, &sim::params::contract_renewals);
    d("renewal_probability", 0, 1, &sim::params::renewal_probability);
    d("min_weekly_hours", 0, 60, &sim::params::min_weekly_hours);
    d("monthly_job_finding_probability", 0, 1, &sim::params::monthly_job_finding_probability);
    d("permanent_job_share", 0, 1, &sim::params::permanent_job_share);
    d("monthly_dropout_probability", 0, 1, &sim::params::monthly_dropout_probability);
    d("yearly_turnover", 0, 1, &sim::params::yearly_turnover);
    d("labelled_places_share", 0, 1, &sim::params::labelled_places_share);
    i("baby_bus_min_age_months", 0, 36, &sim::params::baby_bus_min_age_months);
    i("max_age_months", 1, 72, &sim::params::max_age_months);
    i("max_age_months_disabled", 1, 96, &sim::params::max_age_months_disabled);
    d("walk_speed_kmh", 1, 10, &sim::params::walk_speed_kmh);
    d("detour_factor", 1, 3, &sim::params::detour_factor);
    d("car_speed_kmh", 5, 120, &sim::params::car_speed_kmh);
    i("max_candidates", 1, 10000, &sim::params::max_candidates);
    v.push_back({"tolerance_car_minutes", 1, 180, false,
                 [](sim::params& p, double x) { p.tolerance_minutes[0] = x; },
                 [](sim::params const& p) { return p.tolerance_minutes[0]; }});
    v.push_back({"tolerance_bus_minutes", 1, 180, false,
                 [](sim::params& p, double x) { p.tolerance_minutes[1] = x; },
                 [](sim::params const& p) { return p.tolerance_minutes[1]; }});
    v.push_back({"tolerance_walk_minutes", 1, 180, false,
                 [](sim::params& p, double x) { p.tolerance_minutes[2] = x; },
                 [](sim::params const& p) { return p.tolerance_minutes[2]; }});
    d("priority_weight", 0, 100, &sim::params::priority_weight);
    d("other_weight", 0, 100, &sim::params::other_weight);
    d("avip_target_share", 0, 1, &sim::params::avip_target_share);
    d("assmat_network_target", 0, 10, &sim::params::assmat_network_target);
    d("l214_places_per_child", 1, 100, &sim::params::l214_places_per_child);
    d("label_funding_first_year", 0, 1e6, &sim::params::label_funding_first_year);
    d("label_funding_later_years", 0, 1e6, &sim::params::label_funding_later_years);
    d("coordinator_funding_per_tenth_fte", 0, 1e6, &sim::params::coordinator_funding_per_tenth_fte);
    d("coordinator_places_per_tenth_fte", 1, 1000, &sim::params::coordinator_places_per_tenth_fte);
    d("baby_bus_yearly_cost", 0, 1e8, &sim::params::baby_bus_yearly_cost);
    return v;
  }();
  return b;
}

param_binding const* find_param(std::string const& name) {
  for (auto const& b : param_bindings()) {
    if (b.name == name) {
      return &b;
    }
  }
  return nullptr;
}

}  // namespace avip::scenarios
