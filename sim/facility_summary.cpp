#include "sim/facility_summary.hpp"

#include <algorithm>
#include <map>
#include <string>

#include "sim/l214.hpp"

namespace avip::sim {

namespace {

double ratio(double a, double b) {
  return b > 0 ? a / b : 0.0;
}

struct network_def {
  std::string id;
  bool assmat{false};
  std::vector<facility_idx> members;
  std::int32_t places{0};
};

/// Labelled networks (a network id with labelled members) and managers of labelled EAJE.
std::vector<network_def> labelled_networks(world const& w) {
  std::map<std::string, network_def> out;
  auto const& fa = w.facilities;
  for (std::size_t i = 0; i < fa.size(); ++i) {
    auto const k = facility_idx::from(i);
    if (fa.avip[k] == 0) {
      continue;
    }
    std::string key;
    if (fa.network[k].valid()) {
      key = "network:" + fa.network_id[fa.network[k]];
    } else if (fa.manager[k].valid() && is_eaje(fa.kind[k])) {
      key = "manager:" + fa.manager_id[fa.manager[k]];
    } else {
      continue;
    }
    auto& n = out[key];
    n.id = key;
    n.members.push_back(k);
    n.places += fa.places[k];
  }
  std::vector<network_def> v;
  for (auto& [key, n] : out) {
    n.assmat = std::all_of(n.members.begin(), n.members.end(), [&](facility_idx k) {
      return fa.kind[k] == facility_kind::assmat || fa.kind[k] == facility_kind::mam;
    });
    v.push_back(std::move(n));
  }
  return v;
}

}  // namespace

facility_year facility_year_of(replication_state const& s) {
  facility_year y{s.avip_year, {}, s.l214_requests, s.l214_found};
  y.taken_end.resize(s.ordinary.size());
  for (std::size_t k = 0; k < s.ordinary.size(); ++k) {
    y.taken_end[k] = s.ordinary[k] + s.avip[k];
  }
  return y;
}

index_vector<facility_idx, facility_indicators> facility_indicators_of(
    world const& w, params const& p, std::vector<facility_year> const& reps) {
  index_vector<facility_idx, facility_indicators> out;
  out.resize(w.facilities.size());
  for (std::size_t k = 0; k < w.facilities.size(); ++k) {
    auto const i = facility_idx::from(k);
    auto& fi = out[i];
    double const pl = w.facilities.places[i];
    bool const labelled_eaje = w.facilities.avip[i] != 0 && is_eaje(w.facilities.kind[i]);
    bool const l214 = l214_applies(w, p, i);
    for (auto const& r : reps) {
      double const share = ratio(r.avip_children[k], pl);
      fi.avip_children.values.push_back(r.avip_children[k]);
      fi.avip_share.values.push_back(share);
      if (labelled_eaje) {
        fi.target_met.values.push_back(share >= p.avip_target_share - 1e-12 ? 1.0 : 0.0);
      }
      if (l214) {
        fi.l214_requests.values.push_back(r.l214_requests[k]);
        if (r.l214_requests[k] > 0) {
          fi.l214_available.values.push_back(static_cast<double>(r.l214_found[k]) / r.l214_requests[k]);
        }
      }
      fi.occupancy_end.values.push_back(ratio(r.taken_end[k], pl));
    }
  }
  return out;
}

std::vector<network_indicators> network_indicators_of(world const& w, params const& p,
                                                      std::vector<facility_year> const& reps) {
  std::vector<network_indicators> out;
  for (auto const& n : labelled_networks(w)) {
    network_indicators ni;
    ni.id = n.id;
    ni.assmat_network = n.assmat;
    ni.members = static_cast<std::int32_t>(n.members.size());
    ni.places = n.places;
    auto const members = static_cast<double>(n.members.size());
    for (auto const& r : reps) {
      double ch = 0;
      double members_met = 0;
      for (auto k : n.members) {
        ch += r.avip_children[k.index()];
        members_met += r.avip_children[k.index()] >= p.assmat_network_target - 1e-12 ? 1 : 0;
      }
      double const rt = n.assmat ? ratio(ch, members) : ratio(ch, n.places);
      ni.avip_children.values.push_back(ch);
      ni.ratio.values.push_back(rt);
      if (n.assmat) {
        // The target is per member (seed 002): every assistant maternel welcomes ≥ 1 AVIP child.
        double const share = ratio(members_met, members);
        ni.members_met_share.values.push_back(share);
        ni.target_met.values.push_back(share >= 1.0 - 1e-12 ? 1.0 : 0.0);
      } else {
        ni.target_met.values.push_back(rt >= p.avip_target_share - 1e-12 ? 1.0 : 0.0);
      }
    }
    out.push_back(std::move(ni));
  }
  return out;
}

}  // namespace avip::sim
