#pragma once

#include <cstdint>
#include <vector>

#include "sim/params.hpp"
#include "sim/world.hpp"

namespace avip::sim {

/// Why a family has no compatible facility at all (DESIGN.md "Unmet demand by reason").
enum class no_match_reason : std::uint8_t {
  none,
  unreachable,
  hours,
  full  ///< compatible facilities exist, but none may take an AVIP child (see may_take_avip)
};

/// For every family, the facilities it could use (reachable by its modes within its tolerance in the
/// windows it needs, open at its hours, fit for its child's age), nearest first: CSR over families.
/// Computed once per run: it does not depend on the replication.
struct candidates {
  std::vector<std::uint32_t> offsets;  ///< size families + 1
  std::vector<facility_idx> facility;
  std::vector<float> minutes;           ///< door-to-door minutes by the family's best mode
  std::vector<no_match_reason> reason;  ///< per family: none when it has at least one candidate

  [[nodiscard]] std::size_t count(family_idx f) const { return offsets[f.index() + 1] - offsets[f.index()]; }
};

/// Straight-line travel minutes between two points at `speed_kmh` with the detour factor.
double straight_minutes(point a, point b, double speed_kmh, double detour);

/// Builds the candidate lists in parallel (oneTBB) with a grid-bucket index over facilities. Only the
/// facilities that may take a referred family are kept (see may_take_avip), at most
/// `params.max_candidates` per family, nearest first.
/// `age_at_month` is checked at the family's age at the start of the horizon plus `age_margin_months`.
candidates build_candidates(world const& w, params const& p);

/// Whether facility `k` may ever take a referred family: labelled structures and Baby Bus sites, other
/// EAJE within the L.214-7 guarantee (at least one place per 20), assistants maternels only when
/// `params.unlabelled_assmat_open`.
bool may_take_avip(world const& w, params const& p, facility_idx k);

/// Whether facility `k` is open at family `f`'s needed hours and fits its child's age (months).
bool fits(world const& w, params const& p, family_idx f, facility_idx k, int age_months);

}  // namespace avip::sim
