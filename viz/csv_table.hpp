#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "geo/vector_writer.hpp"

namespace avip::viz {

/// A CSV table as planners open it in a spreadsheet or QGIS: French column labels (each field's
/// description, else its name), numbers to 6 significant digits, booleans oui / non, nothing where a
/// value is missing; written by GDAL's CSV driver (UTF-8, comma-separated, quoted only where needed).
void write_csv(std::filesystem::path const& file, geo::output_layer const& layer);

/// The same for cells already written as text (a column's own number format).
void write_csv(std::filesystem::path const& file, std::vector<std::string> const& columns,
               std::vector<std::vector<std::string>> const& rows);

}  // namespace avip::viz
