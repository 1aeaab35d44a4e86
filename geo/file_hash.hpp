#pragma once

#include <string>

namespace avip::geo {

/// SHA-256 of a file's bytes as 64 hex digits (OpenSSL); throws avip::geo_error if unreadable.
std::string file_sha256(std::string const& path);

}  // namespace avip::geo
