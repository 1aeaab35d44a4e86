#include <cstdio>
#include <exception>
#include <memory>
#include <string>

#include <tbb/global_control.h>
#include <CLI/CLI.hpp>

#include "app/commands.hpp"
#include "app/output_folder.hpp"
#include "core/error.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "avipsim: parallel geographic simulator of childcare offer and demand for parents in insertion "
      "(AVIP crèches, atypical hours, Baby Bus)."};
  app.set_version_flag("--version", "avipsim 0.1.0");
  app.require_subcommand(1);

  avip::app::context ctx;
  avip::app::add_check_command(app, ctx);
  avip::app::add_synth_command(app, ctx);
  avip::app::add_transit_command(app, ctx);
  avip::app::add_access_command(app, ctx);
  avip::app::add_run_command(app, ctx);
  avip::app::add_validate_command(app, ctx);
  avip::app::add_compare_command(app, ctx);
  avip::app::add_sensitivity_command(app, ctx);
  avip::app::add_optimize_command(app, ctx);
  avip::app::add_serve_command(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (CLI::ParseError const& e) {
    // A wrong command line exits 2, as a usage error does (--help and --version exit 0). A first word
    // that is not a command is named, with the commands there are.
    std::string names;
    bool known = false;
    for (auto const* sub : app.get_subcommands({})) {
      names += (names.empty() ? "" : ", ") + sub->get_name();
      known = known || (argc > 1 && sub->get_name() == argv[1]);
    }
    if (e.get_exit_code() != 0 && argc > 1 && argv[1][0] != '-' && !known) {
      std::fprintf(stderr, "avipsim: error: unknown command '%s' (commands: %s; avipsim --help)\n", argv[1],
                   names.c_str());
      return 2;
    }
    return app.exit(e) == 0 ? 0 : 2;
  }

  try {
    avip::app::install_interrupt_cleanup();  // first: before any thread starts
    std::unique_ptr<tbb::global_control> threads;
    if (ctx.threads > 0) {
      threads = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                      static_cast<std::size_t>(ctx.threads));
    }
    return ctx.action ? ctx.action() : 0;
  } catch (avip::usage_error const& e) {
    std::fprintf(stderr, "avipsim: error: %s\n", e.what());
    return 2;
  } catch (avip::error const& e) {
    std::fprintf(stderr, "avipsim: error: %s\n", e.what());
    return 1;
  } catch (std::bad_alloc const&) {
    std::fprintf(stderr, "avipsim: error: out of memory\n");
    return 2;
  } catch (std::exception const& e) {
    std::fprintf(stderr, "avipsim: internal error: %s\n", e.what());
    return 3;
  }
}
