#pragma once

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace avip {

/// splitmix64 finaliser: a good 64-bit mix, used to derive independent streams from keys.
constexpr std::uint64_t mix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27U)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31U);
}

/// A stream key from an entity's id (64-bit FNV-1a, then mixed): streams keyed by id, not by row,
/// give every family and facility the same draws when a file's rows are reordered.
constexpr std::uint64_t id_key(std::string_view id) {
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (char const c : id) {
    h = (h ^ static_cast<unsigned char>(c)) * 0x100000001B3ULL;
  }
  return mix64(h);
}

/// A small random stream keyed by (seed, k1, k2, ...): the same keys give the same draws on any thread,
/// so results never depend on scheduling. xoshiro-free on purpose: a keyed splitmix64 sequence is enough
/// for the few draws each entity needs, and costs nothing to create.
class random_stream {
 public:
  random_stream(std::uint64_t seed, std::initializer_list<std::uint64_t> keys) : state_{mix64(seed)} {
    for (auto k : keys) {
      state_ = mix64(state_ ^ mix64(k + 0x632BE59BD9B4E019ULL));
    }
  }
  std::uint64_t next() {
    state_ += 0x9E3779B97F4A7C15ULL;
    std::uint64_t z = state_;
    z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31U);
  }
  /// Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11U) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// Uniform integer in [0, n).
  std::uint64_t below(std::uint64_t n) {
    return n == 0 ? 0 : static_cast<std::uint64_t>(uniform() * static_cast<double>(n));
  }
  bool bernoulli(double p) { return uniform() < p; }

 private:
  std::uint64_t state_;
};

/// Number of successes of `n` Bernoulli(q) trials, by inversion of the binomial CDF with one uniform
/// draw (exact, cheap for the small n and q of the model; O(n q) steps).
/// `none` is P(no success) = (1 − q)^n, which a caller drawing often with one q may tabulate.
inline int binomial_by_inversion(random_stream& rs, int n, double q, double none) {
  if (n <= 0 || !(q > 0)) {
    return 0;
  }
  if (q >= 1) {
    return n;
  }
  double const u = rs.uniform();
  double const odds = q / (1 - q);
  double p = none;
  double cdf = p;
  int k = 0;
  while (u >= cdf && k < n) {
    p *= odds * (n - k) / (k + 1);
    ++k;
    cdf += p;
  }
  return k;
}

inline int binomial_by_inversion(random_stream& rs, int n, double q) {
  return binomial_by_inversion(rs, n, q, n > 0 && q > 0 && q < 1 ? std::pow(1 - q, n) : 0.0);
}

}  // namespace avip
