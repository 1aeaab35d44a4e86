#include "app/commands.hpp"

namespace avip::app {

void add_compare_command(CLI::App& app, context& ctx) {
  auto* sub = app.add_subcommand("compare", "(being built)");
  sub->callback([&ctx] { ctx.action = [] { return 0; }; });
}

}  // namespace avip::app
