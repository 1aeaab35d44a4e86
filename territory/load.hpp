#pragma once

#include <filesystem>
#include <string>

#include "territory/territory.hpp"

namespace avip::territory {

/// Loads a territory manifest (format: data/README.md): reads every layer through GDAL, projects it to
/// the metric CRS, joins points to communes, QPV and grid cells, and validates the data contract. Every
/// violation is collected; if any, one avip::data_error lists them (file, layer, feature, field, what was
/// expected). `required_layers_only` skips the layers the manifest marks `optional` (the synthetic
/// layers the synthesis regenerates); a layer given without `optional`, such as a real QPV layer, is
/// still read, so that the synthesis builds on it.
territory load_territory(std::filesystem::path const& manifest, bool required_layers_only = false);

/// The same with the layers the manifest marks `optional` (the synthetic ones) read from
/// `synthetic_dir` (qpv.geojson, facilities.geojson, families.geojson as `avipsim synth` writes them),
/// e.g. the layers of another synthesis seed in a sensitivity sweep; empty: as the manifest says.
territory load_territory(std::filesystem::path const& manifest, bool required_layers_only,
                         std::filesystem::path const& synthetic_dir);

/// Counts per layer and per commune, as printed by `avipsim check`.
std::string check_report(territory const& t);

/// True when the JSON text looks like a territory manifest (it has "layers").
bool is_territory_manifest(std::filesystem::path const& file);

}  // namespace avip::territory
