#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "sim/raam.hpp"

namespace avip::scenarios {

/// What `avipsim access` computes: an accessibility index (2SFCA, E2SFCA, G2SFCA, 3SFCA, RAAM, as
/// PySAL access defines them) of a demand layer to a supply layer, and optionally a Monte Carlo over
/// the demand. Every field is a command-line option; the defaults are the command's.
struct access_config {
  std::string demand, supply, out, cost, timings, supply_out;
  std::string method{"e2sfca"};
  std::string demand_field{"demand"}, supply_field{"supply"}, id_field{"id"}, supply_id_field;
  std::vector<std::string> cost_filters;  ///< column=value
  std::string cost_origin{"origin"}, cost_dest{"dest"}, cost_name{"cost"};
  std::string x_field{"x"}, y_field{"y"};
  std::string steps;  ///< empty: PySAL access's default for the method
  double catchment{30.0};
  double speed_kmh{30.0};
  double detour{1.0};
  double sigma{10.0};
  sim::raam_params raam;
  int crs{4326};
  int epsg{0};
  int replications{0};
  std::uint64_t seed{974};
  double avip_turnover{1.0};  ///< 1: none, the expected AVIP children are a stock
  std::string priority_field, qpv_field, labelled_field;
  bool progress{true};
};

/// Reads the layers (and the cost table), builds the pairs, computes the index (and the Monte Carlo),
/// writes `out` (and `supply_out`, `timings`), and prints a summary into `log`. Throws avip::usage_error
/// for an inconsistent configuration, avip::data_error naming the file and feature for bad input.
void run_access(access_config const& c, std::ostream& log);

}  // namespace avip::scenarios
