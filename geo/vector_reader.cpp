#include "geo/vector_reader.hpp"

#include <map>
#include <memory>

#include <fmt/format.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include "core/error.hpp"
#include "geo/gdal_dataset.hpp"
#include "geo/geos_context.hpp"

namespace avip::geo {

namespace {

/// EPSG code of a layer's CRS, or 0 when it has none or none can be identified.
int layer_epsg(OGRLayer& layer) {
  OGRSpatialReference const* srs = layer.GetSpatialRef();
  if (srs == nullptr) {
    return 0;
  }
  OGRSpatialReference copy{*srs};
  if (copy.GetAuthorityCode(nullptr) == nullptr) {
    copy.AutoIdentifyEPSG();
  }
  char const* code = copy.GetAuthorityCode(nullptr);
  char const* name = copy.GetAuthorityName(nullptr);
  if (code != nullptr && name != nullptr && std::string{name} == "EPSG") {
    return std::atoi(code);
  }
  if (copy.IsGeographic() != 0 && copy.GetSemiMajor() > 6378136.0 && copy.GetSemiMajor() < 6378138.0) {
    return 4326;  // an unnamed WGS84-like geographic CRS (e.g. OGC:CRS84 in GeoJSON)
  }
  return 0;
}

std::unique_ptr<OGRSpatialReference> srs_from_epsg(int epsg, std::string const& file) {
  auto srs = std::make_unique<OGRSpatialReference>();
  if (srs->importFromEPSG(epsg) != OGRERR_NONE) {
    throw geo_error{fmt::format("{}: unknown CRS EPSG:{}", file, epsg)};
  }
  srs->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  return srs;
}

}  // namespace

feature_table read_vector(std::string const& path, read_options const& options) {
  auto ds = open_vector(path);
  OGRLayer* layer = nullptr;
  if (!options.layer.empty()) {
    layer = ds->GetLayerByName(options.layer.c_str());
    if (layer == nullptr) {
      throw geo_error{fmt::format("{}: no layer named '{}'", path, options.layer)};
    }
  } else {
    if (ds->GetLayerCount() < 1) {
      throw geo_error{fmt::format("{}: holds no vector layer", path)};
    }
    layer = ds->GetLayer(0);
  }

  feature_table t;
  t.file = path;
  t.layer = layer->GetName();

  // Source field names, renamed to contract names through the mapping.
  std::map<std::string, std::string> source_to_contract;
  for (auto const& [contract, source] : options.field_map) {
    source_to_contract[source] = contract;
  }
  OGRFeatureDefn* defn = layer->GetLayerDefn();
  int const n_fields = defn->GetFieldCount();
  for (int i = 0; i < n_fields; ++i) {
    std::string name = defn->GetFieldDefn(i)->GetNameRef();
    if (auto it = source_to_contract.find(name); it != source_to_contract.end()) {
      name = it->second;
    }
    t.columns.push_back(name);
  }
  for (auto const& [contract, source] : options.field_map) {
    if (defn->GetFieldIndex(source.c_str()) < 0) {
      throw data_error{
          fmt::format("{}: layer '{}' has no field '{}' (mapped to '{}')", path, t.layer, source, contract)};
    }
  }
  t.values.resize(t.columns.size());

  // Coordinates from columns (CSV) or the layer's geometry.
  std::optional<std::size_t> x_col;
  std::optional<std::size_t> y_col;
  if (options.x_field || options.y_field) {
    if (!options.x_field || !options.y_field) {
      throw usage_error{fmt::format("{}: both x and y coordinate fields must be given", path)};
    }
    x_col = t.column(*options.x_field);
    y_col = t.column(*options.y_field);
    if (!x_col || !y_col) {
      throw data_error{fmt::format("{}: layer '{}' has no coordinate field '{}'", path, t.layer,
                                   !x_col ? *options.x_field : *options.y_field)};
    }
  }
  bool const has_geometry = x_col.has_value() || layer->GetGeomType() != wkbNone;

  int source_epsg = x_col ? options.source_epsg.value_or(4326) : layer_epsg(*layer);
  if (source_epsg == 0 && has_geometry) {
    if (options.source_epsg) {
      source_epsg = *options.source_epsg;
    } else {
      throw geo_error{fmt::format("{}: layer '{}' has an unknown CRS (give its EPSG code in the manifest)",
                                  path, t.layer)};
    }
  }
  t.epsg = options.target_epsg.value_or(source_epsg);

  std::unique_ptr<OGRSpatialReference> from;
  std::unique_ptr<OGRSpatialReference> to;
  std::unique_ptr<OGRCoordinateTransformation> ct;
  if (has_geometry && options.target_epsg && *options.target_epsg != source_epsg) {
    from = srs_from_epsg(source_epsg, path);
    to = srs_from_epsg(*options.target_epsg, path);
    ct.reset(OGRCreateCoordinateTransformation(from.get(), to.get()));
    if (!ct) {
      throw geo_error{fmt::format("{}: no transformation from EPSG:{} to EPSG:{}", path, source_epsg,
                                  *options.target_epsg)};
    }
  }

  geos_context geos;
  layer->ResetReading();
  std::size_t index = 0;
  for (auto& feature : *layer) {
    t.fid.push_back(feature->GetFID());
    for (int i = 0; i < n_fields; ++i) {
      if (feature->IsFieldSetAndNotNull(i)) {
        t.values[static_cast<std::size_t>(i)].emplace_back(feature->GetFieldAsString(i));
      } else {
        t.values[static_cast<std::size_t>(i)].emplace_back(std::nullopt);
      }
    }
    if (has_geometry) {
      std::unique_ptr<OGRGeometry> g;
      if (x_col) {
        auto const x = t.number(index, t.columns[*x_col]);
        auto const y = t.number(index, t.columns[*y_col]);
        g = std::make_unique<OGRPoint>(x, y);
      } else if (OGRGeometry const* fg = feature->GetGeometryRef(); fg != nullptr) {
        g.reset(fg->clone());
      }
      if (!g || g->IsEmpty()) {
        throw geo_error{fmt::format("{}: feature has no geometry", t.where(index))};
      }
      if (ct && g->transform(ct.get()) != OGRERR_NONE) {
        throw geo_error{fmt::format("{}: cannot project the geometry to EPSG:{}", t.where(index), t.epsg)};
      }
      wkb bytes(static_cast<std::size_t>(g->WkbSize()));
      g->exportToWkb(wkbNDR, bytes.data(), wkbVariantIso);
      if (g->getDimension() == 2) {
        geos_context::geometry gg;
        try {
          gg = geos.from_wkb(bytes);
        } catch (geo_error const& e) {  // e.g. a ring that is not closed
          throw geo_error{fmt::format("{}: invalid geometry: {}", t.where(index), e.what())};
        }
        if (auto reason = geos.invalid_reason(gg.get())) {
          throw geo_error{fmt::format("{}: invalid geometry: {}", t.where(index), *reason)};
        }
      }
      t.geometry.push_back(std::move(bytes));
    }
    ++index;
  }
  if (t.size() == 0) {
    throw data_error{fmt::format("{}: layer '{}' is empty", path, t.layer)};
  }
  return t;
}

}  // namespace avip::geo
