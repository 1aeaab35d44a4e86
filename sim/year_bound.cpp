#include "sim/year_bound.hpp"

#include <algorithm>
#include <unordered_map>

#include <lemon/lp.h>

namespace avip::sim {

bound_result year_bound(candidates const& c, std::vector<bound_request> const& requests,
                        std::vector<std::int32_t> const& capacity, int months) {
  bound_result out;
  if (requests.empty() || months <= 0) {
    out.solved = true;
    return out;
  }
  lemon::Lp lp;
  lp.messageLevel(lemon::Lp::MESSAGE_NOTHING);
  // Occupancy rows: one per (facility, month) that some variable touches, built as expressions.
  std::unordered_map<std::uint64_t, lemon::Lp::Expr> occupancy;
  lemon::Lp::Expr objective;
  std::vector<lemon::Lp::Expr> once(requests.size());
  std::vector<std::uint8_t> has_column(requests.size(), 0);
  std::vector<lemon::Lp::Col> all;
  for (std::size_t r = 0; r < requests.size(); ++r) {
    auto const& q = requests[r];
    int const t0 = std::max(0, q.first_month);
    int const t1 = std::min(months - 1, q.last_month);
    for (auto j = c.offsets[q.family.index()]; j < c.offsets[q.family.index() + 1]; ++j) {
      auto const k = c.facility[j];
      if (k.index() >= capacity.size() || capacity[k.index()] < q.children) {
        continue;  // the family's children never fit there
      }
      for (int t = t0; t <= t1; ++t) {
        auto const i = static_cast<std::size_t>(t - q.first_month);
        int const stay = i < q.stay_months.size() ? std::max<int>(1, q.stay_months[i]) : 1;
        auto const x = lp.addCol();
        lp.colLowerBound(x, 0);
        lp.colUpperBound(x, 1);
        all.push_back(x);
        objective += q.weight * x;
        once[r] += x;
        has_column[r] = 1;
        for (int s = t; s < std::min(months, t + stay); ++s) {
          occupancy[(static_cast<std::uint64_t>(k.index()) << 16U) | static_cast<std::uint64_t>(s)] +=
              static_cast<double>(q.children) * x;
        }
      }
    }
  }
  if (all.empty()) {
    out.solved = true;
    return out;
  }
  for (std::size_t r = 0; r < once.size(); ++r) {
    if (has_column[r] != 0) {
      lp.addRow(once[r] <= 1);  // each family placed at most once
    }
  }
  for (auto const& [key, e] : occupancy) {
    auto const k = static_cast<std::size_t>(key >> 16U);
    lp.addRow(e <= static_cast<double>(capacity[k]));
  }
  lp.obj(objective);
  lp.max();
  if (lp.solve() != lemon::Lp::SOLVED || lp.primalType() != lemon::Lp::OPTIMAL) {
    return out;
  }
  out.solved = true;
  out.value = lp.primal();
  for (auto const& x : all) {
    out.families += lp.primal(x);
  }
  return out;
}

}  // namespace avip::sim
