#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include <fmt/format.h>

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
};

}  // namespace

void add_synth_command(CLI::App& app, context& ctx) {
  auto o = std::make_shared<synth_options>();
  auto* sub = app.add_subcommand(
      "synth",
      "Regenerate the synthetic layers (QPV, facilities, families) of La Réunion from the real communes and "
      "grid, seeded and calibrated; prints the calibration table and fails if a gap exceeds 5 %");
  sub->add_option("--territory", o->territory, "territory manifest")->capture_default_str();
  sub->add_option("--out", o->out,
                  "output folder (default: the manifest's synthetic/ folder, replaced atomically)");
  sub->add_option("--seed", o->seed, "random seed")->capture_default_str();
  sub->add_option("--family-scale", o->family_scale, "scale of the family count (tests)")
      ->check(CLI::Range(0.001, 10.0));
  sub->add_flag("--report", o->report_only,
                "only print the calibration table of a fresh synthesis (nothing written)");
  sub->callback([&ctx, o] {
    ctx.action = [o] {
      namespace fs = std::filesystem;
      auto const t = territory::load_territory(o->territory, true);
      fs::path target =
          o->out.empty() ? fs::path{o->territory}.parent_path() / "synthetic" : fs::path{o->out};
      staging_folder stage{target, true};
      synth::synthesis_options so{o->seed, o->family_scale};
      auto const rows = synth::synthesise(t, stage.path(), so);
      std::cout << synth::format_calibration(rows);
      bool ok = true;
      for (auto const& r : rows) {
        ok = ok && std::abs(r.gap()) <= 0.05;
      }
      if (!o->report_only) {
        // Keep the hand-written README of the folder.
        if (fs::exists(target / "README.md")) {
          fs::copy_file(target / "README.md", stage.path() / "README.md");
        }
        stage.commit();
        std::cout << fmt::format("synthetic layers written to {}\n", target.string());
      }
      if (!ok) {
        throw data_error{"calibration: at least one gap exceeds 5 % (see the table above)"};
      }
      return 0;
    };
  });
}

}  // namespace avip::app
