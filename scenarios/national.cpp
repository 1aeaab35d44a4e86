#include "scenarios/national.hpp"

#include <chrono>
#include <cstdint>
#include <cstring>
#include <ctime>

#include <fmt/format.h>

#include "core/error.hpp"
#include "sim/results.hpp"

namespace avip::scenarios {

namespace fs = std::filesystem;

namespace {

/// Each national indicator's per-replication values in a run (the shares are derived on merging).
std::vector<sim::samples> values_of(sim::run_results const& r) {
  auto const reps = static_cast<std::size_t>(r.replications);
  auto const& g = r.island;
  sim::samples target;
  target.values.assign(reps, 0.0);
  for (auto const& f : r.facilities) {
    for (std::size_t i = 0; i < f.target_met.values.size() && i < reps; ++i) {
      target.values[i] += f.target_met.values[i];
    }
  }
  sim::samples cost;
  cost.values.assign(reps, r.cost.total);
  return {g.referred,          g.matched,     g.priority_referred,
          g.priority_matched,  g.coverage,    g.priority_coverage,
          g.unmet_unreachable, g.unmet_hours, g.unmet_not_allowed,
          g.unmet_full,        target,        cost};
}

/// Bytes, for the MPI gather: exact doubles, length-prefixed strings.
struct packer {
  std::string out;
  template <typename T>
  void pod(T v) {
    out.append(reinterpret_cast<char const*>(&v), sizeof v);
  }
  void text(std::string const& s) {
    pod(static_cast<std::uint64_t>(s.size()));
    out += s;
  }
};

struct unpacker {
  std::string const& in;
  std::size_t pos{0};
  template <typename T>
  T pod() {
    if (sizeof(T) > in.size() - pos) {
      throw error{"national summary: a rank's results are cut short"};
    }
    T v;
    std::memcpy(&v, in.data() + pos, sizeof v);
    pos += sizeof v;
    return v;
  }
  std::string text() {
    auto const n = static_cast<std::size_t>(pod<std::uint64_t>());
    if (n > in.size() - pos) {
      throw error{"national summary: a rank's results are cut short"};
    }
    auto s = in.substr(pos, n);
    pos += n;
    return s;
  }
};

std::string encode(viz::territory_summary const& t) {
  packer p;
  for (auto const* s : {&t.territory, &t.scenario, &t.scenario_file, &t.folder}) {
    p.text(*s);
  }
  p.pod(static_cast<std::uint64_t>(t.line));
  p.pod(t.replications);
  p.pod(t.seed);
  p.pod(t.seconds);
  p.pod(t.cpu_seconds);
  p.pod(static_cast<std::uint64_t>(t.values.size()));
  for (auto const& v : t.values) {
    p.pod(static_cast<std::uint64_t>(v.values.size()));
    for (double x : v.values) {
      p.pod(x);
    }
  }
  return std::move(p.out);
}

viz::territory_summary decode(std::string const& bytes) {
  unpacker u{bytes};
  viz::territory_summary t;
  for (auto* s : {&t.territory, &t.scenario, &t.scenario_file, &t.folder}) {
    *s = u.text();
  }
  t.line = static_cast<std::size_t>(u.pod<std::uint64_t>());
  t.replications = u.pod<int>();
  t.seed = u.pod<std::uint64_t>();
  t.seconds = u.pod<double>();
  t.cpu_seconds = u.pod<double>();
  t.values.resize(static_cast<std::size_t>(u.pod<std::uint64_t>()));
  for (auto& v : t.values) {
    v.values.resize(static_cast<std::size_t>(u.pod<std::uint64_t>()));
    for (auto& x : v.values) {
      x = u.pod<double>();
    }
  }
  return t;
}

double cpu_now() {
  return static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
}

}  // namespace

viz::national_summary run_territories(fs::path const& list, std::vector<territory_entry> const& entries,
                                      run_request const& request, fs::path const& dir,
                                      sweep_partition const& partition) {
  auto const start = std::chrono::steady_clock::now();
  std::vector<std::string> mine;
  for (auto const i : partition.mine(entries.size())) {
    auto const& e = entries[i];
    auto const wall0 = std::chrono::steady_clock::now();
    double const cpu0 = cpu_now();
    viz::territory_summary t;
    try {
      auto const p = prepare(e.scenario, true, request.progress, request.date);
      fs::create_directories(dir / e.folder);
      auto const r = run_into(p, request, dir / e.folder);
      t.territory = p.territory.name;
      t.scenario = p.spec.name;
      t.replications = r.replications;
      t.seed = r.seed;
      t.values = values_of(r);
    } catch (error const& ex) {
      throw scenario_error{fmt::format("{}:{}: {}", list.string(), e.line, ex.what())};
    }
    t.scenario_file = e.scenario.string();
    t.folder = e.folder;
    t.line = e.line;
    t.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    t.cpu_seconds = cpu_now() - cpu0;
    mine.push_back(encode(t));
  }
  auto const all = partition.gather_items(mine, entries.size());
  viz::national_summary s;
  s.list_file = list.string();
  s.ranks = partition.size;
  if (partition.rank != 0) {
    return s;
  }
  for (auto const& bytes : all) {
    s.territories.push_back(decode(bytes));
  }
  viz::total_national(s);
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  viz::write_national_outputs(dir, s);
  return s;
}

}  // namespace avip::scenarios
