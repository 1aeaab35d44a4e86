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

  /// The items this rank runs: rank, rank + size, … below `items`.
  [[nodiscard]] std::vector<std::size_t> mine(std::size_t items) const;
};

}  // namespace avip::scenarios
