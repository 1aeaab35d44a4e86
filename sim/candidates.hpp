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
  not_allowed  ///< compatible facilities exist, but none may take an AVIP child (see may_take_avip)
};

/// For every family, the facilities it could use (reachable by its modes within its tolerance in the
/// windows it needs, open at its hours), labelled structures and Baby Bus sites first, then the other
/// structures that may take an AVIP child (L.214-7), each group nearest first: CSR over families.
/// Computed once per run: it does not depend on the replication.
struct candidates {
  std::vector<std::uint32_t> offsets;  ///< size families + 1
  std::vector<facility_idx> facility;
  std::vector<float> minutes;  ///< door-to-door minutes by the family's best mode
  /// 1 when the facility covers only part of the family's needed hours (a Baby Bus site covering at
  /// least the AVIP minimum of 10 h a week): the family is then only partly covered.
  std::vector<std::uint8_t> partial;
  std::vector<no_match_reason> reason;  ///< per family: none when it has at least one candidate

  [[nodiscard]] std::size_t count(family_idx f) const { return offsets[f.index() + 1] - offsets[f.index()]; }
};

/// Straight-line travel minutes between two points at `speed_kmh` with the detour factor.
double straight_minutes(point a, point b, double speed_kmh, double detour);

/// Builds the candidate lists in parallel (oneTBB) with a grid-bucket index over facilities. Only the
/// facilities that may take a referred family are kept (see may_take_avip), at most
/// `params.max_candidates` per family (the nearest), in the order above. Ages are not checked here (children
/// age during the run): see fits_age at placement.
candidates build_candidates(world const& w, params const& p);

/// The parameters build_candidates reads, in a fixed order: two params equal on them give the same
/// candidates over one world, so a sweep builds them once for the points that differ elsewhere
/// (awareness, turnover, drop-out… change the replications, not who can reach what). Kept beside
/// build_candidates: a parameter it starts to read must be added here.
std::vector<double> candidate_inputs(params const& p);

/// Whether facility `k` may ever take a referred family: labelled structures and Baby Bus sites, other
/// EAJE within the L.214-7 guarantee (at least one place per 20), assistants maternels only when
/// `params.unlabelled_assmat_open`.
bool may_take_avip(world const& w, params const& p, facility_idx k);

/// Whether facility `k` is open at family `f`'s needed hours (all of them; a Baby Bus site: at least
/// params.min_weekly_hours of them) and has places.
bool fits_hours(world const& w, params const& p, family_idx f, facility_idx k);

/// Whether facility `k` takes family `f`'s child at `age_months` (Baby Bus from 5 months; up to 3 years,
/// 6 for a disabled child).
bool fits_age(world const& w, params const& p, family_idx f, facility_idx k, int age_months);

/// Both: open at the family's hours and fit for its child's age.
inline bool fits(world const& w, params const& p, family_idx f, facility_idx k, int age_months) {
  return fits_hours(w, p, f, k) && fits_age(w, p, f, k, age_months);
}

}  // namespace avip::sim
