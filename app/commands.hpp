#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace avip::app {

/// What the chosen subcommand will do once the command line is parsed, and the options `main`
/// applies first (the thread count is set in `main` only, with tbb::global_control).
struct context {
  std::function<int()> action;
  int threads{0};  ///< 0 = all cores
};

// One function per subcommand, each in its own cmd_<name>.cpp: declares the options (with help text)
// and sets `ctx.action`.
void add_check_command(CLI::App& app, context& ctx);
void add_synth_command(CLI::App& app, context& ctx);
void add_transit_command(CLI::App& app, context& ctx);
void add_access_command(CLI::App& app, context& ctx);
void add_run_command(CLI::App& app, context& ctx);
void add_compare_command(CLI::App& app, context& ctx);
void add_validate_command(CLI::App& app, context& ctx);

/// Adds `--threads` to a subcommand, bound to ctx.threads.
inline void add_threads_option(CLI::App& sub, context& ctx) {
  sub.add_option("--threads", ctx.threads, "Worker threads (0 = all cores); results do not depend on it")
      ->check(CLI::NonNegativeNumber);
}

}  // namespace avip::app
