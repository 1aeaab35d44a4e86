#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "scenarios/problems.hpp"
#include "scenarios/scenario.hpp"

namespace avip::scenarios {

/// Places a new facility may have (PMI-approved places, or children per session of a Baby Bus site).
inline constexpr int kMinPlaces = 1;
inline constexpr int kMaxPlaces = 1000;

/// The contract names of a new facility's values, which `fields` may map a file's columns to.
std::vector<std::string> const& new_facility_fields();

/// True when `kind` is one of the facility kinds of the contract (sim::kFacilityKindNames).
bool is_facility_kind(std::string const& kind);

/// The facility kinds of the contract, "creche, multi_accueil, …, baby_bus_site", for messages.
std::string facility_kinds_text();

/// Reads the new facilities of an `add_facilities` edit's `file` (at `pointer`/file of `scenario_file`):
/// any GDAL vector layer of points, or a table without geometry (CSV) with `lon` and `lat` columns in
/// WGS84; `fields` maps contract names to the file's column names. Each feature is checked as an inline
/// facility would be; problems name the file and feature ("/edits/2/file new.gpkg feature 3/places").
std::vector<new_facility> read_facility_file(std::filesystem::path const& path, std::string const& name,
                                             std::map<std::string, std::string> const& fields,
                                             std::string const& pointer, problems& p);

}  // namespace avip::scenarios
