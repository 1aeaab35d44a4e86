#pragma once

#include <cstdint>

#include "sim/params.hpp"
#include "sim/results.hpp"
#include "sim/world.hpp"

namespace avip::sim {

/// Places labelled AVIP at facility `k` (0 when not labelled): the label convention's figure
/// (world.facilities.avip_places) or, when it gives none, ceil(params.labelled_places_share × places).
/// Baby Bus sites and labelled assistants maternels: all their places.
std::int32_t labelled_places(world const& w, params const& p, facility_idx k);

/// What the CAF pays in a year for the scenario (seed 002, Puy-de-Dôme 2026 rules; Baby Bus seed 003):
/// label funding per labelled place at the first-year rate when the label was granted in params.year
/// (or has no year), else the later-years rate; the référent / coordinator at 50 % of 0.1 FTE per
/// 5 labelled places, only for managers and networks that have one; the Baby Buses. The one place
/// where cost is computed.
cost_indicators compute_cost(world const& w, params const& p);

}  // namespace avip::sim
