#include "synth/sampling.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numeric>
#include <utility>

#include "core/error.hpp"

namespace avip::synth {

std::vector<int> apportion(int total, std::vector<double> const& weights, int minimum) {
  std::vector<int> out(weights.size(), minimum);
  int left = total - minimum * static_cast<int>(weights.size());
  double const sum = std::accumulate(weights.begin(), weights.end(), 0.0);
  if (left <= 0 || sum <= 0) {
    return out;
  }
  std::vector<std::pair<double, std::size_t>> rem;
  int given = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    double const exact = left * weights[i] / sum;
    out[i] += static_cast<int>(std::floor(exact));
    given += static_cast<int>(std::floor(exact));
    rem.emplace_back(exact - std::floor(exact), i);
  }
  std::sort(rem.begin(), rem.end(),
            [](auto a, auto b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  for (int k = 0; k < left - given; ++k) {
    out[rem[static_cast<std::size_t>(k) % rem.size()].second] += 1;
  }
  return out;
}

cell_sampler::cell_sampler(sim::world const& w, std::vector<double> const& weight) {
  cells.resize(w.communes.size());
  cumulative.resize(w.communes.size());
  for (std::size_t i = 0; i < w.grid.size(); ++i) {
    auto const c = w.grid.commune[sim::cell_idx::from(i)];
    if (!c.valid() || weight[i] <= 0) {
      continue;
    }
    cells[c.index()].push_back(static_cast<std::uint32_t>(i));
    double const prev = cumulative[c.index()].empty() ? 0.0 : cumulative[c.index()].back();
    cumulative[c.index()].push_back(prev + weight[i]);
  }
}

std::uint32_t cell_sampler::draw(std::size_t commune, random_stream& rng) const {
  auto const& cum = cumulative[commune];
  if (cum.empty()) {
    throw data_error{"synthesis: a commune has no populated cell"};
  }
  auto const u = rng.uniform() * cum.back();
  auto const it = std::upper_bound(cum.begin(), cum.end(), u);
  return cells[commune][static_cast<std::size_t>(
      std::min<std::ptrdiff_t>(it - cum.begin(), static_cast<std::ptrdiff_t>(cum.size()) - 1))];
}

std::string slug(std::string const& s) {
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) != 0) {
      out += static_cast<char>(std::tolower(ch));
    } else if (ch >= 0x80) {
      continue;  // accents: dropped from ids
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') {
    out.pop_back();
  }
  return out;
}

}  // namespace avip::synth
