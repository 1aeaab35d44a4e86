#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/random.hpp"
#include "sim/world.hpp"

namespace avip::synth {

/// Largest-remainder apportionment of `total` over `weights` (each ≥ `minimum`).
std::vector<int> apportion(int total, std::vector<double> const& weights, int minimum = 0);

/// Draws a cell of a commune with probability ∝ weight (cumulative table per commune).
struct cell_sampler {
  std::vector<std::vector<std::uint32_t>> cells;  ///< per commune, its cells of positive weight
  std::vector<std::vector<double>> cumulative;    ///< per commune, the running sum of their weights
  cell_sampler(sim::world const& w, std::vector<double> const& weight);
  [[nodiscard]] std::uint32_t draw(std::size_t commune, random_stream& rng) const;
  [[nodiscard]] double total(std::size_t commune) const {
    return cumulative[commune].empty() ? 0.0 : cumulative[commune].back();
  }
};

/// Lower-case ASCII id fragment of a name ("Saint-André" -> "saint-andr"): accents are dropped.
std::string slug(std::string const& s);

}  // namespace avip::synth
