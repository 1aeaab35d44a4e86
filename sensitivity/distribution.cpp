#include "sensitivity/distribution.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace avip::sensitivity {

double distribution::quantile(double u) const {
  u = std::clamp(u, 0.0, 1.0);
  switch (type) {
    case kind::uniform:
      return low + u * (high - low);
    case kind::triangular: {
      double const width = high - low;
      if (width <= 0) {
        return low;
      }
      double const f_mode = (mode - low) / width;
      return u < f_mode ? low + std::sqrt(u * width * (mode - low))
                        : high - std::sqrt((1 - u) * width * (high - mode));
    }
    case kind::discrete: {
      if (values.empty()) {
        return 0.0;
      }
      auto const n = values.size();
      auto const i = std::min(n - 1, static_cast<std::size_t>(u * static_cast<double>(n)));
      return values[i];
    }
  }
  return low;
}

double distribution::min() const {
  return type == kind::discrete && !values.empty() ? *std::min_element(values.begin(), values.end()) : low;
}

double distribution::max() const {
  return type == kind::discrete && !values.empty() ? *std::max_element(values.begin(), values.end()) : high;
}

std::string distribution::describe() const {
  switch (type) {
    case kind::uniform:
      return fmt::format("uniforme [{:g} ; {:g}]", low, high);
    case kind::triangular:
      return fmt::format("triangulaire [{:g} ; {:g}], mode {:g}", low, high, mode);
    case kind::discrete:
      return fmt::format("discrète {{{}}}", fmt::join(values, " ; "));
  }
  return {};
}

}  // namespace avip::sensitivity
