#include "synth/single_parent.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "geo/vector_reader.hpp"

namespace avip::synth {

namespace {

/// The communes layer of the manifest, with the manifest's field mapping.
geo::feature_table read_communes(territory::territory const& t) {
  std::ifstream in{t.manifest};
  auto const manifest = nlohmann::json::parse(in, nullptr, false);
  if (manifest.is_discarded() || !manifest.contains("layers") ||
      !manifest.at("layers").contains("communes") || !manifest.at("layers").at("communes").contains("path") ||
      !manifest.at("layers").at("communes").at("path").is_string()) {
    throw data_error{fmt::format("{}: /layers/communes/path: expected a file path", t.manifest.string())};
  }
  geo::read_options options;
  auto const& layer = manifest.at("layers").at("communes");
  if (layer.contains("fields")) {
    for (auto const& [k, v] : layer.at("fields").items()) {
      if (v.is_string()) {
        options.field_map[k] = v.get<std::string>();
      }
    }
  }
  return geo::read_vector(
      (t.manifest.parent_path() / manifest.at("layers").at("communes").at("path").get<std::string>())
          .string(),
      options);
}

}  // namespace

std::vector<double> single_parent_shares(territory::territory const& t, single_parent_figures const& figures,
                                         std::vector<int> const& families) {
  auto const& w = t.world;
  std::vector<double> share(w.communes.size(), figures.share);
  if (figures.households_field.empty() || figures.single_parent_field.empty()) {
    return share;
  }
  auto const table = read_communes(t);
  double const nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> ratio(w.communes.size(), nan);
  for (std::size_t i = 0; i < table.size(); ++i) {
    auto const& code = table.text(i, "code");
    double const households = table.number(i, figures.households_field);
    double const single = table.number(i, figures.single_parent_field);
    if (households <= 0 || single < 0 || single > households) {
      throw data_error{fmt::format("{}, field '{}': {} single-parent households for {} households",
                                   table.where(i), figures.single_parent_field, single, households)};
    }
    for (std::size_t c = 0; c < w.communes.size(); ++c) {
      if (w.communes.code[sim::commune_idx::from(c)] == code) {
        ratio[c] = single / households;
      }
    }
  }
  double num = 0;
  double den = 0;
  for (std::size_t c = 0; c < ratio.size(); ++c) {
    if (!std::isnan(ratio[c])) {
      num += families[c] * ratio[c];
      den += families[c];
    }
  }
  if (den <= 0 || num <= 0) {
    return share;
  }
  double const mean = num / den;
  for (std::size_t c = 0; c < ratio.size(); ++c) {
    share[c] = std::isnan(ratio[c]) ? figures.share : std::clamp(figures.share * ratio[c] / mean, 0.0, 1.0);
  }
  return share;
}

}  // namespace avip::synth
