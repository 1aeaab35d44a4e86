#include "serve/run_queue.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <functional>
#include <sstream>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "scenarios/pipeline.hpp"
#include "scenarios/transit_pipeline.hpp"
#include "sim/comparison.hpp"
#include "sim/engine.hpp"
#include "sim/fca.hpp"
#include "sim/types.hpp"
#include "viz/run_outputs.hpp"

namespace avip::serve {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

json number_or_null(double v) {
  return std::isfinite(v) ? json(v) : json(nullptr);
}

json interval(sim::samples const& s) {
  if (s.values.empty()) {
    return nullptr;
  }
  return {{"mean", number_or_null(s.mean())}, {"lo", number_or_null(s.lo())}, {"hi", number_or_null(s.hi())}};
}

json headline(sim::run_results const& r) {
  double target = 0;
  std::size_t labelled = 0;
  for (auto const& f : r.facilities) {
    if (!f.target_met.values.empty()) {
      target += f.target_met.mean();
      ++labelled;
    }
  }
  return {{"replications", r.replications},
          {"seed", r.seed},
          {"referred", interval(r.island.referred)},
          {"matched", interval(r.island.matched)},
          {"priority_referred", interval(r.island.priority_referred)},
          {"priority_matched", interval(r.island.priority_matched)},
          {"coverage", interval(r.island.coverage)},
          {"priority_coverage", interval(r.island.priority_coverage)},
          {"unmet_unreachable", interval(r.island.unmet_unreachable)},
          {"unmet_hours", interval(r.island.unmet_hours)},
          {"unmet_not_allowed", interval(r.island.unmet_not_allowed)},
          {"unmet_full", interval(r.island.unmet_full)},
          {"labelled_eaje", labelled},
          {"labelled_eaje_reaching_target", target},
          {"cost_total", r.cost.total},
          {"baby_buses", r.cost.baby_buses}};
}

json delta_json(sim::scenario_delta const& d) {
  return {{"matched", interval(d.island.matched)},
          {"priority_matched", interval(d.island.priority_matched)},
          {"coverage", interval(d.island.coverage)},
          {"priority_coverage", interval(d.island.priority_coverage)},
          {"cost_delta", number_or_null(d.cost_delta)},
          {"cost_per_additional_priority_family", number_or_null(d.cost_per_additional_priority_family)}};
}

/// Files of a finished run that may be downloaded: its own level and the comparison's folder.
std::vector<std::string> list_files(fs::path const& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto const& e : fs::recursive_directory_iterator{dir, ec}) {
    auto const rel = e.path().lexically_relative(dir);
    if (e.is_regular_file() && rel.filename().string().front() != '.') {
      out.push_back(rel.generic_string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

struct run_queue::job {
  bool zones{false};
  std::string id;
  std::string name;
  std::string doc;
  std::string window;
  // Guarded by run_queue::mutex_.
  std::string state{"queued"};  ///< queued, running, done, failed, cancelled
  std::string phase{"En attente"};
  double progress{0.0};  ///< at the start of the step
  double step_to{0.0};   ///< at its end, reached when its replications are done
  // Replications simulated in the step, of step_total (0: a step with none), counted by the engine's
  // threads as each ends (not under the mutex: sim::run calls back from its worker threads).
  std::atomic<int> step_done{0};
  std::atomic<int> step_total{0};
  std::string error;
  std::vector<problem> problems;
  fs::path folder;
  std::shared_ptr<sim::run_results const> results;
  json summary;
  std::vector<std::string> files;
  double seconds{0.0};
  std::atomic<bool> cancel{false};
};

struct run_queue::base_run {
  std::optional<scenarios::prepared> prepared;
  std::map<std::pair<int, std::uint64_t>, std::shared_ptr<sim::run_results const>> results;
};

run_queue::run_queue(editor_session const& session, run_folder_factory folders, fs::path out,
                     std::size_t workers)
    : session_{session}, folders_{std::move(folders)}, out_{std::move(out)} {
  for (std::size_t i = 0; i < std::max<std::size_t>(1, workers); ++i) {
    workers_.emplace_back([this] { work(); });
  }
}

run_queue::~run_queue() {
  {
    std::lock_guard lock{mutex_};
    stopping_ = true;
    for (auto& j : jobs_) {
      j->cancel = true;
    }
    queue_.clear();
  }
  wake_.notify_all();
  for (auto& t : workers_) {
    t.join();
  }
}

std::string run_queue::next_id(std::string const& prefix) {
  for (;;) {
    auto id = fmt::format("{}-{:03d}", prefix, ++counter_);
    std::error_code ec;
    if (!fs::exists(out_ / id, ec)) {
      return id;
    }
  }
}

std::string run_queue::submit(std::string const& doc, draft_check const& checked) {
  auto j = std::make_shared<job>();
  j->doc = doc;
  j->name = checked.name;
  {
    std::lock_guard lock{mutex_};
    j->id = next_id("run");
    jobs_.push_back(j);
    queue_.push_back(j);
  }
  wake_.notify_one();
  return j->id;
}

std::size_t run_queue::waiting() const {
  std::lock_guard lock{mutex_};
  return static_cast<std::size_t>(
      std::count_if(queue_.begin(), queue_.end(), [](auto const& j) { return !j->zones; }));
}

bool run_queue::cancel(std::string const& id) {
  std::lock_guard lock{mutex_};
  for (auto& j : jobs_) {
    if (j->id == id) {
      j->cancel = true;
      if (j->state == "queued") {
        std::erase(queue_, j);
        j->state = "cancelled";
        j->phase = "Annulé";
      }
      return true;
    }
  }
  return false;
}

void run_queue::work() {
  for (;;) {
    std::shared_ptr<job> j;
    {
      std::unique_lock lock{mutex_};
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) {
        return;
      }
      j = queue_.front();
      queue_.pop_front();
      j->state = "running";
    }
    auto const start = std::chrono::steady_clock::now();
    std::string state = "done";
    std::string error;
    try {
      if (j->zones) {
        execute_zones(*j);
      } else {
        execute(*j);
      }
    } catch (sim::run_cancelled const&) {  // at a step's start or within a simulation
      state = "cancelled";
    } catch (std::exception const& e) {  // a run's failure is the run's, never the server's
      state = "failed";
      error = e.what();
    }
    std::lock_guard lock{mutex_};
    j->state = state;
    j->error = error;
    j->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    j->phase = state == "done" ? "Terminé" : state == "cancelled" ? "Annulé" : "Échec";
    if (state == "done") {
      j->progress = 1.0;
    }
  }
}

void run_queue::set_step(job& j, char const* phase, double progress, double to, int replications) {
  std::lock_guard lock{mutex_};
  j.phase = phase;
  j.progress = progress;
  j.step_to = to;
  j.step_done = 0;
  j.step_total = replications;
}

namespace {

/// The engine's progress callback of a job's step: counts the replications done (called back by the
/// engine's threads, so an atomic count rather than the queue's mutex).
std::function<void(int, int)> counter_of(std::atomic<int>& done) {
  return [&done](int, int) { done.fetch_add(1, std::memory_order_relaxed); };
}

}  // namespace

std::shared_ptr<sim::run_results const> run_queue::base_results(job& j, int replications, std::uint64_t seed,
                                                                std::string const& date) {
  auto step = [&](char const* phase, double progress, double to = 0.0, int simulated = 0) {
    set_step(j, phase, progress, to, simulated);
  };
  std::lock_guard lock{base_mutex_};  // one base per date, prepared and run once for the session
  auto& b = bases_[date];
  if (!b) {
    b = std::make_shared<base_run>();
  }
  if (auto const it = b->results.find({replications, seed}); it != b->results.end()) {
    return it->second;
  }
  if (!b->prepared) {
    step("Préparation du scénario de base", 0.1);
    b->prepared = scenarios::prepare(session_.base_file(), true, false, date);
  }
  if (j.cancel) {
    throw sim::run_cancelled{};
  }
  step("Simulation du scénario de base", 0.3, 0.55, replications);
  sim::run_options o;
  o.replications = replications;
  o.seed = seed;
  o.progress = false;
  o.on_progress = counter_of(j.step_done);
  o.cancel = &j.cancel;  // the job's cancel button stops the simulation within a month of a replication
  auto r = sim::run(b->prepared->world, b->prepared->spec.params, o);
  sim::fill_accessibility(b->prepared->world, b->prepared->spec.params, r);
  auto shared = std::make_shared<sim::run_results const>(std::move(r));
  b->results[{replications, seed}] = shared;
  return shared;
}

void run_queue::execute(job& j) {
  auto step = [&](char const* phase, double progress, double to = 0.0, int simulated = 0) {
    if (j.cancel) {
      throw sim::run_cancelled{};
    }
    set_step(j, phase, progress, to, simulated);
  };
  step("Préparation du scénario (territoire, temps de trajet)", 0.02);
  auto stage = folders_(out_ / j.id);
  auto const& dir = stage->create();
  {
    std::ofstream o{dir / "scenario.json", std::ios::binary};
    o << json::parse(j.doc).dump(2) << '\n';
  }
  auto const runnable = dir / "scenario-serveur.json";
  auto const checked = session_.check(j.doc, runnable);
  if (!checked.ok()) {
    std::lock_guard lock{mutex_};
    j.problems = checked.problems;
    throw avip::scenario_error{checked.problems.front().pointer + ": " + checked.problems.front().message};
  }
  auto const p = scenarios::prepare(runnable, true, false);
  int const reps = p.spec.replications;
  std::uint64_t const seed = p.spec.seed;
  step("Scénario de base (mêmes tirages)", 0.1);
  auto const base = base_results(j, reps, seed, p.spec.date);
  step("Simulation du scénario", 0.55, 0.9, reps);
  auto const start = std::chrono::steady_clock::now();
  scenarios::run_request request{reps, seed, 0, false};
  request.on_progress = counter_of(j.step_done);
  request.cancel = &j.cancel;
  auto res = std::make_shared<sim::run_results const>(scenarios::run_into(p, request, dir));
  double const secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  step("Comparaison avec la base", 0.9);
  std::shared_ptr<base_run> b;
  {
    std::lock_guard lock{base_mutex_};
    b = bases_[p.spec.date];
  }
  auto const& bp = *b->prepared;
  auto name = p.spec.name == bp.spec.name ? p.spec.name + " (2)" : p.spec.name;
  auto const c = sim::compare({bp.spec.name, name}, {base.get(), res.get()});
  std::vector<viz::compared_scenario> meta(2);
  meta[0].meta = scenarios::run_metadata_of(bp, {}, reps, seed, 0.0);
  meta[0].world = &bp.world;
  meta[0].params = bp.spec.params;
  meta[1].meta = scenarios::run_metadata_of(p, {}, reps, seed, secs);
  meta[1].meta.scenario_name = name;
  meta[1].world = &p.world;
  meta[1].params = p.spec.params;
  fs::create_directories(dir / "comparaison");
  viz::write_comparison_outputs(dir / "comparaison", bp.territory, meta, c);
  json summary = {{"name", p.spec.name},
                  {"base_name", bp.spec.name},
                  {"headline", headline(*res)},
                  {"base", headline(*base)},
                  {"delta", delta_json(c.deltas[1])}};
  if (j.cancel) {
    throw sim::run_cancelled{};
  }
  stage->commit();
  auto const folder = out_ / j.id;
  auto files = list_files(folder);
  std::lock_guard lock{mutex_};
  j.folder = folder;
  j.results = res;
  j.summary = std::move(summary);
  j.files = std::move(files);
}

void run_queue::execute_zones(job& j) {
  auto const folder = out_ / ("zones-" + j.window);
  auto const file = folder / ("zones_bus_" + j.window + ".geojson");
  {
    std::lock_guard lock{mutex_};
    j.phase = "Zones accessibles en bus";
    j.progress = 0.1;
  }
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) {
    scenarios::transit_config c;
    c.territory = session_.base().spec.territory.string();
    c.window = scenarios::window_named(j.window, "window");
    c.tolerance = session_.base().spec.params.tolerance_minutes[1];  // bus
    c.zones = true;
    c.progress = false;
    auto stage = folders_(folder);
    std::ostringstream log;
    scenarios::run_transit(
        c, [&] { return stage->create(); }, log);
    stage->commit();
  }
  std::lock_guard lock{mutex_};
  j.folder = file;
}

std::optional<fs::path> run_queue::zones(std::string const& window, std::string& state) {
  std::shared_ptr<job> j;
  {
    std::lock_guard lock{mutex_};
    auto& slot = zones_[window];
    if (!slot || slot->state == "failed" || slot->state == "cancelled") {
      if (slot && slot->state == "failed" && state != "retry") {
        state = "failed: " + slot->error;
        return std::nullopt;
      }
      slot = std::make_shared<job>();
      slot->zones = true;
      slot->window = window;
      slot->id = "zones-" + window;
      queue_.push_back(slot);
      wake_.notify_one();
    }
    j = slot;
    state = j->state;
    if (j->state == "done") {
      return j->folder;
    }
  }
  return std::nullopt;
}

namespace {

json job_json(auto const& j) {
  double progress = j.progress;
  if (int const total = j.step_total; j.state == "running" && total > 0 && j.step_to > progress) {
    progress += (j.step_to - progress) * std::min(1.0, static_cast<double>(j.step_done.load()) / total);
  }
  json out = {{"id", j.id},       {"name", j.name},       {"state", j.state},
              {"phase", j.phase}, {"progress", progress}, {"seconds", j.seconds}};
  if (!j.error.empty()) {
    out["error"] = j.error;
  }
  if (!j.problems.empty()) {
    json p = json::array();
    for (auto const& x : j.problems) {
      p.push_back({{"pointer", x.pointer}, {"message", x.message}});
    }
    out["problems"] = p;
  }
  if (j.state == "done") {
    out["summary"] = j.summary;
    out["files"] = j.files;
  }
  return out;
}

}  // namespace

std::string run_queue::list_json() const {
  std::lock_guard lock{mutex_};
  json out = json::array();
  for (auto const& j : jobs_) {
    out.push_back(job_json(*j));
  }
  return out.dump();
}

std::optional<std::string> run_queue::run_json(std::string const& id) const {
  std::lock_guard lock{mutex_};
  for (auto const& j : jobs_) {
    if (j->id == id) {
      auto out = job_json(*j);
      if (j->state == "done") {
        out["scenario"] = json::parse(j->doc);
      }
      return out.dump();
    }
  }
  return std::nullopt;
}

std::optional<fs::path> run_queue::folder(std::string const& id) const {
  std::lock_guard lock{mutex_};
  for (auto const& j : jobs_) {
    if (j->id == id && j->state == "done") {
      return j->folder;
    }
  }
  return std::nullopt;
}

std::string run_queue::compare_json(std::string const& a, std::string const& b) const {
  std::shared_ptr<job> ja;
  std::shared_ptr<job> jb;
  {
    std::lock_guard lock{mutex_};
    for (auto const& j : jobs_) {
      if (j->state == "done") {
        ja = j->id == a ? j : ja;
        jb = j->id == b ? j : jb;
      }
    }
  }
  if (!ja || !jb) {
    throw usage_error{fmt::format("no finished run {}", !ja ? a : b)};
  }
  if (ja->results->replications != jb->results->replications || ja->results->seed != jb->results->seed) {
    throw usage_error{fmt::format(
        "{} ({} replications, seed {}) and {} ({} replications, seed {}) do not share their draws: compare "
        "runs of the same replications and seed",
        a, ja->results->replications, ja->results->seed, b, jb->results->replications, jb->results->seed)};
  }
  try {
    auto const c = sim::compare({a, b}, {ja->results.get(), jb->results.get()});
    return json{{"a", a}, {"b", b}, {"delta", delta_json(c.deltas[1])}}.dump();
  } catch (avip::error const& e) {
    throw usage_error{e.what()};
  }
}

}  // namespace avip::serve
