#pragma once

#include <string_view>
#include <vector>

namespace avip::serve {

/// A file of the map editor's page (web/editor, and Leaflet from Debian's libjs-leaflet), embedded in
/// the binary at build time (serve/embed_assets.cmake): the page works offline and needs no path.
struct web_asset {
  std::string_view path;  ///< URL path, e.g. "/leaflet/leaflet.js"
  std::string_view type;  ///< Content-Type
  std::string_view data;
};

/// Every embedded asset (generated source web_assets.cpp in the build folder).
std::vector<web_asset> const& web_assets();

}  // namespace avip::serve
