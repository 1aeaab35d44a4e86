#include "sensitivity/design.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <boost/random/sobol.hpp>

#include "core/random.hpp"

namespace avip::sensitivity {

morris_design morris_trajectories(std::size_t factors, std::size_t trajectories, int levels,
                                  std::uint64_t seed) {
  morris_design d;
  d.factors = factors;
  d.levels = levels;
  d.trajectories = trajectories;
  d.delta = levels / (2.0 * (levels - 1));
  std::size_t const rows = factors + 1;
  d.u.assign(trajectories * rows * factors, 0.0);
  // Start levels x* ∈ {0, 1/(p−1), …} with x* + Δ ≤ 1.
  auto const starts = static_cast<std::uint64_t>(levels / 2);
  for (std::size_t t = 0; t < trajectories; ++t) {
    random_stream r{seed, {0x4D0441, t}};
    std::vector<std::size_t> order(factors);  // order[j]: the step at which factor j moves
    std::iota(order.begin(), order.end(), std::size_t{0});
    for (std::size_t j = factors; j > 1; --j) {
      std::swap(order[j - 1], order[r.below(j)]);
    }
    for (std::size_t j = 0; j < factors; ++j) {
      double const start = static_cast<double>(r.below(starts)) / (levels - 1);
      bool const up = r.bernoulli(0.5);
      for (std::size_t i = 0; i < rows; ++i) {
        bool const moved = i > order[j];
        // B* = J x* + Δ/2 ((2B − J) D* + J) P*: x* before the move and x* + Δ after when going up,
        // the reverse when going down.
        d.u[(t * rows + i) * factors + j] = start + ((moved == up) ? d.delta : 0.0);
      }
    }
  }
  return d;
}

saltelli_design saltelli_sobol(std::size_t factors, std::size_t base) {
  saltelli_design d;
  d.factors = factors;
  d.base = base;
  boost::random::sobol qrng(static_cast<unsigned>(2 * factors));
  std::vector<double> ab(2 * factors);
  std::size_t const step = factors + 2;
  d.u.assign(base * step * factors, 0.0);
  auto row = [&](std::size_t j, std::size_t r) {
    return d.u.begin() + static_cast<long>((j * step + r) * factors);
  };
  for (std::size_t j = 0; j < base; ++j) {
    for (auto& x : ab) {
      x = std::ldexp(static_cast<double>(qrng()), -64);
    }
    auto const a = ab.begin();
    auto const b = ab.begin() + static_cast<long>(factors);
    std::copy(a, b, row(j, 0));
    for (std::size_t i = 0; i < factors; ++i) {
      std::copy(a, b, row(j, 1 + i));
      *(row(j, 1 + i) + static_cast<long>(i)) = *(b + static_cast<long>(i));
    }
    std::copy(b, ab.end(), row(j, factors + 1));
  }
  return d;
}

}  // namespace avip::sensitivity
