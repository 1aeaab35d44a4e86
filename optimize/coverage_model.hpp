#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/candidates.hpp"
#include "sim/params.hpp"
#include "sim/world.hpp"

namespace avip::optimize {

/// What the planner maximises: expected referred families of the reported year who find a place.
enum class objective : std::uint8_t { priority, all, priority_qpv };

/// "priority", "all", "priority_qpv" (as on the command line).
std::string objective_name(objective o);

/// The capacitated coverage model (a bipartite transportation problem whose arcs and capacities the
/// actions switch on): demand nodes (groups of families with the same candidate facilities) with their
/// expected referrals of the year, facilities with their AVIP places a year, arcs family group →
/// facility open in the base or opened by any of a set of actions (an "enabler"), and capacity added by
/// actions. The covered demand of a portfolio is the maximum flow. Plain indices: the model is small.
struct coverage_model {
  // Actions
  std::vector<double> cost;         ///< € a year
  std::vector<std::int32_t> group;  ///< exclusive group, or -1
  int groups{0};
  [[nodiscard]] std::size_t actions() const { return cost.size(); }

  // Demand nodes
  std::vector<double> demand;               ///< expected referrals of the reported year
  std::vector<std::uint32_t> arc_offsets;   ///< CSR over demand nodes
  std::vector<std::uint32_t> arc_facility;  ///< model facility
  std::vector<std::uint32_t> arc_enabler;   ///< 0 = open in the base; else an enabler
  [[nodiscard]] std::size_t nodes() const { return demand.size(); }

  // Enablers: an arc opens when any of the enabler's actions is chosen.
  std::vector<std::uint32_t> enabler_offsets{0, 0};  ///< enabler 0 is the base (no action)
  std::vector<std::uint32_t> enabler_action;

  // Facilities
  std::vector<double> base_capacity;       ///< AVIP places a year in the base
  std::vector<std::uint32_t> cap_offsets;  ///< CSR over facilities: capacity added by actions
  std::vector<std::uint32_t> cap_action;
  std::vector<double> cap_amount;
  std::vector<std::uint32_t> world_facility;  ///< index in the world with every action applied
  [[nodiscard]] std::size_t facilities() const { return base_capacity.size(); }

  double constant{0.0};      ///< demand covered whatever is chosen (removed from the nodes)
  double total_demand{0.0};  ///< all demand of the objective (covered or not)
};

/// What one action changes, found by applying it alone to the base: the facilities it touches (label,
/// hours) or adds (indices in the world with every action applied), the AVIP places it adds to each,
/// and whether it changes bus service (then every bus family's new arcs may come from it).
struct action_effect {
  std::vector<sim::facility_idx> facilities;
  std::vector<std::pair<sim::facility_idx, double>> capacity;  ///< AVIP places added at once
  bool bus_service{false};
};

/// Expected referrals in the reported year of family `f` (the engine's funnel, year by year over the
/// warm-up and the reported year, months when its child is of crèche age and not at school), and the
/// child's age at the middle of those months (for the facilities' age limits).
std::pair<double, int> expected_referrals(sim::world const& w, sim::params const& p, sim::family_idx f);

/// Builds the model from the engine's own candidate lists (sim/candidates.hpp) in the base world (`c0`)
/// and in the world with every action applied (`all`, whose first facilities are the base's; `cu`), so
/// that "who can use what" is exactly what the engine uses: the family's modes, tolerance, hours, age.
/// The lists are computed once by the caller (the base's serve the grid sites too). A place holds
/// one referred family a year (AVIP contracts of 6 months renewed once). Groups whose demand is always
/// met (an open base facility with places for everybody who can reach it) are folded into `constant`.
coverage_model build_coverage_model(sim::world const& base, sim::world const& all, sim::params const& p,
                                    sim::candidates const& c0, sim::candidates const& cu,
                                    std::vector<action_effect> const& effects,
                                    std::vector<double> const& cost, std::vector<std::int32_t> const& group,
                                    objective o);

/// The model without the actions that can never add coverage (no arc of theirs, no place added to a
/// facility some demand can reach): thousands of grid sites that reach no unmet family cost the
/// solvers nothing. `kept[i]` is the original index of the returned model's action i.
coverage_model without_useless_actions(coverage_model const& m, std::vector<std::uint32_t>& kept);

/// Whether no facility's places can ever bind (each has, in the base, room for all the demand that can
/// reach it): then coverage is a weighted set cover, submodular, and the greedy's bound holds.
bool capacities_never_bind(coverage_model const& m);

/// The model in its set-cover form (meaningful when capacities_never_bind): a node not covered in the base
/// is covered once any action of any of its arcs' enablers is chosen. Both directions as CSR, each
/// (node, action) pair once.
struct cover_lists {
  std::vector<std::uint8_t> base_covered;  ///< per node: covered whatever is chosen (an arc open in the base)
  std::vector<std::uint32_t> node_offsets;  ///< node → the actions covering it (empty for base-covered nodes)
  std::vector<std::uint32_t> node_actions;
  std::vector<std::uint32_t> action_offsets;  ///< action → the nodes it covers (not base-covered)
  std::vector<std::uint32_t> action_nodes;
};
cover_lists make_cover_lists(coverage_model const& m);

/// Expected referrals of the year of the families of objective `o` whom no base facility can serve
/// (no candidate fit for the child's age in `c0`), summed by grid cell (cells without any: 0).
std::vector<double> unmet_demand_by_cell(sim::world const& base, sim::params const& p,
                                         sim::candidates const& c0, objective o);

/// Whether a family counts for objective `o`.
bool counts(sim::world const& w, sim::family_idx f, objective o);

}  // namespace avip::optimize
