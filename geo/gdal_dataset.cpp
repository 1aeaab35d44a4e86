#include "geo/gdal_dataset.hpp"

#include <mutex>

#include <cpl_error.h>
#include <fmt/format.h>

#include "core/error.hpp"

namespace avip::geo {

void ensure_gdal() {
  static std::once_flag once;
  std::call_once(once, [] {
    GDALAllRegister();
    CPLSetErrorHandler(CPLQuietErrorHandler);  // errors surface as exceptions with the message
  });
}

std::string last_gdal_error() {
  char const* m = CPLGetLastErrorMsg();
  return (m != nullptr && *m != '\0') ? std::string{m} : std::string{"unknown reason"};
}

GDALDatasetUniquePtr open_vector(std::string const& path) {
  ensure_gdal();
  CPLErrorReset();
  GDALDatasetUniquePtr ds{GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY)};
  if (!ds) {
    throw geo_error{fmt::format("{}: cannot open as a vector dataset ({})", path, last_gdal_error())};
  }
  return ds;
}

}  // namespace avip::geo
