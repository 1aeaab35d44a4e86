#include "synth/synthesis.hpp"

#include <string>

#include "geo/vector_writer.hpp"
#include "synth/facilities.hpp"
#include "synth/families.hpp"
#include "synth/qpv_growth.hpp"
#include "synth/synthesis_context.hpp"
#include "synth/synthesis_figures.hpp"

namespace avip::synth {

std::vector<calibration_row> synthesise(territory::territory const& t, std::filesystem::path const& out_dir,
                                        synthesis_options const& options) {
  return synthesise(t, read_synthesis_figures(t), out_dir, options);
}

std::vector<calibration_row> synthesise(territory::territory const& t, synthesis_figures const& figures,
                                        std::filesystem::path const& out_dir,
                                        synthesis_options const& options) {
  synthesis_context ctx{t, figures, options};
  std::vector<calibration_row> calib;
  std::optional<geo::output_layer> qpv_layer;
  if (ctx.qpv_given()) {
    take_given_qpv(ctx, calib);
    ctx.cover.emplace(t, ctx.geos);
  } else {
    qpv_layer = grow_qpv(ctx, calib);
  }
  auto const facilities = synthesise_facilities(ctx);
  auto const fac_layer = facility_layer(ctx, facilities, calib);
  auto const fam_layer = synthesise_families(ctx, calib);
  for (auto& r : calib) {
    r.tolerance = figures.tolerance_of(r.target);
  }
  auto const dir = out_dir.string();
  if (qpv_layer) {
    geo::write_vector(dir + "/qpv.geojson", geo::vector_format::geojson, *qpv_layer);
  }
  geo::write_vector(dir + "/facilities.geojson", geo::vector_format::geojson, fac_layer);
  geo::write_vector(dir + "/families.geojson", geo::vector_format::geojson, fam_layer);
  write_calibration_csv(out_dir / "calibration.csv", calib);
  return calib;
}

}  // namespace avip::synth
