#pragma once

#include <cstddef>
#include <vector>

#include "sim/params.hpp"
#include "sim/replication.hpp"
#include "sim/results.hpp"
#include "sim/world.hpp"

namespace avip::sim {

/// The groups families are counted in, per replication: the territory, QPV / outside, single parent /
/// other, each commune, each sector, each prescriber. One flat row of `kFields` counts per group.
class group_layout {
 public:
  enum field : std::size_t {
    kReferred,
    kMatched,
    kPrioReferred,
    kPrioMatched,
    kUnreachable,
    kHours,
    kNotAllowed,
    kFull,
    kCensored,
    kPrioCensored,
    kPartial,
    kChildren,
    kWaitWeeks,
    kFields
  };
  static constexpr std::size_t kTerritory = 0, kQpv = 1, kNonQpv = 2, kSingle = 3, kOther = 4;

  explicit group_layout(world const& w) : communes_{w.communes.size()}, sectors_{w.sectors.size()} {}

  [[nodiscard]] std::size_t size() const { return 5 + communes_ + sectors_ + 3; }
  [[nodiscard]] std::size_t commune(commune_idx c) const { return 5 + c.index(); }
  [[nodiscard]] std::size_t sector(sector_idx s) const { return 5 + communes_ + s.index(); }
  [[nodiscard]] std::size_t prescriber(referrer r) const {
    return 5 + communes_ + sectors_ + static_cast<std::size_t>(r);
  }

 private:
  std::size_t communes_;
  std::size_t sectors_;
};

/// One replication's counts: `size() × kFields` values.
using group_counts = std::vector<double>;

/// Adds the families referred in the reported year to `counts` (their groups), by outcome and unmet
/// reason; families still waiting at the year's end are censored (neither met nor unmet).
void tally_groups(world const& w, params const& p, replication_state const& s, group_layout const& layout,
                  group_counts& counts);

/// Matched ÷ decided (referred − censored) of one group in one replication; 0 when none decided.
double group_coverage(group_counts const& counts, std::size_t group);

/// The per-replication counts of `group` turned into its indicators (one sample per replication).
void fill_group(group_indicators& g, std::vector<group_counts> const& per_rep, std::size_t group);

}  // namespace avip::sim
