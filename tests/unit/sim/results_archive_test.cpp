#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "sim/results_archive.hpp"

using namespace avip;

TEST_CASE("results archive: a run's results come back bit for bit", "[sim][mpi]") {
  sim::run_results r;
  r.replications = 3;
  r.seed = 974;
  r.horizon_months = 12;
  r.island.referred.values = {1.0, 2.5, std::numeric_limits<double>::denorm_min()};
  r.by_caf.mean_wait_weeks.values = {0.1, 0.2};
  r.communes.resize(2);
  r.communes[sim::commune_idx{1}].demand.coverage.values = {0.75};
  r.communes[sim::commune_idx{1}].taux_couverture = 41.2;
  r.sectors.resize(1);
  r.facilities.resize(2);
  r.facilities[sim::facility_idx{0}].target_met.values = {0.0, 1.0, 1.0};
  r.networks.push_back({"net-saint-andre", true, 4, 12, {{1, 2}}, {{0.5}}, {{1}}, {{0}}});
  r.cells.resize(3);
  r.cells[sim::cell_idx{2}].coverage = 1.0 / 3.0;
  r.equity.palma_undefined = 2;
  r.equity.gini_communes.values = {0.31};
  r.cost.total = 980000.5;
  r.cost.baby_buses = 4;
  r.validation.labelled_shares = {0.04, 0.16};
  r.validation.exits_unplanned.values = {3};
  r.policy_value.values = {37.9};
  auto const bytes = sim::encode_results(r);
  auto const b = sim::decode_results(bytes);
  CHECK(sim::encode_results(b) == bytes);
  CHECK(b.island.referred.values == r.island.referred.values);
  CHECK(b.networks[0].id == "net-saint-andre");
  CHECK(b.networks[0].assmat_network);
  CHECK(b.communes[sim::commune_idx{1}].taux_couverture == r.communes[sim::commune_idx{1}].taux_couverture);
  CHECK(b.cells[sim::cell_idx{2}].coverage == r.cells[sim::cell_idx{2}].coverage);
  CHECK(b.cost.baby_buses == 4);
  CHECK(b.validation.labelled_shares == r.validation.labelled_shares);
  CHECK_THROWS_AS(sim::decode_results(bytes.substr(0, bytes.size() / 2)), error);
}
