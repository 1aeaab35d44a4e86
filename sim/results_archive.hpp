#pragma once

#include <string>

#include "sim/results.hpp"

namespace avip::sim {

/// A run's results as bytes and back, exactly (doubles bit for bit), so that a sweep split across MPI
/// ranks (compare's scenarios) merges on rank 0 the very results one process would have had. The
/// bytes are for the same build on the same machine type, not a file format.
std::string encode_results(run_results const& r);

/// The results `encode_results` wrote; throws avip::error when the bytes are cut short.
run_results decode_results(std::string const& bytes);

}  // namespace avip::sim
