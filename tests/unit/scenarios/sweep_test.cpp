#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <unistd.h>

#include "core/error.hpp"
#include "scenarios/sweep.hpp"
#include "scenarios/uncertainty.hpp"

using namespace avip;
namespace fs = std::filesystem;

namespace {

fs::path write(std::string const& name, std::string const& body) {
  auto d = fs::temp_directory_path() / ("avip_sweep_" + std::to_string(::getpid()));
  fs::create_directories(d);
  auto const f = d / name;
  std::ofstream{f} << body;
  return f;
}

std::string mini_scenario(std::string const& name, std::string const& params) {
  return R"({"name": ")" + name + R"(", "territory": ")" + std::string{AVIP_SOURCE_DIR} +
         R"(/tests/data/mini/territory.json", "replications": 4, "seed": 11, "params": )" + params + "}";
}

std::string error_of(fs::path const& f) {
  try {
    scenarios::read_uncertainty(f);
  } catch (scenario_error const& e) {
    return e.what();
  }
  return {};
}

/// Every point's values gathered from the ranks (`all`, in point order) average to the single
/// process's means, so every index is the same.
void check_same_means(std::vector<double> const& all, sensitivity::analysis const& one) {
  std::size_t at = 0;
  for (std::size_t pt = 0; pt < one.sample().points(); ++pt) {
    for (std::size_t i = 0; i < one.indicators.size(); ++i) {
      double sum = 0;
      for (int k = 0; k < one.replications; ++k) {
        sum += all[at++];
      }
      CHECK(sum / one.replications == Approx(one.means[0][i][pt]).margin(1e-12));
    }
  }
}

}  // namespace

TEST_CASE("uncertainty files: every bad range names the file and the JSON pointer",
          "[scenarios][sensitivity]") {
  auto const f = write("bad.json", R"({"parameters": [
    {"name": "awareness_rat", "distribution": "uniform", "low": 0.1, "high": 0.2, "justification": "x"},
    {"name": "acceptance_rate", "distribution": "uniform", "low": 0.9, "high": 0.5, "justification": "x"},
    {"name": "renewal_probability", "distribution": "uniform", "low": 0.5, "high": 1.5, "justification": "x"},
    {"name": "yearly_turnover", "distribution": "triangular", "low": 0.1, "mode": 0.9, "high": 0.5, "justification": "x"},
    {"name": "max_wait_weeks", "distribution": "discrete", "values": [8, 12.5], "justification": "x"},
    {"name": "contract_months", "distribution": "gaussian", "justification": "x"},
    {"name": "min_weekly_hours", "distribution": "uniform", "low": 5, "high": 15}
  ]})");
  auto const msg = error_of(f);
  INFO(msg);
  CHECK_THAT(msg, Catch::Contains(f.string()));
  CHECK_THAT(msg, Catch::Contains("/parameters/0/name: unknown parameter 'awareness_rat'"));
  CHECK_THAT(msg, Catch::Contains("/parameters/1/low: low (0.9) is above high (0.5)"));
  CHECK_THAT(msg,
             Catch::Contains("/parameters/2: 'renewal_probability' must stay within its valid range [0, 1]"));
  CHECK_THAT(msg, Catch::Contains("/parameters/3/mode"));
  CHECK_THAT(msg, Catch::Contains("/parameters/4/values: 'max_wait_weeks' takes whole numbers"));
  CHECK_THAT(msg, Catch::Contains("/parameters/5/distribution"));
  CHECK_THAT(msg, Catch::Contains("/parameters/6/justification"));
}

TEST_CASE("uncertainty files: the shipped La Réunion file is valid", "[scenarios][sensitivity]") {
  auto const u =
      scenarios::read_uncertainty(std::string{AVIP_SOURCE_DIR} + "/scenarios/reunion/uncertainty.json");
  CHECK(u.parameters.size() >= 10);
  for (auto const& q : u.parameters) {
    CHECK(!q.justification.empty());
  }
  CHECK(scenarios::is_uncertainty_file(std::string{AVIP_SOURCE_DIR} + "/scenarios/reunion/uncertainty.json"));
  CHECK_FALSE(
      scenarios::is_uncertainty_file(std::string{AVIP_SOURCE_DIR} + "/scenarios/reunion/baseline.json"));
}

