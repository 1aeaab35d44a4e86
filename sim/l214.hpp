#pragma once

#include <cmath>
#include <cstdint>

#include "sim/params.hpp"
#include "sim/world.hpp"

namespace avip::sim {

/// CASF L.214-7: every EAJE guarantees one place per `l214_places_per_child` (20) to children of
/// parents in insertion. The number of such places of facility `k`; 0 when the rule does not apply
/// (not an EAJE, or fewer than 20 places).
inline std::int32_t l214_guaranteed_places(world const& w, params const& p, facility_idx k) {
  if (!is_eaje(w.facilities.kind[k])) {
    return 0;
  }
  return static_cast<std::int32_t>(std::floor(w.facilities.places[k] / p.l214_places_per_child));
}

/// Whether L.214-7 applies to facility `k` (an EAJE of 20 places or more).
inline bool l214_applies(world const& w, params const& p, facility_idx k) {
  return l214_guaranteed_places(w, p, k) >= 1;
}

}  // namespace avip::sim
