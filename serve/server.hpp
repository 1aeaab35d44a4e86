#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "serve/run_folder.hpp"

namespace avip::serve {

/// What `avipsim serve` was asked for (app/cmd_serve.cpp).
struct server_options {
  std::filesystem::path scenario;  ///< the base scenario the editor opens
  std::string host{"127.0.0.1"};
  int port{8080};  ///< 0 = any free port (printed)
  std::filesystem::path out{"runs/serve"};
  std::string tiles;                ///< background tiles URL template; empty = communes only (offline)
  std::size_t workers{0};           ///< runs at once; 0 = one per two cores
  std::size_t max_body{1U << 20U};  ///< bytes of a request body
  run_folder_factory folders;       ///< how output folders are made (app/output_folder.hpp)
};

/// True when `host` is a loopback address or name (127.0.0.0/8, ::1, localhost).
bool is_loopback(std::string const& host);

/// Serves the map editor until the process is stopped (SIGINT or SIGTERM: the caller's interrupt
/// cleanup removes the staging folders of runs in progress, so no half folder is left). Prints the
/// URL on standard output once it listens. Throws avip::usage_error when it cannot listen, and the
/// base scenario's own errors before anything listens.
int serve(server_options const& options);

}  // namespace avip::serve