TEST_CASE("sensitivity: a parameter the model ignores has no effect, one it reads has",
          "[scenarios][sensitivity]") {
  // Label funding only changes the cost; the oldest age admitted changes who is placed.
  auto const u = write("u.json", R"({"replications": 4, "parameters": [
    {"name": "label_funding_first_year", "distribution": "uniform", "low": 500, "high": 5000, "justification": "test"},
    {"name": "label_funding_later_years", "distribution": "uniform", "low": 500, "high": 5000, "justification": "test"},
    {"name": "max_age_months", "distribution": "discrete", "values": [1, 36], "justification": "test"},
    {"name": "max_age_months_disabled", "distribution": "discrete", "values": [1, 72], "justification": "test"}]})");
  scenarios::sweep_request r;
  r.u = scenarios::read_uncertainty(u);
  r.scenarios = {write("a.json", mini_scenario("a", "{}")),
                 write("b.json", mini_scenario("b", R"({"max_age_months": 1})"))};
  r.trajectories = 6;
  r.progress = false;
  auto const a = scenarios::run_sweep(r);
  REQUIRE(a.sample().points() == 6 * 5);
  REQUIRE(a.indicators.front().key == "priority_matched");
  auto const index_of = [&](std::string const& key) {
    std::size_t i = 0;
    while (a.indicators[i].key != key) {
      ++i;
    }
    return i;
  };
  auto const matched = index_of("matched");
  auto const cost = index_of("cost_total");
  auto const& ref = a.morris_indices[0];
  CHECK(ref[matched][0].mu_star == 0.0);  // funding: no effect on the families placed
  CHECK(ref[matched][1].mu_star == 0.0);
  CHECK(ref[matched][2].mu_star + ref[matched][3].mu_star > 0.0);  // the model's parameters: an effect
  CHECK(ref[cost][0].mu_star + ref[cost][1].mu_star > 0.0);
  CHECK(ref[cost][2].mu_star == 0.0);
  CHECK(ref[cost][3].mu_star == 0.0);
  // Rank probabilities: a probability distribution for each scenario.
  for (auto const& pr : a.p_rank) {
    double sum = 0;
    for (double p : pr) {
      sum += p;
    }
    CHECK(sum == Approx(1.0));
  }
  CHECK(a.pooled[0][0].lo <= a.pooled[0][0].mean);
  CHECK(a.pooled[0][0].mean <= a.pooled[0][0].hi);
}

TEST_CASE("sensitivity: a sweep split over ranks gives the single process's results",
          "[scenarios][sensitivity]") {
  auto const u = write("u2.json", R"({"replications": 3, "parameters": [
    {"name": "acceptance_rate", "distribution": "uniform", "low": 0.5, "high": 1, "justification": "test"},
    {"name": "demand_scale", "distribution": "triangular", "low": 1, "mode": 2, "high": 6, "justification": "test"}]})");
  scenarios::sweep_request r;
  r.u = scenarios::read_uncertainty(u);
  r.scenarios = {write("c.json", mini_scenario("c", "{}"))};
  r.method = sensitivity::method::sobol;
  r.samples = 16;
  r.progress = false;
  auto const one = scenarios::run_sweep(r);
  // Three "ranks" in one process: each runs its points, the gather reassembles them in point order.
  std::vector<std::vector<double>> parts(3);
  for (int rank = 0; rank < 3; ++rank) {
    scenarios::sweep_partition p;
    p.rank = rank;
    p.size = 3;
    p.gather = [&parts, rank](std::vector<double> const& mine, std::size_t points, std::size_t per_point) {
      parts[static_cast<std::size_t>(rank)] = mine;
      if (rank != 0) {
        return std::vector<double>{};
      }
      return std::vector<double>(points * per_point, 0.0);  // placeholder, replaced below
    };
    scenarios::run_sweep(r, p);
  }
  auto const per_point = parts[0].size() / ((one.sample().points() + 2) / 3);
  std::vector<double> all(one.sample().points() * per_point);
  for (std::size_t pt = 0; pt < one.sample().points(); ++pt) {
    auto const& src = parts[pt % 3];
    std::copy_n(src.begin() + static_cast<long>((pt / 3) * per_point), per_point,
                all.begin() + static_cast<long>(pt * per_point));
  }
  check_same_means(all, one);
}

