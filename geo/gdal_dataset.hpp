#pragma once

#include <string>

#include <gdal_priv.h>

namespace avip::geo {

/// Registers GDAL drivers once (thread-safe).
void ensure_gdal();

/// Opens a vector dataset read-only; throws avip::geo_error naming the file and GDAL's reason.
GDALDatasetUniquePtr open_vector(std::string const& path);

/// The last GDAL error message, or "unknown reason".
std::string last_gdal_error();

}  // namespace avip::geo
