#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace avip::optimize {

/// Everything the optimize outputs show, in plain values (the writers need no model nor world).
struct report_data {
  struct budget_row {
    double budget{0};
    double greedy{0}, greedy_cost{0};
    std::size_t greedy_actions{0};
    double greedy_seconds{0};
    bool mip_available{false}, mip_has_solution{false}, mip_optimal{false};
    double mip{0}, mip_cost{0}, mip_bound{0}, mip_gap{0}, mip_seconds{0};
    std::size_t mip_actions{0};
    std::string mip_status;
    int mip_variables{0}, mip_constraints{0};
  };
  struct portfolio_row {
    std::string name, method, status;
    double budget{0}, cost{0}, model{0}, gap{0};
    std::size_t actions{0};
    bool simulated{false}, recommended{false};
    double sim_mean{0}, sim_lo{0}, sim_hi{0}, delta_mean{0}, delta_lo{0}, delta_hi{0}, sim_cost{0};
  };
  struct action_row {
    std::string id, title, type, site, site_id, commune, cost_note;
    double cost{0}, gain{0};
    int rank{0};
    bool has_point{false};
    double x{0}, y{0};  ///< metric CRS (epsg)
    std::size_t sites{0};
  };
  struct point {
    double x, y;
    bool labelled;
  };
  std::string title, objective, base_name, candidates_file;
  std::size_t actions_count{0}, model_nodes{0}, model_arcs{0}, model_facilities{0};
  double model_total_demand{0}, model_base{0}, build_seconds{0};
  std::size_t model_actions{0};  ///< actions that can add coverage (the others are left out of the model)
  // Candidate sites: --sites grid (populated cells, those with unmet demand, sites proposed) and the
  // candidates file's site layers; how many of all sites can add coverage.
  std::string sites_mode;
  std::size_t populated_cells{0}, unmet_cells{0}, grid_sites{0}, site_actions{0}, useful_sites{0};
  std::vector<std::pair<std::string, double>> timings;  ///< seconds per phase
  double sim_base{0}, sim_base_referred{0};
  int replications{0};
  std::uint64_t seed{0};
  bool simulated{false};
  int epsg{0};
  std::vector<budget_row> budgets;
  std::vector<portfolio_row> portfolios;
  std::vector<action_row> chosen;  ///< the recommendation's actions, in rank order
  std::vector<point> facility_points;
};

/// actions.csv, pareto.csv, actions.geojson, optimize.gpkg (layer "actions"), optimize.json and
/// report.html (inline SVG: the cost / coverage curve and the map of the chosen actions).
void write_optimize_outputs(std::filesystem::path const& dir, report_data const& d);

}  // namespace avip::optimize
