#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "sim/candidates.hpp"
#include "sim/params.hpp"
#include "sim/world.hpp"

namespace avip::sim {

/// Where a family stands in one replication.
enum class family_status : std::uint8_t { idle, waiting, placed, left_matched, left_unmet };

/// Why a referred family is unmet (or censored).
enum class unmet_reason : std::uint8_t { none, unreachable, hours, not_allowed, full, censored };

/// Why a placed family left.
enum class exit_reason : std::uint8_t { none, contract_end, school, dropout };

/// A family's outcome draws for a stay, keyed by the family and the months since it entered, so that
/// they do not depend on where or when it is placed (the policies and the year bound see the same
/// stays): months until the parent finds a job, until an unplanned exit, and the renewal decisions.
struct stay_draws {
  int job_after{1000};  ///< months after entry when the parent finds a job (1000: never)
  bool permanent_job{false};
  int dropout_after{1000};  ///< months after entry of an unplanned exit
  int renewals{0};          ///< renewals granted if still seeking when a contract ends
};

/// How long a family entering in absolute month `entry` stays (months ≥ 1, cut at `months`), and why
/// it leaves (none when still there at the end). `school_month_of_entry` is the first absolute month
/// at which its youngest child is in school (entry < it).
struct stay {
  int months{1};
  exit_reason reason{exit_reason::none};
  bool employed_at_exit{false};
};
stay stay_from(stay_draws const& d, params const& p, int entry, int school_month, int months);

/// The mutable state of one replication (caller-owned; reused across replications by one thread).
/// Months are absolute: 0 … warmup + horizon − 1; the reported year starts at params.warmup_months.
struct replication_state {
  // Per family
  std::vector<family_status> status;
  std::vector<std::int16_t> referral_month;  ///< -1: not referred
  std::vector<referrer> referred_by;
  std::vector<std::int16_t> placed_month;  ///< -1: never placed
  std::vector<std::int16_t> exit_month;    ///< month it leaves (exclusive), or -1
  std::vector<exit_reason> exit_why;
  std::vector<std::uint8_t> employed_at_exit;
  std::vector<std::uint8_t> permanent_job;
  std::vector<facility_idx> facility;  ///< where the family is (or was) placed
  std::vector<std::uint8_t> partial;   ///< placed where only part of its hours is covered
  std::vector<unmet_reason> unmet;
  std::vector<stay_draws> draws;
  std::vector<std::int16_t> school_month;  ///< first absolute month its youngest child is in school
  // Per facility (counts in children)
  std::vector<std::int32_t> ordinary;       ///< children not referred under AVIP
  std::vector<std::int32_t> ordinary_goal;  ///< ordinary demand's level (observed occupancy × places)
  std::vector<std::int32_t> avip;           ///< AVIP children present now
  std::vector<std::int32_t> avip_cap;       ///< most AVIP children at once (label, L.214-7, Baby Bus)
  std::vector<std::int32_t> avip_year;      ///< AVIP children present at any time in the reported year
  std::vector<std::int32_t> l214_requests;  ///< reported year: months × waiting families asking
  std::vector<std::int32_t> l214_found;     ///< of which found a guaranteed place free
  // The random-stream keys of the world's ids (id_key), hashed once per world and thread rather than
  // at every replication and month.
  std::vector<std::uint64_t> family_key;
  std::vector<std::uint64_t> facility_key;
  world const* keyed_world{nullptr};
  // Scratch reused across replications: the families placed and not yet left (in placement order),
  // and the families referred in each month (referred_in[month_start[m] … month_start[m + 1]]).
  std::vector<std::uint32_t> placed_now;
  std::vector<std::uint32_t> referred_in;
  std::vector<std::uint32_t> month_start;

  [[nodiscard]] std::int32_t free_places(world const& w, facility_idx k) const {
    return w.facilities.places[k] - ordinary[k.index()] - avip[k.index()];
  }
  /// Children the facility can take now under AVIP: free places within its AVIP cap.
  [[nodiscard]] std::int32_t available(world const& w, facility_idx k) const {
    auto const a = std::min(free_places(w, k), avip_cap[k.index()] - avip[k.index()]);
    return a > 0 ? a : 0;
  }

  void reset(world const& w, params const& p);
};

/// Children a family places (each takes one place): its children under 3, at least one.
inline int children_of(world const& w, family_idx f) {
  auto const n = w.families.children_under_3[f];
  return n > 0 ? n : 1;
}

/// The AVIP cap of facility `k`: its labelled places when labelled (EAJE), all its places for a Baby
/// Bus site or a labelled assistant maternel, the CASF L.214-7 guarantee (1 per 20 places) for an
/// other EAJE, none for unlabelled assistants maternels unless params.unlabelled_assmat_open.
std::int32_t avip_cap(world const& w, params const& p, facility_idx k);

/// Weeks in a month, to turn waits in weeks into months and back.
inline constexpr double kWeeksPerMonth = 4.33;

/// Months of warm-up, and months simulated in all (warm-up + the reported year), as run_replication uses.
int warmup_months(params const& p);
int simulated_months(params const& p);

/// Whole months a family waits before giving up (params.max_wait_weeks).
int max_wait_months(params const& p);

/// The child's age (months) in absolute month `m` (negative: not born yet).
int age_at(world const& w, params const& p, family_idx f, int m);

/// Allocates the places available this month to the families waiting, under the policy. `waiting`
/// lists them (any order); returns the number matched. The randomness of `lottery` comes from streams
/// keyed by (seed, replication, family, month). Never exceeds the places nor the AVIP caps; only
/// candidates fit for the child's age are used.
int allocate_month(world const& w, params const& p, candidates const& c, replication_state& s,
                   std::vector<family_idx>& waiting, int month, std::uint64_t seed, int replication);

/// Priority-weighted value of a set of matches (params' weights), for comparing policies.
double weighted_matches(world const& w, params const& p, std::vector<family_idx> const& matched);

/// Runs one replication (warm-up then the reported year) into `s`. When `cancel` is given and becomes
/// true, stops at the start of the next month and returns false (`s` is then incomplete).
bool run_replication(world const& w, params const& p, candidates const& c, replication_state& s,
                     std::uint64_t seed, int replication, std::atomic<bool> const* cancel = nullptr);

}  // namespace avip::sim
