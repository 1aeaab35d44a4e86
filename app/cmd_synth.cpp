#include "app/commands.hpp"

namespace avip::app {

void add_synth_command(CLI::App& app, context& ctx) {
  auto* sub = app.add_subcommand("synth", "(being built)");
  sub->callback([&ctx] { ctx.action = [] { return 0; }; });
}

}  // namespace avip::app
