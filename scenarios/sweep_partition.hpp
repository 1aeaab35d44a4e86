#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace avip::scenarios {

/// Which points of a sweep this process runs (MPI: rank and size of the world communicator; one
/// process: 0 of 1) and how the ranks' values reach rank 0.
struct sweep_partition {
  int rank{0};
  int size{1};
  /// Given this rank's values (`values_per_point` per point it ran, points rank, rank + size, …),
  /// returns on rank 0 every point's values in point order; identity with one process.
  std::function<std::vector<double>(std::vector<double> const& mine, std::size_t points,
                                    std::size_t values_per_point)>
      gather;
  /// Given this rank's items (items rank, rank + size, … of `items`, each an opaque byte string),
  /// returns on rank 0 every item in item order; identity with one process. For sweeps whose items
  /// are whole results (compare's scenarios, a list of territories).
  std::function<std::vector<std::string>(std::vector<std::string> const& mine, std::size_t items)>
      gather_items{[](std::vector<std::string> const& mine, std::size_t) { return mine; }};
  /// Rank 0's `text` on every rank (e.g. the staging folder's path); identity with one process.
  std::function<std::string(std::string const& text)> broadcast{[](std::string const& t) { return t; }};

  /// Given this rank's values for the points `ran` (in that order, `values_per_point` each; any
  /// assignment of points to ranks, e.g. balanced_points'), returns on rank 0 every point's values in
  /// point order; with one process (left empty), the same values put in point order.
  std::function<std::vector<double>(std::vector<double> const& mine, std::vector<std::size_t> const& ran,
                                    std::size_t points, std::size_t values_per_point)>
      gather_points;

  /// The items this rank runs: rank, rank + size, … below `items`.
  [[nodiscard]] std::vector<std::size_t> mine(std::size_t items) const;

  /// `gather_points`, or its one-process meaning when it is empty.
  [[nodiscard]] std::vector<double> gather_in_point_order(std::vector<double> const& mine,
                                                          std::vector<std::size_t> const& ran,
                                                          std::size_t points,
                                                          std::size_t values_per_point) const;
};

/// What one point of a sweep costs, for balanced_points: points of the same `world` (e.g. the same
/// synthesis seed) share a setup built once per rank that runs any of them, and points of the same
/// `cell` within it (e.g. the same candidate lists) a second, smaller one.
struct sweep_point_cost {
  std::size_t world{0};
  std::size_t cell{0};
};

/// The estimated costs (any unit) of a world's setup, a cell's setup and one point's run.
struct sweep_cost_model {
  double world_setup{0};
  double cell_setup{0};
  double point{1};
};

/// The points each of `ranks` ranks runs, in the order it runs them: the points sorted by (world,
/// cell, point) and cut into `ranks` consecutive runs so that the most loaded rank's estimated cost
/// (setups included) is the smallest possible. Depends only on its arguments, so every rank computes
/// the same assignment; the results do not depend on it (each point's values are its own).
std::vector<std::vector<std::size_t>> balanced_points(std::vector<sweep_point_cost> const& points,
                                                      sweep_cost_model const& cost, int ranks);

}  // namespace avip::scenarios
