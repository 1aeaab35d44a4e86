#pragma once

#include "scenarios/scenario.hpp"
#include "sim/world.hpp"
#include "territory/territory.hpp"

namespace avip::scenarios {

/// Applies the scenario's edits, in order, to a copy of the territory's world and returns it.
/// Selectors that match nothing, ids that do not exist, duplicate ids and overlapping edits (two
/// hours edits on one facility, a label and an unlabel of the same one) are collected and thrown
/// as one avip::scenario_error naming the file and JSON pointer of each.
sim::world apply_edits(scenario const& s, territory::territory const& t);

}  // namespace avip::scenarios
