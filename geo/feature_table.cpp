#include "geo/feature_table.hpp"

#include <charconv>
#include <cstdlib>

#include <fmt/format.h>

#include "core/error.hpp"

namespace avip::geo {

std::optional<std::size_t> feature_table::column(std::string const& name) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) {
      return i;
    }
  }
  return std::nullopt;
}

std::string feature_table::where(std::size_t feature) const {
  return fmt::format("{}, layer '{}', feature {}", file, layer, feature < fid.size() ? fid[feature] : -1);
}

std::string const& feature_table::text(std::size_t feature, std::string const& name) const {
  auto const c = column(name);
  if (!c) {
    throw data_error{fmt::format("{}: layer '{}' has no field '{}'", file, layer, name)};
  }
  auto const& v = values[*c][feature];
  if (!v) {
    throw data_error{fmt::format("{}, field '{}': value missing", where(feature), name)};
  }
  return *v;
}

double feature_table::number(std::size_t feature, std::string const& name) const {
  auto const& t = text(feature, name);
  char* end = nullptr;
  double const v = std::strtod(t.c_str(), &end);
  if (t.empty() || end == t.c_str() || *end != '\0') {
    throw data_error{fmt::format("{}, field '{}': expected a number, got '{}'", where(feature), name, t)};
  }
  return v;
}

}  // namespace avip::geo
