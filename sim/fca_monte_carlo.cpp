#include "sim/fca_monte_carlo.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <random>

#include <fmt/format.h>
#include <tbb/parallel_for.h>
#include <boost/random/binomial_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>

#include "core/error.hpp"
#include "core/random.hpp"

namespace avip::sim {

namespace {

constexpr std::size_t batch = 8;  // replicates sharing one pass over the pair list

/// random_stream as a standard uniform random bit generator, for the rare large draws.
struct bits {
  using result_type = std::uint64_t;
  random_stream& s;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
  result_type operator()() { return s.next(); }
};

/// Poisson(mean) by inversion (sequential search) below 50, Boost.Random's PTRD draw above. Not the
/// standard library's: libstdc++ sets up its Poisson and binomial draws with `lgamma`, which writes the
/// global `signgam`, a data race between threads (ThreadSanitizer, scripts/sanitize tsan).
int poisson(random_stream& rs, double mean) {
  if (!(mean > 0)) {
    return 0;
  }
  if (mean >= 50) {
    bits b{rs};
    return boost::random::poisson_distribution<int>{mean}(b);
  }
  double const u = rs.uniform();
  double p = std::exp(-mean);
  double cdf = p;
  int k = 0;
  while (u >= cdf && k < 1000) {
    ++k;
    p *= mean / k;
    cdf += p;
  }
  return k;
}

/// Binomial(n, share) by inversion below n = 200, Boost.Random's BTRD draw above (see `poisson`).
int binomial(random_stream& rs, int n, double share) {
  if (n <= 0 || !(share > 0)) {
    return 0;
  }
  if (share >= 1) {
    return n;
  }
  if (n >= 200) {
    bits b{rs};
    return boost::random::binomial_distribution<int>{n, share}(b);
  }
  return binomial_by_inversion(rs, n, share);
}

/// 1 / Σ_k W_ik S_k of each demand point: the step-2 allocation of its children over the facilities in its
/// catchment is W_ij S_j / Σ_k W_ik S_k (0 when no place is in reach). The weight of pair k is `weight(k)`.
template <typename Weight>
std::vector<double> allocation_scale(std::vector<double> const& places, fca_pairs const& pairs,
                                     Weight weight) {
  std::vector<double> scale(pairs.demand_count(), 0.0);
  tbb::parallel_for(tbb::blocked_range<std::size_t>{0, scale.size(), 512}, [&](auto const& r) {
    for (auto i = r.begin(); i != r.end(); ++i) {
      double places_in_reach = 0;
      for (auto k = pairs.offsets[i]; k < pairs.offsets[i + 1]; ++k) {
        places_in_reach += weight(k) * places[pairs.supply[k]];
      }
      scale[i] = places_in_reach > 0 ? 1.0 / places_in_reach : 0.0;
    }
  });
  return scale;
}

/// A facility's AVIP children from its allocated children of parents in insertion: at most its places at one
/// time, times the yearly turnover.
double avip_children(double allocated, double places, double yearly_turnover) {
  return std::min(allocated, places) * yearly_turnover;
}

/// What one batch of replicates contributes.
struct batch_result {
  std::vector<double> access_sum, access_sq;                     // per demand point
  std::vector<double> zone_sum, zone_seen;                       // per facility: the catchment's share
  std::vector<double> avip_children_sum, avip_share_sum, reach;  // per facility: the label's measure
  std::vector<std::array<double, 5>> per_replicate;              // the five replicate-level indicators
};

batch_result run_batch(fca_mc_input const& in, fca_pairs const& pairs, std::vector<double> const& scale,
                       fca_mc_options const& o, std::size_t first, std::size_t count) {
  std::size_t const n = in.children.size();
  std::size_t const m = in.places.size();
  // Draws: children D and priority children P, replicate-minor so that a pair's pass touches one line.
  std::vector<double> d(n * batch, 0.0);
  std::vector<double> pr(n * batch, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t b = 0; b < count; ++b) {
      random_stream rs{o.seed, {first + b, i}};
      int const children = poisson(rs, in.children[i]);
      d[i * batch + b] = children;
      pr[i * batch + b] = binomial(rs, children, in.priority_share[i]);
    }
  }
  // Step 1: weighted children and weighted priority children of each facility, and the priority children
  // allocated to it as step 2 spreads them (Σ_i P_i W_ij / Σ_k W_ik S_k; × S_j below).
  std::vector<double> wd(m * batch, 0.0);
  std::vector<double> wp(m * batch, 0.0);
  std::vector<double> wa(m * batch, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    double const* di = &d[i * batch];
    double const* pi = &pr[i * batch];
    double const si = scale[i];
    for (auto k = pairs.offsets[i]; k < pairs.offsets[i + 1]; ++k) {
      double const w = pairs.weight[k];
      double const ws = w * si;
      double* wdj = &wd[pairs.supply[k] * batch];
      double* wpj = &wp[pairs.supply[k] * batch];
      double* waj = &wa[pairs.supply[k] * batch];
      for (std::size_t b = 0; b < batch; ++b) {
        wdj[b] += di[b] * w;
        wpj[b] += pi[b] * w;
        waj[b] += pi[b] * ws;
      }
    }
  }
  batch_result out;
  out.zone_sum.assign(m, 0.0);
  out.zone_seen.assign(m, 0.0);
  out.avip_children_sum.assign(m, 0.0);
  out.avip_share_sum.assign(m, 0.0);
  out.reach.assign(m, 0.0);
  std::vector<double> ratio(m * batch, 0.0);
  std::vector<double> labelled_with_places(batch, 0.0);
  std::vector<double> labelled_reaching(batch, 0.0);
  for (std::size_t j = 0; j < m; ++j) {
    double const places = in.places[j];
    for (std::size_t b = 0; b < count; ++b) {
      double const wdj = wd[j * batch + b];
      ratio[j * batch + b] = wdj > 0 ? places / wdj : 0.0;
      if (wdj > 0) {
        out.zone_sum[j] += wp[j * batch + b] / wdj;
        out.zone_seen[j] += 1;
      }
      if (places > 0) {
        double const children = avip_children(wa[j * batch + b] * places, places, o.yearly_turnover);
        double const share = children / places;
        bool const reaches = share >= o.target_share;
        out.avip_children_sum[j] += children;
        out.avip_share_sum[j] += share;
        out.reach[j] += reaches ? 1.0 : 0.0;
        if (in.labelled[j] != 0) {
          labelled_with_places[b] += 1;
          labelled_reaching[b] += reaches ? 1.0 : 0.0;
        }
      }
    }
  }
  // Step 2: access of each demand point, and the QPV breakdown.
  out.access_sum.assign(n, 0.0);
  out.access_sq.assign(n, 0.0);
  std::array<std::array<double, batch>, 8> acc{};  // num/den: qpv, outside, priority qpv, priority outside
  std::array<double, batch> a{};
  for (std::size_t i = 0; i < n; ++i) {
    a.fill(0.0);
    for (auto k = pairs.offsets[i]; k < pairs.offsets[i + 1]; ++k) {
      double const w = pairs.weight[k];
      double const* r = &ratio[pairs.supply[k] * batch];
      for (std::size_t b = 0; b < batch; ++b) {
        a[b] += r[b] * w;
      }
    }
    std::size_t const q = in.in_qpv[i] != 0 ? 0 : 2;
    for (std::size_t b = 0; b < count; ++b) {
      out.access_sum[i] += a[b];
      out.access_sq[i] += a[b] * a[b];
      acc[q][b] += a[b] * d[i * batch + b];
      acc[q + 1][b] += d[i * batch + b];
      acc[q + 4][b] += a[b] * pr[i * batch + b];
      acc[q + 5][b] += pr[i * batch + b];
    }
  }
  auto ratio_of = [](double num, double den) {
    return den > 0 ? num / den : std::numeric_limits<double>::quiet_NaN();
  };
  for (std::size_t b = 0; b < count; ++b) {
    out.per_replicate.push_back({ratio_of(acc[0][b], acc[1][b]), ratio_of(acc[2][b], acc[3][b]),
                                 ratio_of(acc[4][b], acc[5][b]), ratio_of(acc[6][b], acc[7][b]),
                                 ratio_of(labelled_reaching[b], labelled_with_places[b])});
  }
  return out;
}

mc_summary summarise(std::vector<double> values) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return std::isnan(v); }),
               values.end());
  if (values.empty()) {
    double const nan = std::numeric_limits<double>::quiet_NaN();
    return {nan, nan, nan};
  }
  std::sort(values.begin(), values.end());
  double sum = 0;
  for (double v : values) {
    sum += v;
  }
  auto at = [&](double q) {
    return values[static_cast<std::size_t>(std::floor(q * static_cast<double>(values.size() - 1) + 0.5))];
  };
  return {sum / static_cast<double>(values.size()), at(0.05), at(0.95)};
}

}  // namespace

