#pragma once

#include <cstdint>
#include <vector>

#include "sim/candidates.hpp"
#include "sim/params.hpp"
#include "sim/world.hpp"

namespace avip::sim {

/// Where a family stands in one replication.
enum class family_status : std::uint8_t { idle, waiting, placed, left_matched, left_unmet };

/// The mutable state of one replication (caller-owned; reused across replications by one thread).
struct replication_state {
  std::vector<family_status> status;
  std::vector<std::int8_t> referral_month;   ///< -1: not referred this year
  std::vector<referrer> referred_by;         ///< prescriber of the referral
  std::vector<std::int8_t> placed_month;     ///< -1: never placed
  std::vector<std::int8_t> contract_end;     ///< month the contract ends (exclusive)
  std::vector<std::uint8_t> employed;        ///< parent found a job: keeps the place (continuity)
  std::vector<facility_idx> facility;        ///< where the family is (or was) placed
  std::vector<std::int32_t> free_places;     ///< per facility, now
  std::vector<std::int32_t> other_children;  ///< per facility, places held by non-AVIP children
  std::vector<double> turnover_credit;       ///< per facility, fractional places freed by turnover
  std::vector<std::int32_t> avip_children;   ///< per facility, AVIP children welcomed this year
  std::vector<std::uint8_t> unmet_reason;    ///< per family: no_match_reason, or 3 = full
  /// Per facility, AVIP placements it may still make this year: unlimited when labelled (or a Baby
  /// Bus), the L.214-7 guarantee (1 per 20 places) for other EAJE, none for unlabelled assistants
  /// maternels unless params.unlabelled_assmat_open.
  std::vector<std::int32_t> avip_quota;

  [[nodiscard]] std::int32_t available(facility_idx k) const {
    return std::min(free_places[k.index()], avip_quota[k.index()]);
  }

  void reset(world const& w, params const& p);
};

/// Allocates free places to the families waiting this month under the policy. `waiting` lists them
/// (any order); returns the number matched. The randomness of `lottery` comes from streams keyed by
/// (seed, replication, family, month). Never exceeds `free_places`; only candidates are used.
int allocate_month(world const& w, params const& p, candidates const& c, replication_state& s,
                   std::vector<family_idx>& waiting, int month, std::uint64_t seed, int replication);

/// Priority-weighted value of a set of matches (params' weights), for comparing policies.
double weighted_matches(world const& w, params const& p, std::vector<family_idx> const& matched);

/// Runs one replication over the horizon into `s`.
void run_replication(world const& w, params const& p, candidates const& c, replication_state& s,
                     std::uint64_t seed, int replication);

}  // namespace avip::sim
