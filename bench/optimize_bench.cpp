// avipsim optimize's solvers on a maximal covering location problem (MCLP), the instance PySAL spopt's
// MCLP solves in bench/optimize_vs_spopt.py: demand points with weights, candidate sites, a site covers
// the points within the service radius, choose p sites. The instance is read from the folder that script
// writes (demand.csv: x,y,weight; sites.csv: x,y; instance.json: radius_m, p; integer metres), so both
// sides solve the very same numbers. The MCLP is avipsim's coverage model with one facility that never
// fills (every point one demand node, its arc opened by any site covering it): the lazy greedy (its set
// cover form, capacities never binding) and the exact MIP (CBC, time limit, proven gap). Coverage is then
// recomputed from the chosen sites by distance alone, independently of the model.
// Prints one JSON line (figures, chosen sites) for the script.
//   ./build/optimize_bench --instance DIR [--time-limit 60] [--mip-gap 1e-4] [--skip-mip]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/memory.hpp"
#include "optimize/solvers.hpp"

using namespace avip;

namespace {

struct point {
  std::int64_t x, y;
  double weight;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// Rows of integers (and a weight) from a CSV with a header line.
std::vector<point> read_points(std::string const& file, bool weighted) {
  std::ifstream in{file};
  if (!in) {
    throw std::runtime_error{"optimize_bench: cannot read " + file};
  }
  std::string line;
  std::getline(in, line);  // header
  std::vector<point> out;
  while (std::getline(in, line)) {
    if (line.empty()) {
      continue;
    }
    std::stringstream s{line};
    std::string a, b, c;
    std::getline(s, a, ',');
    std::getline(s, b, ',');
    point p{std::stoll(a), std::stoll(b), 1.0};
    if (weighted) {
      std::getline(s, c, ',');
      p.weight = std::stod(c);
    }
    out.push_back(p);
  }
  return out;
}

/// A number from instance.json (a flat object written by the script).
double json_number(std::string const& file, std::string const& key) {
  std::ifstream in{file};
  std::string text{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
  auto const at = text.find("\"" + key + "\"");
  if (at == std::string::npos) {
    throw std::runtime_error{fmt::format("optimize_bench: no \"{}\" in {}", key, file)};
  }
  return std::stod(text.substr(text.find(':', at) + 1));
}

/// Weight of the points within `r` of a chosen site, by distance alone.
double recompute(std::vector<point> const& demand, std::vector<point> const& sites,
                 std::vector<std::uint32_t> const& chosen, std::int64_t r) {
  double covered = 0;
  for (auto const& d : demand) {
    for (auto const j : chosen) {
      auto const dx = d.x - sites[j].x;
      auto const dy = d.y - sites[j].y;
      if (dx * dx + dy * dy <= r * r) {
        covered += d.weight;
        break;
      }
    }
  }
  return covered;
}

std::string list(std::vector<std::uint32_t> v) {
  std::sort(v.begin(), v.end());
  return fmt::format("[{}]", fmt::join(v, ","));
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  double time_limit = 60;
  double mip_gap = 1e-4;
  bool skip_mip = false;
  for (int i = 1; i < argc; ++i) {
    std::string const a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string{argv[++i]} : std::string{}; };
    if (a == "--instance") {
      dir = next();
    } else if (a == "--time-limit") {
      time_limit = std::stod(next());
    } else if (a == "--mip-gap") {
      mip_gap = std::stod(next());
    } else if (a == "--skip-mip") {
      skip_mip = true;
    } else {
      std::fprintf(stderr,
                   "usage: optimize_bench --instance DIR [--time-limit 60] [--mip-gap 1e-4] [--skip-mip]\n");
      return 2;
    }
  }
  if (dir.empty()) {
    std::fprintf(stderr, "optimize_bench: give --instance DIR (written by bench/optimize_vs_spopt.py)\n");
    return 2;
  }
  try {
    auto t0 = std::chrono::steady_clock::now();
    auto const demand = read_points(dir + "/demand.csv", true);
    auto const sites = read_points(dir + "/sites.csv", false);
    auto const r = static_cast<std::int64_t>(json_number(dir + "/instance.json", "radius_m"));
    int const p = static_cast<int>(json_number(dir + "/instance.json", "p"));
    double const read_s = seconds_since(t0);

    // Which sites cover each point: a grid of buckets one radius wide.
    t0 = std::chrono::steady_clock::now();
    std::int64_t min_x = sites.front().x, min_y = sites.front().y;
    for (auto const& s : sites) {
      min_x = std::min(min_x, s.x);
      min_y = std::min(min_y, s.y);
    }
    std::map<std::pair<std::int64_t, std::int64_t>, std::vector<std::uint32_t>> bucket;
    auto cell = [&](std::int64_t v, std::int64_t lo) {
      return (v - lo) >= 0 ? (v - lo) / r : -1 - (lo - v - 1) / r;
    };
    for (std::uint32_t j = 0; j < sites.size(); ++j) {
      bucket[{cell(sites[j].x, min_x), cell(sites[j].y, min_y)}].push_back(j);
    }
    std::size_t pairs = 0;
    double total = 0;
    std::map<std::vector<std::uint32_t>, std::uint32_t> node_of;
    optimize::coverage_model m;
    m.arc_offsets.push_back(0);
    std::vector<std::uint32_t> cover;
    for (auto const& d : demand) {
      total += d.weight;
      cover.clear();
      auto const cx = cell(d.x, min_x);
      auto const cy = cell(d.y, min_y);
      for (std::int64_t gx = cx - 1; gx <= cx + 1; ++gx) {
        for (std::int64_t gy = cy - 1; gy <= cy + 1; ++gy) {
          auto const it = bucket.find({gx, gy});
          if (it == bucket.end()) {
            continue;
          }
          for (auto const j : it->second) {
            auto const dx = d.x - sites[j].x;
            auto const dy = d.y - sites[j].y;
            if (dx * dx + dy * dy <= r * r) {
              cover.push_back(j);
            }
          }
        }
      }
      pairs += cover.size();
      if (cover.empty()) {
        continue;  // no site reaches it: never covered
      }
      std::sort(cover.begin(), cover.end());
      // Points reached by the same sites form one demand node (as families do in avipsim's model).
      auto const [it, fresh] = node_of.try_emplace(cover, static_cast<std::uint32_t>(m.demand.size()));
      if (fresh) {
        m.demand.push_back(0.0);
        m.enabler_action.insert(m.enabler_action.end(), cover.begin(), cover.end());
        m.enabler_offsets.push_back(static_cast<std::uint32_t>(m.enabler_action.size()));
        m.arc_facility.push_back(0);
        m.arc_enabler.push_back(static_cast<std::uint32_t>(m.enabler_offsets.size() - 2));
        m.arc_offsets.push_back(static_cast<std::uint32_t>(m.arc_facility.size()));
      }
      m.demand[it->second] += d.weight;
    }
    m.cost.assign(sites.size(), 1.0);
    m.group.assign(sites.size(), -1);
    m.base_capacity = {total + 1.0};  // the one facility never fills
    m.cap_offsets = {0, 0};
    m.world_facility = {0};
    m.total_demand = total;
    double const build_s = seconds_since(t0);

    optimize::limits const l{static_cast<double>(p), p};
    t0 = std::chrono::steady_clock::now();
    auto const g = optimize::greedy(m, l);
    double const greedy_s = seconds_since(t0);
    double const greedy_check = recompute(demand, sites, g.actions, r);

    // The swaps alone (the MIP starts from them too), timed apart.
    t0 = std::chrono::steady_clock::now();
    auto const swapped = optimize::improve_by_swaps(m, l, g, time_limit);
    double const swaps_s = seconds_since(t0);
    double const swaps_check = recompute(demand, sites, swapped.actions, r);

    std::string mip_json = "null";
    if (!skip_mip) {
      auto const mip = optimize::solve_mip(m, l, time_limit, &g, mip_gap);
      double const mip_check = recompute(demand, sites, mip.best.actions, r);
      auto finite = [](double v) {
        return std::isfinite(v) ? fmt::format("{:.8f}", v) : std::string{"null"};
      };
      mip_json = fmt::format(
          R"({{"seconds": {:.3f}, "objective": {:.6f}, "recomputed": {:.6f}, "bound": {}, "gap": {}, )"
          R"("proven_optimal": {}, "status": "{}", "root_solved": {}, "root_bound": {}, )"
          R"("variables": {}, "constraints": {}, "sites": {}}})",
          mip.seconds, mip.best.covered, mip_check, finite(mip.bound), finite(mip.gap),
          mip.proven_optimal ? "true" : "false", mip.status, mip.root_solved ? "true" : "false",
          mip.root_solved ? finite(mip.root_bound) : std::string{"null"}, mip.variables, mip.constraints,
          list(mip.best.actions));
    }
    std::printf(
        "%s\n",
        fmt::format(
            R"({{"demand": {}, "sites": {}, "p": {}, "radius_m": {}, "pairs": {}, "nodes": {}, "total_weight": {:.6f}, )"
            R"("read_seconds": {:.3f}, "build_seconds": {:.3f}, "peak_rss_mb": {:.0f}, )"
            R"("greedy": {{"seconds": {:.6f}, "objective": {:.6f}, "recomputed": {:.6f}, "sites": {}}}, )"
            R"("swaps": {{"seconds": {:.6f}, "objective": {:.6f}, "recomputed": {:.6f}, "sites": {}}}, "mip": {}}})",
            demand.size(), sites.size(), p, r, pairs, m.nodes(), total, read_s, build_s, peak_rss_mb(),
            greedy_s, g.covered, greedy_check, list(g.actions), swaps_s, swapped.covered, swaps_check,
            list(swapped.actions), mip_json)
            .c_str());
  } catch (std::exception const& e) {
    std::fprintf(stderr, "optimize_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
