#include "geo/vector_writer.hpp"

#include <filesystem>
#include <memory>
#include <system_error>

#include <cpl_string.h>
#include <fmt/format.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>
#include <unistd.h>

#include "core/error.hpp"
#include "geo/gdal_dataset.hpp"

namespace avip::geo {

namespace {

char const* driver_name(vector_format f) {
  switch (f) {
    case vector_format::geojson:
      return "GeoJSON";
    case vector_format::gpkg:
      return "GPKG";
    case vector_format::csv:
      return "CSV";
    case vector_format::shapefile:
      return "ESRI Shapefile";
  }
  return "GeoJSON";
}

OGRFieldType ogr_type(field_type t) {
  switch (t) {
    case field_type::integer:
      return OFTInteger64;
    case field_type::real:
      return OFTReal;
    case field_type::text:
      return OFTString;
    case field_type::boolean:
      return OFTInteger;
  }
  return OFTString;
}

/// `.NAME.part-PID.EXT` beside `path` (the extension kept: GDAL's CSV driver needs it).
std::string temporary_beside(std::string const& path) {
  std::filesystem::path const p{path};
  return (p.parent_path() /
          fmt::format(".{}.part-{}{}", p.stem().string(), ::getpid(), p.extension().string()))
      .string();
}

/// Removes a temporary file when writing it failed.
struct remove_on_failure {
  std::string path;
  explicit remove_on_failure(std::string p) : path{std::move(p)} {}
  remove_on_failure(remove_on_failure const&) = delete;
  remove_on_failure& operator=(remove_on_failure const&) = delete;
  ~remove_on_failure() {
    if (!path.empty()) {
      std::error_code ec;
      std::filesystem::remove(path, ec);
    }
  }
};

/// Closes the dataset (GDAL writes GeoJSON and CSV on close) and checks it, then renames `tmp` onto
/// `path` when they differ. Throws data_error naming `path`.
void finish(GDALDatasetUniquePtr ds, std::string const& tmp, std::string const& path) {
  CPLErrorReset();
  ds.reset();
  if (CPLGetLastErrorType() >= CE_Failure) {
    throw data_error{fmt::format("{}: cannot write ({})", path, last_gdal_error())};
  }
  if (tmp != path) {
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
      throw data_error{fmt::format("{}: cannot write ({})", path, ec.message())};
    }
  }
}

/// write_vector, with `extra` layer creation options; `replace`: a one-file format may replace an
/// existing file (renamed onto it once complete).
void write_layer(std::string const& path, vector_format format, output_layer const& layer, int target_epsg,
                 CPLStringList const& extra, bool replace = false) {
  ensure_gdal();
  bool const has_geometry = !layer.geometry.empty();
  if (has_geometry && layer.geometry.size() != layer.rows.size()) {
    throw geo_error{fmt::format("{}: layer '{}' has {} rows but {} geometries", path, layer.name,
                                layer.rows.size(), layer.geometry.size())};
  }
  if (format == vector_format::geojson) {
    target_epsg = 4326;
  }
  int const out_epsg = (target_epsg != 0) ? target_epsg : layer.epsg;

  GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(driver_name(format));
  if (driver == nullptr) {
    throw geo_error{fmt::format("GDAL has no {} driver", driver_name(format))};
  }
  CPLErrorReset();
  GDALDatasetUniquePtr ds;
  // One-file formats are written beside their place and renamed into it once complete and closed.
  bool const atomic = format == vector_format::geojson || format == vector_format::csv;
  auto const tmp = atomic ? temporary_beside(path) : path;
  remove_on_failure cleanup{atomic ? tmp : std::string{}};
  if (format == vector_format::gpkg && std::filesystem::exists(path)) {
    ds.reset(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
  } else {
    if (!(replace && atomic) && std::filesystem::exists(path)) {
      throw geo_error{fmt::format("{}: already exists (outputs are never overwritten)", path)};
    }
    ds.reset(driver->Create(tmp.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  }
  if (!ds) {
    throw geo_error{fmt::format("{}: cannot create ({})", path, last_gdal_error())};
  }

  std::unique_ptr<OGRSpatialReference> from;
  std::unique_ptr<OGRSpatialReference> to;
  std::unique_ptr<OGRCoordinateTransformation> ct;
  if (has_geometry) {
    to = std::make_unique<OGRSpatialReference>();
    if (to->importFromEPSG(out_epsg) != OGRERR_NONE) {
      throw geo_error{fmt::format("{}: unknown CRS EPSG:{}", path, out_epsg)};
    }
    to->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    if (layer.epsg != out_epsg) {
      from = std::make_unique<OGRSpatialReference>();
      if (from->importFromEPSG(layer.epsg) != OGRERR_NONE) {
        throw geo_error{fmt::format("{}: unknown CRS EPSG:{} for layer '{}'", path, layer.epsg, layer.name)};
      }
      from->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
      ct.reset(OGRCreateCoordinateTransformation(from.get(), to.get()));
      if (!ct) {
        throw geo_error{fmt::format("{}: no transformation EPSG:{} -> EPSG:{}", path, layer.epsg, out_epsg)};
      }
    }
  }

  CPLStringList options{extra};
  if (format == vector_format::geojson) {
    options.SetNameValue("RFC7946", "YES");
    options.SetNameValue("COORDINATE_PRECISION", "6");
    options.SetNameValue("WRITE_NAME", "NO");
  }
  if (format == vector_format::gpkg) {
    if (!layer.title.empty()) {
      options.SetNameValue("IDENTIFIER", layer.title.c_str());
      options.SetNameValue("DESCRIPTION", layer.title.c_str());
    }
  }
  if (format == vector_format::csv && has_geometry) {
    options.SetNameValue("GEOMETRY", "AS_XY");
  }
  OGRwkbGeometryType gtype = wkbNone;
  if (has_geometry) {
    OGRGeometry* first = nullptr;
    OGRGeometryFactory::createFromWkb(layer.geometry.front().data(), nullptr, &first,
                                      layer.geometry.front().size());
    gtype = first != nullptr ? wkbFlatten(first->getGeometryType()) : wkbUnknown;
    if (gtype == wkbPolygon && format != vector_format::csv) {
      gtype = wkbMultiPolygon;  // a layer may mix polygons and multipolygons
    }
    OGRGeometryFactory::destroyGeometry(first);
  }
  OGRLayer* out = ds->CreateLayer(layer.name.c_str(), to.get(), gtype, options.List());
  if (out == nullptr) {
    throw geo_error{fmt::format("{}: cannot create layer '{}' ({})", path, layer.name, last_gdal_error())};
  }
  for (auto const& f : layer.fields) {
    OGRFieldDefn def{f.name.c_str(), ogr_type(f.type)};
    if (f.type == field_type::boolean) {
      def.SetSubType(OFSTBoolean);
    }
    if (!f.description.empty()) {
      def.SetAlternativeName(f.description.c_str());
    }
    if (out->CreateField(&def) != OGRERR_NONE) {
      throw geo_error{fmt::format("{}: cannot create field '{}' in layer '{}'", path, f.name, layer.name)};
    }
  }

  bool const transaction = ds->StartTransaction() == OGRERR_NONE;
  for (std::size_t r = 0; r < layer.rows.size(); ++r) {
    auto feature = std::unique_ptr<OGRFeature>(OGRFeature::CreateFeature(out->GetLayerDefn()));
    auto const& row = layer.rows[r];
    for (std::size_t i = 0; i < row.size() && i < layer.fields.size(); ++i) {
      auto const idx = static_cast<int>(i);
      std::visit(
          [&](auto const& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
              feature->SetFieldNull(idx);
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
              feature->SetField(idx, static_cast<GIntBig>(v));
            } else if constexpr (std::is_same_v<T, double>) {
              if (std::isfinite(v)) {
                feature->SetField(idx, v);
              } else {
                feature->SetFieldNull(idx);
              }
            } else if constexpr (std::is_same_v<T, std::string>) {
              feature->SetField(idx, v.c_str());
            } else {
              feature->SetField(idx, v ? 1 : 0);
            }
          },
          row[i]);
    }
    if (has_geometry) {
      OGRGeometry* g = nullptr;
      if (OGRGeometryFactory::createFromWkb(layer.geometry[r].data(), nullptr, &g,
                                            layer.geometry[r].size()) != OGRERR_NONE) {
        throw geo_error{fmt::format("{}: layer '{}', row {}: bad WKB geometry", path, layer.name, r)};
      }
      std::unique_ptr<OGRGeometry> owned{g};
      if (ct && owned->transform(ct.get()) != OGRERR_NONE) {
        throw geo_error{fmt::format("{}: layer '{}', row {}: cannot project", path, layer.name, r)};
      }
      if (gtype == wkbMultiPolygon && wkbFlatten(owned->getGeometryType()) == wkbPolygon) {
        owned.reset(OGRGeometryFactory::forceToMultiPolygon(owned.release()));
      }
      feature->SetGeometryDirectly(owned.release());
    }
    if (out->CreateFeature(feature.get()) != OGRERR_NONE) {
      throw geo_error{
          fmt::format("{}: layer '{}': cannot write row {} ({})", path, layer.name, r, last_gdal_error())};
    }
  }
  if (transaction && ds->CommitTransaction() != OGRERR_NONE) {
    throw data_error{fmt::format("{}: layer '{}': cannot write ({})", path, layer.name, last_gdal_error())};
  }
  finish(std::move(ds), tmp, path);
  cleanup.path.clear();
}

}  // namespace

void write_vector(std::string const& path, vector_format format, output_layer const& layer, int target_epsg) {
  write_layer(path, format, layer, target_epsg, CPLStringList{});
}

void write_csv_table(std::string const& path, std::vector<std::string> const& columns,
                     std::vector<std::vector<std::string>> const& rows) {
  output_layer l;
  l.name = std::filesystem::path{path}.stem().string();
  for (auto const& c : columns) {
    l.fields.push_back({c, field_type::text, {}});
  }
  for (auto const& row : rows) {
    l.rows.emplace_back(row.begin(), row.end());
  }
  CPLStringList options;
  options.SetNameValue("STRING_QUOTING", "IF_NEEDED");  // numbers written as text stay unquoted
  write_layer(path, vector_format::csv, l, 0, options, true);
}

}  // namespace avip::geo
