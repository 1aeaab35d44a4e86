#pragma once

#include <cstdint>
#include <vector>

#include "sim/candidates.hpp"
#include "sim/types.hpp"

namespace avip::sim {

/// One referred family as the year bound sees it: it may enter any of its candidate facilities in any
/// month of [first_month, last_month] (its referral month to the end of its wait), and would then stay
/// `stay_months[t − first_month]` months (≥ 1; its contract, job, dropout and school entry as drawn in
/// the replication, cut at the horizon), taking `children` places all that time.
struct bound_request {
  family_idx family;
  int first_month{0};
  int last_month{0};
  int children{1};
  double weight{1.0};
  std::vector<std::uint8_t> stay_months;
};

struct bound_result {
  double value{0.0};     ///< Σ weight × x at the LP optimum: an upper bound on any policy's value
  double families{0.0};  ///< Σ x (may be fractional)
  bool solved{false};    ///< false when the LP solver failed (value then 0)
};

/// The year-long upper bound on the priority-weighted families placed: the LP relaxation of the
/// time-indexed assignment (x[f,k,t] ∈ [0,1]: family f enters facility k in month t; each family
/// once; in every month, the children present at k ≤ capacity[k]), solved with LEMON's LP interface
/// (GLPK). Every policy that places families only in candidate facilities, within their wait, and
/// never holds more than capacity[k] AVIP children at k, with the same stays, is feasible for it,
/// so its value is ≤ the bound. A pure min-cost flow cannot hold both "one place per family" and
/// "places come back when a stay ends", hence the LP.
bound_result year_bound(candidates const& c, std::vector<bound_request> const& requests,
                        std::vector<std::int32_t> const& capacity, int months);

}  // namespace avip::sim
