#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sim/params.hpp"

namespace avip::scenarios {

/// A parameter of sim::params that scenarios (and uncertainty files) may set by name, with its valid
/// range; `integer` parameters take whole numbers only.
struct param_binding {
  std::string name;
  double lo, hi;
  bool integer{false};
  std::function<void(sim::params&, double)> set;
  std::function<double(sim::params const&)> get;
};

/// Every such parameter, in a fixed order.
std::vector<param_binding> const& param_bindings();

/// The binding named `name`, or nullptr.
param_binding const* find_param(std::string const& name);

}  // namespace avip::scenarios
