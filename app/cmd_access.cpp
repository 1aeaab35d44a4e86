#include "app/commands.hpp"

namespace avip::app {

void add_access_command(CLI::App& app, context& ctx) {
  auto* sub = app.add_subcommand("access", "(being built)");
  sub->callback([&ctx] { ctx.action = [] { return 0; }; });
}

}  // namespace avip::app