std::vector<double> expected_avip_children(std::vector<double> const& priority_children,
                                           std::vector<double> const& places, fca_pairs const& pairs,
                                           double yearly_turnover) {
  if (pairs.demand_count() != priority_children.size() || !(yearly_turnover >= 1.0) ||
      !std::isfinite(yearly_turnover)) {
    throw data_error{
        fmt::format("expected AVIP children: {} demand values for {} demand points of the pair "
                    "list, yearly turnover {} (one value per point and a turnover ≥ 1 needed)",
                    priority_children.size(), pairs.demand_count(), yearly_turnover)};
  }
  auto const weight = [&](std::uint32_t k) { return pairs.weight.empty() ? 1.0 : pairs.weight[k]; };
  auto const scale = allocation_scale(places, pairs, weight);
  std::vector<double> allocated(places.size(), 0.0);
  for (std::size_t i = 0; i < pairs.demand_count(); ++i) {
    for (auto k = pairs.offsets[i]; k < pairs.offsets[i + 1]; ++k) {
      allocated[pairs.supply[k]] += priority_children[i] * (weight(k) * scale[i]);  // as the batches
    }
  }
  for (std::size_t j = 0; j < places.size(); ++j) {
    allocated[j] = avip_children(allocated[j] * places[j], places[j], yearly_turnover);
  }
  return allocated;
}

