#pragma once

#include <stdexcept>
#include <string>

namespace avip {

/// Root of every error avipsim reports to a user. The message is complete: it names the file, layer,
/// feature, field or JSON pointer at fault, so `main` prints it on one line and exits non-zero.
struct error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Reading, projecting or handling geometry failed (GDAL, PROJ, GEOS, GTFS).
struct geo_error : error {
  using error::error;
};

/// Input data break the territory contract (missing field, out-of-range value, unknown id).
struct data_error : error {
  using error::error;
};

/// A scenario file is malformed or inconsistent.
struct scenario_error : error {
  using error::error;
};

/// The command line is wrong (bad option value, output folder that would overwrite something).
struct usage_error : error {
  using error::error;
};

}  // namespace avip
