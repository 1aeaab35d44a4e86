#include "app/commands.hpp"

namespace avip::app {

void add_check_command(CLI::App& app, context& ctx) {
  auto* sub = app.add_subcommand("check", "(being built)");
  sub->callback([&ctx] { ctx.action = [] { return 0; }; });
}

}  // namespace avip::app