fca_mc_results fca_monte_carlo(fca_mc_input const& in, fca_pairs const& pairs, fca_mc_options const& o) {
  if (pairs.weight.empty() && pairs.size() > 0) {  // all weights 1: store them for the batched passes
    auto with_weights = pairs;
    set_weights(with_weights, decay::none());
    return fca_monte_carlo(in, with_weights, o);
  }
  std::size_t const n = in.children.size();
  std::size_t const m = in.places.size();
  if (o.replications < 1 || pairs.demand_count() != n || in.priority_share.size() != n ||
      in.in_qpv.size() != n || in.labelled.size() != m) {
    throw data_error{
        fmt::format("Monte Carlo: {} replications over {} demand points and {} facilities: "
                    "at least one replication and one value per point and facility are needed",
                    o.replications, n, m)};
  }
  if (!(o.yearly_turnover >= 1.0) || !std::isfinite(o.yearly_turnover)) {
    throw data_error{
        fmt::format("Monte Carlo: yearly turnover {}: children welcomed in a year per place "
                    "held at one time, at least 1 (1: none)",
                    o.yearly_turnover)};
  }
  auto const scale =
      allocation_scale(in.places, pairs, [&w = pairs.weight](std::uint32_t k) { return w[k]; });
  auto const reps = static_cast<std::size_t>(o.replications);
  std::size_t const batches = (reps + batch - 1) / batch;
  std::size_t const group = 16;  // batches in flight at once, reduced in order: bounded memory
  fca_mc_results r;
  r.replications = o.replications;
  r.labelled_count = static_cast<std::size_t>(std::count(in.labelled.begin(), in.labelled.end(), 1));
  r.access_mean.assign(n, 0.0);
  r.access_sd.assign(n, 0.0);
  std::vector<double> zone_sum(m, 0.0);
  std::vector<double> zone_seen(m, 0.0);
  r.avip_children_mean.assign(m, 0.0);
  r.avip_share_mean.assign(m, 0.0);
  r.avip_share_reaching.assign(m, 0.0);
  std::array<std::vector<double>, 5> per_replicate;
  for (std::size_t g = 0; g < batches; g += group) {
    std::size_t const in_group = std::min(group, batches - g);
    std::vector<batch_result> results(in_group);
    tbb::parallel_for(std::size_t{0}, in_group, [&](std::size_t k) {
      std::size_t const first = (g + k) * batch;
      results[k] = run_batch(in, pairs, scale, o, first, std::min(batch, reps - first));
      if (o.bar != nullptr) {
        o.bar->advance(std::min(batch, reps - first));
      }
    });
    for (auto const& b : results) {
      for (std::size_t i = 0; i < n; ++i) {
        r.access_mean[i] += b.access_sum[i];
        r.access_sd[i] += b.access_sq[i];
      }
      for (std::size_t j = 0; j < m; ++j) {
        zone_sum[j] += b.zone_sum[j];
        zone_seen[j] += b.zone_seen[j];
        r.avip_children_mean[j] += b.avip_children_sum[j];
        r.avip_share_mean[j] += b.avip_share_sum[j];
        r.avip_share_reaching[j] += b.reach[j];
      }
      for (auto const& v : b.per_replicate) {
        for (std::size_t x = 0; x < v.size(); ++x) {
          per_replicate[x].push_back(v[x]);
        }
      }
    }
  }
  auto const count = static_cast<double>(reps);
  for (std::size_t i = 0; i < n; ++i) {
    double const mean = r.access_mean[i] / count;
    r.access_mean[i] = mean;
    r.access_sd[i] = std::sqrt(std::max(0.0, r.access_sd[i] / count - mean * mean));
  }
  double const nan = std::numeric_limits<double>::quiet_NaN();
  r.zone_priority_share_mean.resize(m);
  for (std::size_t j = 0; j < m; ++j) {
    r.zone_priority_share_mean[j] = zone_seen[j] > 0 ? zone_sum[j] / zone_seen[j] : nan;
    bool const has_places = in.places[j] > 0;
    r.avip_children_mean[j] /= count;  // 0 without places
    r.avip_share_mean[j] = has_places ? r.avip_share_mean[j] / count : nan;
    r.avip_share_reaching[j] = has_places ? r.avip_share_reaching[j] / count : nan;
  }
  r.access_qpv = summarise(per_replicate[0]);
  r.access_outside = summarise(per_replicate[1]);
  r.priority_access_qpv = summarise(per_replicate[2]);
  r.priority_access_outside = summarise(per_replicate[3]);
  r.labelled_reaching = summarise(per_replicate[4]);
  return r;
}

}  // namespace avip::sim
