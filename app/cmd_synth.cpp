#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <unistd.h>

#include "app/commands.hpp"
#include "app/output_folder.hpp"
#include "core/error.hpp"
#include "synth/synthesis.hpp"
#include "territory/load.hpp"

namespace avip::app {

namespace {

struct synth_options {
  std::string territory{"data/reunion/territory.json"};
  std::string out;
  std::uint64_t seed{974};
  double family_scale{1.0};
  bool report_only{false};
  bool force{false};
};

}  // namespace

void add_synth_command(CLI::App& app, context& ctx) {
  auto o = std::make_shared<synth_options>();
  auto* sub = app.add_subcommand(
      "synth",
      "Regenerate the synthetic layers (QPV, facilities, families) of a territory from its real communes and "
      "grid and the figures of its calibration file (manifest key synthesis.calibration), seeded; prints the "
      "calibration table and fails if a gap exceeds the file's tolerance");
  sub->add_option("--territory", o->territory, "territory manifest")->capture_default_str();
  sub->add_option("--out", o->out,
                  "output folder (default: the manifest's synthetic/ folder, replaced atomically); must "
                  "not exist or be empty, unless --force");
  sub->add_flag("--force", o->force,
                "replace an earlier avipsim output folder given by --out (never another)");
  add_seed_option(*sub, o->seed, "random seed")->capture_default_str();
  sub->add_option("--family-scale", o->family_scale, "scale of the family count (tests)")
      ->check(finite_range(0.001, 10.0));
  sub->add_flag("--report", o->report_only,
                "only print the calibration table of a fresh synthesis (nothing written)");
  sub->callback([&ctx, o] {
    ctx.action = [o] {
      namespace fs = std::filesystem;
      fs::path target =
          o->out.empty() ? fs::path{o->territory}.parent_path() / "synthetic" : output_path(o->out);
      if (o->report_only) {  // nothing is written at the target
        target = fs::temp_directory_path() / fmt::format("avipsim-synth-report-{}", ::getpid());
      }
      // The manifest's own synthetic/ folder is replaced without --force (it holds calibration.csv).
      staging_folder stage{target, o->out.empty() || o->force, {"calibration.csv"}};
      auto const t = territory::load_territory(o->territory, true);
      synth::synthesis_options so{o->seed, o->family_scale};
      auto const rows = synth::synthesise(t, stage.create(), so);
      std::cout << synth::format_calibration(rows);
      bool ok = true;
      for (auto const& r : rows) {
        ok = ok && r.within_tolerance();
      }
      if (!ok) {  // before anything is moved into place
        throw data_error{"calibration: at least one gap exceeds its tolerance (see the table above)"};
      }
      if (!o->report_only) {
        // Keep the files the synthesis does not write (the folder's README, validation.csv).
        if (fs::is_directory(target)) {
          for (auto const& e : fs::directory_iterator{target}) {
            if (e.is_regular_file() && !fs::exists(stage.path() / e.path().filename())) {
              fs::copy_file(e.path(), stage.path() / e.path().filename());
            }
          }
        }
        stage.commit();
        std::cout << fmt::format("synthetic layers written to {}\n", target.string());
      }
      return 0;
    };
  });
}

}  // namespace avip::app
