#include "optimize/flow_state.hpp"

#include <algorithm>
#include <limits>

namespace avip::optimize {

namespace {
constexpr double kEps = 1e-13;
}

flow_state::flow_state(coverage_model const& m) : model_{&m}, chosen_(m.actions(), 0) {
  auto const nn = m.nodes();
  auto const nf = m.facilities();
  auto const nodes = 2 + nn + nf;
  std::vector<std::uint32_t> from;
  auto add_arc = [&](std::uint32_t a, std::uint32_t b, double cap) {
    auto const id = static_cast<std::uint32_t>(to_.size());
    from.push_back(a);
    to_.push_back(b);
    residual_.push_back(cap);
    from.push_back(b);
    to_.push_back(a);
    residual_.push_back(0.0);
    return id;
  };
  auto const fac_node = [&](std::uint32_t k) { return static_cast<std::uint32_t>(2 + nn + k); };
  for (std::uint32_t n = 0; n < nn; ++n) {
    add_arc(0, 2 + n, m.demand[n]);
  }
  open_.assign(m.arc_facility.size(), 0);
  model_arc_.resize(m.arc_facility.size());
  for (std::uint32_t n = 0; n < nn; ++n) {
    for (auto a = m.arc_offsets[n]; a < m.arc_offsets[n + 1]; ++a) {
      bool const base = m.arc_enabler[a] == 0;
      open_[a] = base ? 1 : 0;
      model_arc_[a] = add_arc(2 + n, fac_node(m.arc_facility[a]), base ? m.demand[n] : 0.0);
    }
  }
  for (std::uint32_t k = 0; k < nf; ++k) {
    sink_arc_.push_back(add_arc(fac_node(k), 1, m.base_capacity[k]));
  }
  // Adjacency (CSR by tail).
  head_.assign(nodes + 1, 0);
  for (auto v : from) {
    ++head_[v + 1];
  }
  for (std::size_t v = 0; v < nodes; ++v) {
    head_[v + 1] += head_[v];
  }
  arcs_.resize(from.size());
  auto fill = head_;
  for (std::uint32_t a = 0; a < from.size(); ++a) {
    arcs_[fill[from[a]]++] = a;
  }
  // Action → the model arcs whose enabler holds it.
  std::vector<std::vector<std::uint32_t>> per(m.actions());
  for (std::uint32_t a = 0; a < m.arc_enabler.size(); ++a) {
    auto const e = m.arc_enabler[a];
    for (auto i = m.enabler_offsets[e]; i < m.enabler_offsets[e + 1]; ++i) {
      per[m.enabler_action[i]].push_back(a);
    }
  }
  action_arcs_offsets_.push_back(0);
  for (auto const& v : per) {
    action_arcs_.insert(action_arcs_.end(), v.begin(), v.end());
    action_arcs_offsets_.push_back(static_cast<std::uint32_t>(action_arcs_.size()));
  }
  level_.assign(nodes, -1);
  next_.assign(nodes, 0);
  augment();
}

double flow_state::add(std::uint32_t action) {
  if (chosen_[action] != 0) {
    return value();
  }
  chosen_[action] = 1;
  auto const& m = *model_;
  for (auto i = action_arcs_offsets_[action]; i < action_arcs_offsets_[action + 1]; ++i) {
    auto const a = action_arcs_[i];
    if (open_[a] == 0) {
      open_[a] = 1;
      auto const n = static_cast<std::size_t>(
          std::upper_bound(m.arc_offsets.begin(), m.arc_offsets.end(), a) - m.arc_offsets.begin() - 1);
      residual_[model_arc_[a]] += m.demand[n];
    }
  }
  for (std::uint32_t k = 0; k < m.facilities(); ++k) {
    for (auto i = m.cap_offsets[k]; i < m.cap_offsets[k + 1]; ++i) {
      if (m.cap_action[i] == action) {
        residual_[sink_arc_[k]] += m.cap_amount[i];
      }
    }
  }
  augment();
  return value();
}

double flow_state::value_with(std::uint32_t action) const {
  flow_state copy = *this;
  return copy.add(action);
}

double flow_state::push(std::uint32_t v, double limit) {
  if (v == 1) {
    return limit;
  }
  for (; next_[v] < head_[v + 1] - head_[v]; ++next_[v]) {
    auto const a = arcs_[head_[v] + next_[v]];
    auto const w = to_[a];
    if (residual_[a] > kEps && level_[w] == level_[v] + 1) {
      double const got = push(w, std::min(limit, residual_[a]));
      if (got > kEps) {
        residual_[a] -= got;
        residual_[a ^ 1U] += got;
        return got;
      }
    }
  }
  return 0.0;
}

void flow_state::augment() {
  std::vector<std::uint32_t> queue;
  while (true) {
    std::fill(level_.begin(), level_.end(), -1);
    level_[0] = 0;
    queue.assign(1, 0);
    for (std::size_t q = 0; q < queue.size(); ++q) {
      auto const v = queue[q];
      for (auto i = head_[v]; i < head_[v + 1]; ++i) {
        auto const a = arcs_[i];
        if (residual_[a] > kEps && level_[to_[a]] < 0) {
          level_[to_[a]] = level_[v] + 1;
          queue.push_back(to_[a]);
        }
      }
    }
    if (level_[1] < 0) {
      return;
    }
    std::fill(next_.begin(), next_.end(), 0);
    while (true) {
      double const got = push(0, std::numeric_limits<double>::infinity());
      if (got <= kEps) {
        break;
      }
      flow_ += got;
    }
  }
}

double covered(coverage_model const& m, std::vector<std::uint32_t> const& actions) {
  flow_state s{m};
  for (auto a : actions) {
    s.add(a);
  }
  return s.value();
}

}  // namespace avip::optimize
