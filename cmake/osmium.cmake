# libosmium (Debian libosmium2-dev) is header-only and ships no CMake config; it needs protozero
# (libprotozero-dev, header-only) for PBF, zlib for PBF blobs and .gz, bzip2 for .bz2 and expat for
# .osm XML. Wrapped in one interface target so that the rest of the build stays target-based.
find_path(AVIP_OSMIUM_INCLUDE_DIR osmium/version.hpp REQUIRED)
find_path(AVIP_PROTOZERO_INCLUDE_DIR protozero/version.hpp REQUIRED)
find_package(ZLIB REQUIRED)
find_package(BZip2 REQUIRED)
find_package(EXPAT REQUIRED)
find_package(Threads REQUIRED)
if(NOT TARGET avip_osmium)
  add_library(avip_osmium INTERFACE)
  target_include_directories(avip_osmium SYSTEM INTERFACE ${AVIP_OSMIUM_INCLUDE_DIR} ${AVIP_PROTOZERO_INCLUDE_DIR})
  target_link_libraries(avip_osmium INTERFACE ZLIB::ZLIB BZip2::BZip2 EXPAT::EXPAT Threads::Threads)
endif()
