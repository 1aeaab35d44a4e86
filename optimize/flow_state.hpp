#pragma once

#include <cstdint>
#include <vector>

#include "optimize/coverage_model.hpp"

namespace avip::optimize {

/// The covered demand of a portfolio (maximum flow of the coverage model with its actions' arcs and
/// places), kept as a residual network so that adding an action only augments the current flow
/// (adding arcs and capacity never makes the current flow infeasible). Dinic's algorithm on doubles.
class flow_state {
 public:
  explicit flow_state(coverage_model const& m);

  /// Opens the action's arcs and places and augments; returns the new covered demand.
  double add(std::uint32_t action);
  /// The covered demand if `action` were added (this state unchanged).
  [[nodiscard]] double value_with(std::uint32_t action) const;
  /// Covered demand, `constant` included.
  [[nodiscard]] double value() const { return model_->constant + flow_; }
  [[nodiscard]] bool has(std::uint32_t action) const { return chosen_[action] != 0; }

 private:
  void augment();
  double push(std::uint32_t v, double limit);

  coverage_model const* model_;
  // Static graph: node 0 = source, 1 = sink, then demand nodes, then facilities. Arc a's twin is a ^ 1.
  std::vector<std::uint32_t> head_;  ///< CSR offsets of each node's arcs
  std::vector<std::uint32_t> arcs_;  ///< arc ids per node
  std::vector<std::uint32_t> to_;
  std::vector<double> residual_;
  std::vector<std::uint32_t> model_arc_;                          ///< model arc → graph arc (forward)
  std::vector<std::uint32_t> sink_arc_;                           ///< model facility → its arc to the sink
  std::vector<std::uint32_t> action_arcs_offsets_, action_arcs_;  ///< action → model arcs it may open
  std::vector<std::uint8_t> open_;                                ///< per model arc
  std::vector<std::uint8_t> chosen_;
  double flow_{0.0};
  // Dinic scratch
  std::vector<std::int32_t> level_;
  std::vector<std::uint32_t> next_;
};

/// Covered demand of a set of actions (from scratch).
double covered(coverage_model const& m, std::vector<std::uint32_t> const& actions);

}  // namespace avip::optimize
