#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <sstream>
#include <string>

#include <CLI/CLI.hpp>

#include "core/path_policy.hpp"
#include "geo/gtfs_calendar.hpp"

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
void add_sensitivity_command(CLI::App& app, context& ctx);
void add_optimize_command(CLI::App& app, context& ctx);
void add_serve_command(CLI::App& app, context& ctx);

/// Adds `--threads` to a subcommand, bound to ctx.threads.
inline void add_threads_option(CLI::App& sub, context& ctx) {
  sub.add_option("--threads", ctx.threads, "Worker threads (0 = all cores); results do not depend on it")
      ->check(CLI::NonNegativeNumber);
}

/// A number option's check: finite (not nan, not inf) and `ok(value)`, else "expected <what>". CLI11's
/// own Range and PositiveNumber let nan through.
inline CLI::Validator finite_number(std::function<bool(double)> ok, std::string const& what) {
  return CLI::Validator{
      [ok, what](std::string& text) -> std::string {
        double v = 0;
        auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(v) || !ok(v)) {
          return "expected " + what + ", got '" + text + "'";
        }
        return {};
      },
      "NUMBER"};
}

inline CLI::Validator finite_positive() {
  return finite_number([](double v) { return v > 0; }, "a finite number > 0");
}

inline CLI::Validator finite_non_negative() {
  return finite_number([](double v) { return v >= 0; }, "a finite number >= 0");
}

/// `text` of a bound as a person writes it (1, 2.5, 240).
inline std::string bound_text(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

inline CLI::Validator finite_range(double lo, double hi) {
  return finite_number([lo, hi](double v) { return v >= lo && v <= hi; },
                       "a finite number from " + bound_text(lo) + " to " + bound_text(hi));
}

/// A whole number from lo to hi, written in digits only ("1.5", "-1", "1e3" and overflows refused).
inline CLI::Validator whole_range(std::uint64_t lo, std::uint64_t hi) {
  return CLI::Validator{
      [lo, hi](std::string& text) -> std::string {
        std::uint64_t v = 0;
        auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || v < lo || v > hi) {
          return "expected a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) +
                 ", got '" + text + "'";
        }
        return {};
      },
      "WHOLE"};
}

/// The largest seed, as in a scenario file (exact in JSON's doubles).
inline constexpr std::uint64_t kMaxSeed = 9'000'000'000'000'000;

/// Adds `--seed` (a whole number, 0 to kMaxSeed) to a subcommand.
template <typename Seed>
CLI::Option* add_seed_option(CLI::App& sub, Seed& seed, std::string const& help) {
  return sub.add_option("--seed", seed, help)->check(whole_range(0, kMaxSeed));
}

/// Adds `--replications` (a whole number, lo to 100,000) to a subcommand.
template <typename Count>
CLI::Option* add_replications_option(CLI::App& sub, Count& count, std::string const& help, int lo = 1) {
  return sub.add_option("--replications", count, help)
      ->check(whole_range(static_cast<std::uint64_t>(lo), 100000));
}

/// Adds `--date YYYYMMDD` (the bus service date) to a subcommand.
inline CLI::Option* add_date_option(CLI::App& sub, std::string& date, std::string const& help) {
  return sub.add_option("--date", date, help)
      ->check(CLI::Validator(
          [](std::string& d) {
            return geo::is_yyyymmdd(d) ? std::string{} : "expected a date YYYYMMDD, e.g. 20251014";
          },
          "YYYYMMDD"));
}

/// Adds `--allow-outside` to a subcommand that reads scenarios (see core/path_policy.hpp).
inline void add_allow_outside_option(CLI::App& sub) {
  sub.add_flag_callback(
      "--allow-outside", [] { allow_outside_paths() = true; },
      "let the scenario read files outside its folder and the working folder (absolute paths, '..')");
}

}  // namespace avip::app
