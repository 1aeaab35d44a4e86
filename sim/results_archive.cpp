#include "sim/results_archive.hpp"

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "core/error.hpp"

namespace avip::sim {

namespace {

/// Writes fields in declaration order.
struct writer {
  std::string out;
  template <typename T>
  void pod(T const& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    out.append(reinterpret_cast<char const*>(&v), sizeof v);
  }
  template <typename T>
  void pod_vector(std::vector<T> const& v) {
    pod(static_cast<std::uint64_t>(v.size()));
    out.append(reinterpret_cast<char const*>(v.data()), v.size() * sizeof(T));
  }
  void text(std::string const& s) {
    pod(static_cast<std::uint64_t>(s.size()));
    out += s;
  }
};

/// Reads them back in the same order.
struct reader {
  std::string const& in;
  std::size_t pos{0};
  void take(void* to, std::size_t n) {
    if (n > in.size() - pos) {
      throw error{"results archive: cut short"};
    }
    if (n > 0) {  // an empty vector's data() may be null, which memcpy must not get
      std::memcpy(to, in.data() + pos, n);
      pos += n;
    }
  }
  template <typename T>
  void pod(T& v) {
    take(&v, sizeof v);
  }
  std::size_t size() {
    std::uint64_t n = 0;
    pod(n);
    if (n > in.size() - pos) {  // every element takes at least one byte
      throw error{"results archive: cut short"};
    }
    return static_cast<std::size_t>(n);
  }
  template <typename T>
  void pod_vector(std::vector<T>& v) {
    v.resize(size());
    if (v.size() * sizeof(T) > in.size() - pos) {
      throw error{"results archive: cut short"};
    }
    take(v.data(), v.size() * sizeof(T));
  }
  void text(std::string& s) {
    s.resize(size());
    take(s.data(), s.size());
  }
};

// One function per results type, the same for writing and reading (A is writer or reader; R is the
// type, const for the writer).
template <typename A, typename S>
void io(A& a, S& s) {
  a.pod_vector(s.values);
}

template <typename A, typename G>
void group(A& a, G& g) {
  for (auto* s : {&g.referred, &g.matched, &g.priority_referred, &g.priority_matched, &g.coverage,
                  &g.priority_coverage, &g.unmet_unreachable, &g.unmet_hours, &g.unmet_not_allowed,
                  &g.unmet_full, &g.censored, &g.matched_partial, &g.children_placed, &g.mean_wait_weeks}) {
    io(a, *s);
  }
}

template <typename A, typename V, typename F>
void each(A& a, V& v, F&& f) {
  if constexpr (std::is_same_v<A, reader>) {
    v.resize(a.size());
  } else {
    a.pod(static_cast<std::uint64_t>(v.size()));
  }
  for (auto& x : v) {
    f(x);
  }
}

template <typename A, typename R>
void results(A& a, R& r) {
  a.pod(r.replications);
  a.pod(r.seed);
  a.pod(r.horizon_months);
  for (auto* g : {&r.island, &r.qpv, &r.non_qpv, &r.single_parent, &r.other_parent, &r.by_france_travail,
                  &r.by_caf, &r.by_mission_locale}) {
    group(a, *g);
  }
  each(a, r.communes, [&](auto& c) {
    group(a, c.demand);
    a.pod(c.places);
    a.pod(c.taux_couverture);
    a.pod(c.accessibility);
  });
  each(a, r.sectors, [&](auto& s) { group(a, s); });
  each(a, r.facilities, [&](auto& f) {
    for (auto* s : {&f.avip_children, &f.avip_share, &f.target_met, &f.l214_available, &f.l214_requests,
                    &f.occupancy_end}) {
      io(a, *s);
    }
  });
  each(a, r.networks, [&](auto& n) {
    a.text(n.id);
    a.pod(n.assmat_network);
    a.pod(n.members);
    a.pod(n.places);
    for (auto* s : {&n.avip_children, &n.ratio, &n.members_met_share, &n.target_met}) {
      io(a, *s);
    }
  });
  a.pod_vector(r.cells);
  for (auto* s :
       {&r.equity.qpv_gap, &r.equity.single_parent_gap, &r.equity.gini_communes, &r.equity.palma_income}) {
    io(a, *s);
  }
  a.pod(r.equity.palma_undefined);
  a.pod(r.cost);
  auto& v = r.validation;
  a.pod(v.evaluated_structures);
  for (auto* s : {&v.parents, &v.children, &v.single_parents, &v.parents_under_26, &v.parents_qpv,
                  &v.children_under_12_months, &v.children_12_35_months, &v.share_france_travail,
                  &v.share_caf, &v.exits, &v.exit_share_seeking, &v.exit_share_permanent_job,
                  &v.exit_share_school, &v.exits_unplanned, &v.referrals}) {
    io(a, *s);
  }
  a.pod_vector(v.labelled_shares);
  io(a, r.bound_value);
  io(a, r.policy_value);
}

}  // namespace

std::string encode_results(run_results const& r) {
  writer w;
  auto& rr = const_cast<run_results&>(r);  // the writer only reads
  results(w, rr);
  return std::move(w.out);
}

run_results decode_results(std::string const& bytes) {
  reader rd{bytes};
  run_results r;
  results(rd, r);
  return r;
}

}  // namespace avip::sim
