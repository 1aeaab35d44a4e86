#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "app/commands.hpp"
#include "app/output_folder.hpp"
#include "core/error.hpp"

#ifdef AVIP_WITH_SERVE
#include "serve/server.hpp"
#endif

namespace avip::app {

namespace {

struct serve_cli {
  std::string scenario;
  std::string host{"127.0.0.1"};
  int port{8080};
  std::string out{"runs/serve"};
  std::string tiles;
};

#ifdef AVIP_WITH_SERVE
/// The map editor's run folders are the staging folders of every command (app/output_folder.hpp).
class staged_run_folder final : public serve::run_folder {
 public:
  explicit staged_run_folder(std::filesystem::path const& target) : stage_{target, false} {}
  std::filesystem::path const& create() override { return stage_.create(); }
  void commit() override { stage_.commit(); }

 private:
  staging_folder stage_;
};
#endif

}  // namespace

void add_serve_command(CLI::App& app, context& ctx) {
  auto o = std::make_shared<serve_cli>();
  auto* sub = app.add_subcommand(
      "serve",
      "Open the map editor: a local web page to edit a scenario on a map, run it and compare it with the "
      "base (prints its address, http://127.0.0.1:8080/)");
  sub->add_option("scenario", o->scenario, "base scenario to edit (.json)")->required();
  sub->add_option("--port", o->port, "port to listen on (0 = any free port)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  sub->add_option("--host", o->host,
                  "address to listen on; anything but loopback exposes the editor to the network (warned)")
      ->capture_default_str();
  sub->add_option("--out", o->out, "folder where the session's runs are written, one folder each")
      ->capture_default_str();
  sub->add_option("--tiles", o->tiles,
                  "background tiles URL template, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png "
                  "(default: none, the communes are the map, which works offline)");
  add_allow_outside_option(*sub);
  add_threads_option(*sub, ctx);
  sub->callback([&ctx, o] {
    ctx.action = [o]() -> int {
#ifdef AVIP_WITH_SERVE
      serve::server_options s;
      s.scenario = o->scenario;
      s.host = o->host;
      s.port = o->port;
      s.out = output_path(o->out);
      s.tiles = o->tiles;
      s.folders = [](std::filesystem::path const& target) -> std::unique_ptr<serve::run_folder> {
        return std::make_unique<staged_run_folder>(target);
      };
      return serve::serve(s);
#else
      std::cerr << "avipsim: error: serve: this avipsim was built without the map editor (cpp-httplib or "
                   "Leaflet not found at configure time: apt-get install libcpp-httplib-dev libjs-leaflet, "
                   "then configure again)\n";
      return 2;
#endif
    };
  });
}

}  // namespace avip::app
