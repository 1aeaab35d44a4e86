#include "sim/comparison.hpp"

#include <cmath>
#include <limits>

#include "core/error.hpp"

namespace avip::sim {

namespace {

samples paired(samples const& b, samples const& a) {
  if (b.values.size() != a.values.size()) {
    throw error{"compare: an indicator has not the same number of replications in both scenarios"};
  }
  samples d;
  d.values.resize(b.values.size());
  for (std::size_t r = 0; r < b.values.size(); ++r) {
    d.values[r] = b.values[r] - a.values[r];
  }
  return d;
}

group_delta delta(group_indicators const& b, group_indicators const& a) {
  return {paired(b.matched, a.matched),
          paired(b.priority_matched, a.priority_matched),
          paired(b.coverage, a.coverage),
          paired(b.priority_coverage, a.priority_coverage),
          paired(b.unmet_unreachable, a.unmet_unreachable),
          paired(b.unmet_hours, a.unmet_hours),
          paired(b.unmet_not_allowed, a.unmet_not_allowed),
          paired(b.unmet_full, a.unmet_full),
          paired(b.censored, a.censored),
          paired(b.matched_partial, a.matched_partial),
          paired(b.children_placed, a.children_placed)};
}

}  // namespace

comparison compare(std::vector<std::string> names, std::vector<run_results const*> results) {
  if (results.empty() || names.size() != results.size()) {
    throw error{"compare: give one name per scenario, and at least one scenario"};
  }
  auto const& ref = *results.front();
  comparison c;
  c.names = std::move(names);
  c.results = results;
  for (std::size_t s = 0; s < results.size(); ++s) {
    auto const& r = *results[s];
    if (r.replications != ref.replications || r.communes.size() != ref.communes.size() ||
        r.sectors.size() != ref.sectors.size() || r.cells.size() != ref.cells.size()) {
      throw error{
          "compare: scenarios must share the territory (communes, sectors, grid) and the replication count"};
    }
    scenario_delta d;
    d.name = c.names[s];
    d.island = delta(r.island, ref.island);
    d.qpv = delta(r.qpv, ref.qpv);
    d.non_qpv = delta(r.non_qpv, ref.non_qpv);
    for (std::size_t i = 0; i < r.communes.size(); ++i) {
      d.communes.push_back(
          delta(r.communes[commune_idx::from(i)].demand, ref.communes[commune_idx::from(i)].demand));
    }
    for (std::size_t i = 0; i < r.sectors.size(); ++i) {
      d.sectors.push_back(delta(r.sectors[sector_idx::from(i)], ref.sectors[sector_idx::from(i)]));
    }
    d.cell_matched.resize(r.cells.size());
    d.cell_unmet.resize(r.cells.size());
    for (std::size_t i = 0; i < r.cells.size(); ++i) {
      d.cell_matched[i] = r.cells[cell_idx::from(i)].matched - ref.cells[cell_idx::from(i)].matched;
      d.cell_unmet[i] = r.cells[cell_idx::from(i)].unmet - ref.cells[cell_idx::from(i)].unmet;
    }
    d.cost_delta = r.cost.total - ref.cost.total;
    double const gained = d.island.priority_matched.mean();
    d.cost_per_additional_priority_family =
        gained > 0 ? d.cost_delta / gained : std::numeric_limits<double>::quiet_NaN();
    c.deltas.push_back(std::move(d));
  }
  return c;
}

}  // namespace avip::sim
