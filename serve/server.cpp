#include "serve/server.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <regex>
#include <string>
#include <thread>

#include <sys/socket.h>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "serve/editor_session.hpp"
#include "serve/run_queue.hpp"
#include "serve/web_assets.hpp"
#include "sim/types.hpp"

namespace avip::serve {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr std::size_t kMaxReplications = 5000;     ///< per run of the editor
constexpr std::size_t kMaxQueued = 20;             ///< runs waiting at once
constexpr char const* kJson = "application/json";  // UTF-8 by definition; compressed when asked

void send_json(httplib::Response& res, int status, std::string body) {
  res.status = status;
  res.set_content(std::move(body), kJson);
}

/// A 4xx answer: {"error": message[, "problems": [...]]}.
void send_error(httplib::Response& res, int status, std::string const& message,
                std::vector<problem> const& problems = {}) {
  json out = {{"error", message}};
  if (!problems.empty()) {
    json p = json::array();
    for (auto const& x : problems) {
      p.push_back({{"pointer", x.pointer}, {"message", x.message}});
    }
    out["problems"] = p;
  }
  send_json(res, status, out.dump());
}

json problems_json(std::vector<problem> const& problems) {
  json p = json::array();
  for (auto const& x : problems) {
    p.push_back({{"pointer", x.pointer}, {"message", x.message}});
  }
  return p;
}

std::string content_type(fs::path const& f) {
  static std::map<std::string, std::string> const types{{".json", "application/json; charset=utf-8"},
                                                        {".geojson", "application/geo+json; charset=utf-8"},
                                                        {".csv", "text/csv; charset=utf-8"},
                                                        {".html", "text/html; charset=utf-8"},
                                                        {".gpkg", "application/geopackage+sqlite3"},
                                                        {".png", "image/png"},
                                                        {".svg", "image/svg+xml"}};
  auto const it = types.find(f.extension().string());
  return it == types.end() ? "application/octet-stream" : it->second;
}

std::string slurp(fs::path const& f) {
  std::ifstream in{f, std::ios::binary};
  return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

/// A run id as the server names them (run-001): anything else from the page is refused.
bool is_run_id(std::string const& id) {
  static std::regex const re{"run-[0-9]{3,6}"};
  return std::regex_match(id, re);
}

/// A file of a run as the page names it: one or two plain components (no dot first, no separator but
/// '/'), and then it must also be one of the run's listed files.
bool is_plain_relative(std::string const& file) {
  static std::regex const re{"[A-Za-z0-9_][A-Za-z0-9_.-]{0,120}(/[A-Za-z0-9_][A-Za-z0-9_.-]{0,120})?"};
  return std::regex_match(file, re) && file.find("..") == std::string::npos;
}

/// POSTs must say they send JSON: a page of another site cannot then post without a CORS preflight,
/// which this server never grants.
bool posts_json(httplib::Request const& req) {
  return req.get_header_value("Content-Type").rfind("application/json", 0) == 0;
}

}  // namespace

bool is_loopback(std::string const& host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

int serve(server_options const& o) {
  std::error_code ec;
  fs::create_directories(o.out, ec);
  // The drafts being checked live in a staging folder of the server's, never committed: removed when
  // the server stops, by SIGINT or SIGTERM too.
  auto scratch = o.folders(o.out / "brouillons-editeur");
  editor_session const session{o.scenario, scratch->create(), o.tiles};
  auto const workers = o.workers > 0 ? o.workers : std::max(1U, std::thread::hardware_concurrency() / 2);
  run_queue queue{session, o.folders, o.out, workers};

  httplib::Server svr;
  svr.set_payload_max_length(o.max_body);
  // SO_REUSEADDR only: cpp-httplib's default SO_REUSEPORT would let a second server bind the same port and
  // share its connections with this one (a page's run posted to one, polled on the other).
  svr.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  bool const loopback = is_loopback(o.host);
  int port = o.port;

  // DNS rebinding: a server on loopback answers only to loopback host names.
  svr.set_pre_routing_handler([&](httplib::Request const& req, httplib::Response& res) {
    if (!loopback) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    auto host = req.get_header_value("Host");
    if (auto const colon = host.rfind(':'); colon != std::string::npos && host.back() != ']') {
      host = host.substr(0, colon);
    }
    if (!host.empty() && !is_loopback(host)) {
      send_error(res, 403,
                 "this server answers on loopback only (Host: " + req.get_header_value("Host") + ")");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  svr.set_error_handler([&](httplib::Request const&, httplib::Response& res) {
    if (!res.body.empty()) {
      return;
    }
    auto const message = res.status == 413
                             ? fmt::format("request body too large (at most {} bytes)", o.max_body)
                         : res.status == 404 ? std::string{"not found"}
                                             : fmt::format("HTTP {}", res.status);
    res.set_content(json{{"error", message}}.dump(), kJson);
  });
  svr.set_exception_handler([](httplib::Request const&, httplib::Response& res, std::exception_ptr ep) {
    std::string message = "internal error";
    try {
      std::rethrow_exception(ep);
    } catch (std::exception const& e) {
      message = e.what();
    } catch (...) {
    }
    send_error(res, 500, message);
  });

  svr.Get("/favicon.ico", [](httplib::Request const&, httplib::Response& res) { res.status = 204; });
  svr.Get("/api/info",
          [&](httplib::Request const&, httplib::Response& res) { send_json(res, 200, session.info_json()); });
  svr.Get(R"(/api/layers/(communes|qpv|facilities|bus_lines))",
          [&](httplib::Request const& req, httplib::Response& res) {
            res.set_content(session.layer(req.matches[1]), kJson);
          });
  svr.Get("/api/layers/zones", [&](httplib::Request const& req, httplib::Response& res) {
    auto const window = req.get_param_value("window");
    if (std::find(sim::kWindowNames.begin(), sim::kWindowNames.end(), window) == sim::kWindowNames.end()) {
      return send_error(res, 400, "window: expected weekday, early, late or saturday");
    }
    if (!session.has_gtfs()) {
      return send_error(res, 404, "this territory has no GTFS feed: no bus-reachable zones");
    }
    std::string state = req.get_param_value("retry") == "1" ? "retry" : "";
    if (auto const file = queue.zones(window, state)) {
      res.set_content(slurp(*file), kJson);
      return;
    }
    if (state.rfind("failed", 0) == 0) {
      return send_error(res, 500, state);
    }
    send_json(res, 202, json{{"state", state}}.dump());
  });
  svr.Post("/api/hours", [&](httplib::Request const& req, httplib::Response& res) {
    if (!posts_json(req)) {
      return send_error(res, 415, "send JSON (Content-Type: application/json)");
    }
    json j;
    try {
      j = json::parse(req.body);
    } catch (json::parse_error const& e) {
      return send_error(res, 400, std::string{"malformed JSON: "} + e.what());
    }
    if (!j.is_object() || !j.contains("hours") || !j["hours"].is_string()) {
      return send_error(res, 400, "expected {\"hours\": \"Mo-Fr 07:30-18:30\"}");
    }
    std::string normalised;
    auto const why = editor_session::check_hours(j["hours"].get<std::string>(), normalised);
    if (!why.empty()) {
      return send_json(res, 422, json{{"ok", false}, {"error", why}}.dump());
    }
    send_json(res, 200, json{{"ok", true}, {"week", normalised}}.dump());
  });
  // A scenario from the page: checked (200 with what it is, 422 with its problems at their pointers).
  auto checked = [&](httplib::Request const& req, httplib::Response& res) -> std::optional<draft_check> {
    if (!posts_json(req)) {
      send_error(res, 415, "send JSON (Content-Type: application/json)");
      return std::nullopt;
    }
    try {
      auto const parsed = json::parse(req.body);
      (void)parsed;
    } catch (json::parse_error const& e) {
      send_error(res, 400, std::string{"malformed JSON: "} + e.what());
      return std::nullopt;
    }
    auto c = session.check(req.body);
    if (!c.ok()) {
      send_json(
          res, 422,
          json{{"ok", false}, {"error", "the scenario has problems"}, {"problems", problems_json(c.problems)}}
              .dump());
      return std::nullopt;
    }
    return c;
  };
  svr.Post("/api/check", [&](httplib::Request const& req, httplib::Response& res) {
    if (auto const c = checked(req, res)) {
      send_json(res, 200,
                json{{"ok", true},
                     {"name", c->name},
                     {"replications", c->replications},
                     {"seed", c->seed},
                     {"facilities", c->facilities},
                     {"labelled", c->labelled},
                     {"edits", c->edits}}
                    .dump());
    }
  });
  svr.Post("/api/runs", [&](httplib::Request const& req, httplib::Response& res) {
    auto const c = checked(req, res);
    if (!c) {
      return;
    }
    // The editor runs what a session needs (a run keeps every replication's records in memory, and the
    // runs queued behind it wait): more replications are for `avipsim run`.
    if (c->replications > static_cast<int>(kMaxReplications)) {
      return send_error(
          res, 422, "the scenario has problems",
          {{"/replications", fmt::format("the map editor runs at most {} replications; run more "
                                         "with avipsim run",
                                         kMaxReplications)}});
    }
    if (queue.waiting() >= kMaxQueued) {
      return send_error(res, 429, fmt::format("{} runs are already waiting: cancel one or wait", kMaxQueued));
    }
    auto const id = queue.submit(req.body, *c);
    send_json(res, 202, json{{"id", id}}.dump());
  });
  svr.Get("/api/runs",
          [&](httplib::Request const&, httplib::Response& res) { send_json(res, 200, queue.list_json()); });
  svr.Get(R"(/api/runs/([^/]+))", [&](httplib::Request const& req, httplib::Response& res) {
    std::string const id = req.matches[1];
    if (!is_run_id(id)) {
      return send_error(res, 400, "not a run id (run-001, …)");
    }
    if (auto const j = queue.run_json(id)) {
      return send_json(res, 200, *j);
    }
    send_error(res, 404, "no run " + id);
  });
  svr.Post(R"(/api/runs/([^/]+)/cancel)", [&](httplib::Request const& req, httplib::Response& res) {
    std::string const id = req.matches[1];
    if (!is_run_id(id)) {
      return send_error(res, 400, "not a run id (run-001, …)");
    }
    if (!queue.cancel(id)) {
      return send_error(res, 404, "no run " + id);
    }
    send_json(res, 200, json{{"id", id}, {"cancelled", true}}.dump());
  });
  svr.Get("/api/compare", [&](httplib::Request const& req, httplib::Response& res) {
    auto const a = req.get_param_value("a");
    auto const b = req.get_param_value("b");
    if (!is_run_id(a) || !is_run_id(b)) {
      return send_error(res, 400, "give two run ids: /api/compare?a=run-001&b=run-002");
    }
    try {
      send_json(res, 200, queue.compare_json(a, b));
    } catch (usage_error const& e) {
      send_error(res, 400, e.what());
    }
  });
  // A run's files: the id and the file are checked against what the server itself wrote.
  svr.Get(R"(/runs/([^/]+)/(.+))", [&](httplib::Request const& req, httplib::Response& res) {
    std::string const id = req.matches[1];
    std::string const file = req.matches[2];
    if (!is_run_id(id) || !is_plain_relative(file)) {
      return send_error(res, 400, "not a run file (/runs/run-001/summary.json)");
    }
    auto const dir = queue.folder(id);
    if (!dir) {
      return send_error(res, 404, "no finished run " + id);
    }
    auto const listed = queue.run_json(id);
    auto const files = json::parse(*listed).value("files", json::array());
    if (std::find(files.begin(), files.end(), file) == files.end()) {
      return send_error(res, 404, "no file " + file + " in " + id);
    }
    res.set_content(slurp(*dir / file), content_type(file));
  });
  std::map<std::string, web_asset const*> assets;
  for (auto const& a : web_assets()) {
    assets[std::string{a.path}] = &a;
  }
  svr.Get(R"(/.*)", [&](httplib::Request const& req, httplib::Response& res) {
    auto const it = assets.find(req.path == "/index.html" ? "/" : req.path);
    if (it == assets.end()) {
      return send_error(res, 404, "not found: " + req.path.substr(0, 200));
    }
    std::string type{it->second->type};
    res.set_content(std::string{it->second->data},
                    type.rfind("text/", 0) == 0 ? type + "; charset=utf-8" : type);
  });

  if (port == 0) {
    port = svr.bind_to_any_port(o.host);
    if (port < 0) {
      throw usage_error{fmt::format("serve: cannot listen on {} (any port)", o.host)};
    }
  } else if (!svr.bind_to_port(o.host, port)) {
    throw usage_error{fmt::format("serve: cannot listen on {}:{} (in use? try --port)", o.host, port)};
  }
  if (!loopback) {
    std::cerr << fmt::format(
        "avipsim serve: warning: listening on {} (not loopback): anyone who reaches this port can run "
        "simulations and download their outputs; there is no login\n",
        o.host);
  }
  auto const shown =
      o.host.find(':') != std::string::npos && o.host.front() != '[' ? "[" + o.host + "]" : o.host;
  std::cout << fmt::format("http://{}:{}/", shown, port) << std::endl;
  std::cerr << fmt::format("avipsim serve: {} on {} ({} run{} at once); runs go to {}; Ctrl-C stops\n",
                           session.base_file().string(), session.base().territory.name, workers,
                           workers > 1 ? "s" : "", o.out.string());
  if (!svr.listen_after_bind()) {
    throw avip::error{"serve: the server stopped listening"};
  }
  return 0;
}

}  // namespace avip::serve