TEST_CASE("sweep points balanced by cost: each world on one rank where the balance allows",
          "[scenarios][sensitivity]") {
  // Four worlds (synthesis seeds) of 10, 7, 5 and 2 points, a world's setup worth 5 points: the best
  // split of 44 is 22 and 22, {10, 2} against {7, 5}, no world built twice.
  std::vector<scenarios::sweep_point_cost> points;
  std::size_t const sizes[] = {10, 7, 5, 2};
  for (std::size_t pt = 0; pt < 24; ++pt) {
    // interleaved, as a design gives them
    std::size_t w = pt % 4;
    while (std::count_if(points.begin(), points.end(), [&](auto const& p) { return p.world == w; }) ==
           static_cast<long>(sizes[w])) {
      w = (w + 1) % 4;
    }
    points.push_back({w, pt % 3});
  }
  scenarios::sweep_cost_model const cost{5.0, 0.0, 1.0};
  auto const ranks = scenarios::balanced_points(points, cost, 2);
  REQUIRE(ranks.size() == 2);
  std::vector<int> seen(points.size(), 0);
  for (std::size_t r = 0; r < 2; ++r) {
    std::set<std::size_t> worlds;
    for (auto const pt : ranks[r]) {
      ++seen[pt];
      worlds.insert(points[pt].world);
    }
    double const load = static_cast<double>(ranks[r].size()) + 5.0 * static_cast<double>(worlds.size());
    CHECK(load == 22.0);
  }
  CHECK(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; }));
  CHECK(scenarios::balanced_points(points, cost, 2) == ranks);  // every rank computes the same
  // One world over three ranks: split into three nearly equal runs, points in cell order.
  std::vector<scenarios::sweep_point_cost> one(10);
  for (std::size_t i = 0; i < one.size(); ++i) {
    one[i] = {0, i % 2};
  }
  auto const three = scenarios::balanced_points(one, {0.0, 0.5, 1.0}, 3);
  REQUIRE(three.size() == 3);
  std::size_t total = 0;
  for (auto const& r : three) {
    CHECK(r.size() >= 3);
    CHECK(r.size() <= 4);
    total += r.size();
  }
  CHECK(total == one.size());
  // More ranks than points: the extra ranks run nothing.
  auto const many = scenarios::balanced_points(std::vector<scenarios::sweep_point_cost>(2), {}, 4);
  REQUIRE(many.size() == 4);
  CHECK(many[0].size() + many[1].size() + many[2].size() + many[3].size() == 2);
}

TEST_CASE("a sweep split by cost over ranks gives the single process's results", "[scenarios][sensitivity]") {
  auto const u = write("u3.json", R"({"replications": 3, "parameters": [
    {"name": "acceptance_rate", "distribution": "uniform", "low": 0.5, "high": 1, "justification": "test"},
    {"name": "tolerance_car_minutes", "distribution": "uniform", "low": 10, "high": 40, "justification": "test"}]})");
  scenarios::sweep_request r;
  r.u = scenarios::read_uncertainty(u);
  r.scenarios = {write("d.json", mini_scenario("d", "{}"))};
  r.trajectories = 4;
  r.progress = false;
  auto const one = scenarios::run_sweep(r);
  // Three "ranks" in one process: each hands its values and the points they belong to.
  std::vector<double> all;
  std::size_t gathered = 0;
  for (int rank = 0; rank < 3; ++rank) {
    scenarios::sweep_partition p;
    p.rank = rank;
    p.size = 3;
    p.gather_points = [&all, &gathered, rank](std::vector<double> const& mine,
                                              std::vector<std::size_t> const& ran, std::size_t points,
                                              std::size_t per_point) {
      all.resize(points * per_point);
      for (std::size_t i = 0; i < ran.size(); ++i) {
        std::copy_n(mine.begin() + static_cast<long>(i * per_point), per_point,
                    all.begin() + static_cast<long>(ran[i] * per_point));
      }
      gathered += ran.size();
      // rank 0 runs first here: its analysis is made of placeholders, the check is on `all`
      return rank == 0 ? std::vector<double>(points * per_point, 0.0) : std::vector<double>{};
    };
    scenarios::run_sweep(r, p);
  }
  REQUIRE(gathered == one.sample().points());
  check_same_means(all, one);
}
