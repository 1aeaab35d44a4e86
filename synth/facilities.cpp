#include "synth/facilities.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <utility>

#include <fmt/format.h>

#include "core/random.hpp"
#include "synth/sampling.hpp"

namespace avip::synth {

namespace {

using sim::cell_idx;
using sim::commune_idx;

/// Places a structure: on a cell of its commune drawn ∝ children 0–3, or in one of its commune's QPV.
class placer {
 public:
  explicit placer(synthesis_context const& ctx)
      : ctx_{ctx}, children_(ctx.w.grid.size()), by_children_{ctx.w, fill()} {}

  void place(facility_row& f, std::uint64_t k, bool in_qpv = false) const {
    random_stream rng{ctx_.options.seed, {2, k}};
    if (in_qpv && ctx_.cover && place_in_given_qpv(f, rng)) {
      return;
    }
    std::uint32_t i = by_children_.draw(f.commune, rng);
    if (in_qpv) {  // draw again until in a QPV (bounded)
      for (int tries = 0; tries < 200 && ctx_.qpv_of_cell[i] < 0; ++tries) {
        i = by_children_.draw(f.commune, rng);
      }
    }
    auto const& p = ctx_.w.grid.centre[cell_idx{i}];
    f.x = p.x + rng.uniform(-0.4, 0.4) * ctx_.cell;
    f.y = p.y + rng.uniform(-0.4, 0.4) * ctx_.cell;
  }

 private:
  std::vector<double> const& fill() {
    for (std::size_t i = 0; i < ctx_.w.grid.size(); ++i) {
      children_[i] = ctx_.w.grid.children_0_3[cell_idx::from(i)];
    }
    return children_;
  }

  /// Inside one of the commune's QPV drawn ∝ its children 0–3; false when the commune has none.
  bool place_in_given_qpv(facility_row& f, random_stream& rng) const {
    auto const& w = ctx_.w;
    std::vector<std::uint32_t> qs;
    std::vector<double> weights;
    for (std::size_t q = 0; q < w.qpvs.size(); ++q) {
      if (w.qpvs.commune[sim::qpv_idx::from(q)] == commune_idx::from(f.commune)) {
        qs.push_back(static_cast<std::uint32_t>(q));
        weights.push_back(ctx_.cover->weight_in(qs.back(), children_) + 1e-9);
      }
    }
    if (qs.empty()) {
      return false;
    }
    double u = rng.uniform() * std::accumulate(weights.begin(), weights.end(), 0.0);
    std::size_t j = 0;
    while (j + 1 < qs.size() && (u -= weights[j]) >= 0) {
      ++j;
    }
    auto const p = ctx_.cover->draw_inside(qs[j], children_, rng);
    f.x = p.x;
    f.y = p.y;
    return true;
  }

  synthesis_context const& ctx_;
  std::vector<double> children_;
  cell_sampler by_children_;
};

/// Counts per commune ∝ children under 3, the pinned communes set apart with their own count.
std::vector<int> per_commune(synthesis_context const& ctx, int total,
                             std::optional<int> pinned_commune::*count) {
  auto const& f = ctx.figures.facilities;
  std::vector<double> weight(ctx.communes());
  for (std::size_t c = 0; c < ctx.communes(); ++c) {
    weight[c] = ctx.w.communes.children_under_3[commune_idx::from(c)];
  }
  int pinned = 0;
  for (auto const& pin : f.pinned) {
    if (pin.micro_creches || pin.other_eaje || pin.assmat) {
      weight[pin.commune] = 0;
    }
    pinned += (pin.*count).value_or(0);
  }
  auto out = apportion(total - pinned, weight);
  for (auto const& pin : f.pinned) {
    if (pin.*count) {
      out[pin.commune] = *(pin.*count);
    }
  }
  return out;
}

pinned_commune const* places_pin(facility_figures const& f, std::size_t c) {
  for (auto const& pin : f.pinned) {
    if (pin.commune == c && pin.eaje_places) {
      return &pin;
    }
  }
  return nullptr;
}

int jittered(int avg, int jitter, int_range range, random_stream& rng) {
  return std::clamp(avg + static_cast<int>(rng.below(static_cast<std::uint64_t>(2 * jitter + 1))) - jitter,
                    range.lo, range.hi);
}

double occupancy(real_range r, random_stream& rng) {
  return std::round(rng.uniform(r.lo, r.hi) * 100) / 100;
}

void add_micro_creches(synthesis_context const& ctx, placer const& at, std::vector<facility_row>& fac) {
  auto const& fig = ctx.figures.facilities;
  auto const micro = per_commune(ctx, fig.micro_creches, &pinned_commune::micro_creches);
  int left = fig.micro_places;
  int count_left = fig.micro_creches;
  for (std::size_t c = 0; c < ctx.communes(); ++c) {
    for (int k = 0; k < micro[c]; ++k) {
      random_stream rng{ctx.options.seed, {3, fac.size()}};
      facility_row f;
      f.commune = c;
      f.kind = "micro_creche";
      f.places =
          count_left == 1 ? left : jittered(left / count_left, fig.micro_jitter, fig.micro_places_range, rng);
      left -= f.places;
      --count_left;
      f.id = fmt::format("eaje-{}-micro-{:03d}", ctx.code(c), k + 1);
      f.name = fmt::format("Micro-crèche {} {}", ctx.name(c), k + 1);
      f.hours = fig.eaje_hours.draw(rng.uniform());
      f.occupancy = occupancy(fig.eaje_occupancy, rng);
      f.manager = fmt::format("mgr-{}-micro-{}", slug(ctx.name(c)), k / 3 + 1);
      at.place(f, fac.size());
      fac.push_back(f);
    }
  }
}

std::string kind_label(std::string const& kind) {
  return kind == "creche" ? "Crèche" : (kind == "jardin_enfants" ? "Jardin d'enfants" : "Multi-accueil");
}

/// The kind of the `k`-th other EAJE of a commune: the pin's list when it gives one, else drawn.
std::string other_kind(pinned_commune const* pin, int k, categorical const& kinds, random_stream& rng) {
  if (pin != nullptr && !pin->other_eaje_kinds.empty()) {
    for (auto const& [kind, n] : pin->other_eaje_kinds) {
      if (k < n) {
        return kind;
      }
      k -= n;
    }
  }
  return kinds.draw(rng.uniform());
}

void add_other_eaje(synthesis_context const& ctx, placer const& at, std::vector<facility_row>& fac) {
  auto const& fig = ctx.figures.facilities;
  auto const other = per_commune(ctx, fig.other_eaje, &pinned_commune::other_eaje);
  int left = fig.eaje_places - fig.micro_places;
  int count_left = fig.other_eaje;
  for (auto const& pin : fig.pinned) {
    if (pin.eaje_places) {  // their places are set apart, set by fix_pinned_places
      left -= *pin.eaje_places - *pin.micro_creches * *pin.micro_creche_places;
      count_left -= *pin.other_eaje;
    }
  }
  for (std::size_t c = 0; c < ctx.communes(); ++c) {
    pinned_commune const* kinds_pin = nullptr;
    for (auto const& pin : fig.pinned) {
      kinds_pin = pin.commune == c ? &pin : kinds_pin;
    }
    bool const places_pinned = places_pin(fig, c) != nullptr;
    for (int k = 0; k < other[c]; ++k) {
      random_stream rng{ctx.options.seed, {4, fac.size()}};
      facility_row f;
      f.commune = c;
      f.kind = other_kind(kinds_pin, k, fig.other_kinds, rng);
      if (!places_pinned) {
        f.places = count_left == 1 ? left
                                   : jittered(left / std::max(1, count_left), fig.other_jitter,
                                              fig.other_places_range, rng);
        left -= f.places;
        --count_left;
      }
      f.id = fmt::format("eaje-{}-{}-{:02d}", ctx.code(c), f.kind, k + 1);
      f.name = fmt::format("{} {} {}", kind_label(f.kind), ctx.name(c), k + 1);
      f.hours = fig.eaje_hours.draw(rng.uniform());
      f.occupancy = occupancy(fig.eaje_occupancy, rng);
      f.manager = fmt::format("mgr-{}-{}", slug(ctx.name(c)), k % 2 == 0 ? "commune" : "assoc");
      at.place(f, fac.size());
      fac.push_back(f);
    }
  }
}

/// A pinned commune's EAJE places: its micro-crèches at their published size (the places this moves
/// given back to the other micro-crèches, within their range), the rest shared by its other EAJE.
void fix_pinned_places(synthesis_context const& ctx, pinned_commune const& pin,
                       std::vector<facility_row>& fac) {
  auto const& fig = ctx.figures.facilities;
  int other_places = *pin.eaje_places - *pin.micro_creches * *pin.micro_creche_places;
  int micro_left = 0;
  int n_other = 0;
  for (auto& f : fac) {
    if (f.commune == pin.commune && f.kind == "micro_creche") {
      micro_left += f.places - *pin.micro_creche_places;
      f.places = *pin.micro_creche_places;
    }
    if (f.commune == pin.commune && f.kind != "micro_creche") {
      ++n_other;
    }
  }
  int k = 0;
  for (auto& f : fac) {
    if (f.commune == pin.commune && f.kind != "micro_creche") {
      f.places = (k == n_other - 1) ? other_places : other_places / (n_other - k);
      other_places -= f.places;
      ++k;
    }
  }
  for (auto& f : fac) {
    if (micro_left == 0) {
      break;
    }
    bool const pinned = places_pin(fig, f.commune) != nullptr;
    if (f.kind == "micro_creche" && !pinned) {
      int const d = std::clamp(micro_left, -(f.places - fig.micro_places_range.lo),
                               fig.micro_places_range.hi - f.places);
      f.places += d;
      micro_left -= d;
    }
  }
}

/// The labelled EAJE: the largest crèche or multi-accueil of the communes with the most children,
/// round after round; then the experiments, named so that scenarios can select them.
void label(synthesis_context const& ctx, std::vector<facility_row>& fac) {
  auto const& fig = ctx.figures.facilities;
  std::vector<std::pair<double, std::size_t>> order;
  for (std::size_t c = 0; c < ctx.communes(); ++c) {
    order.emplace_back(ctx.w.communes.children_under_3[commune_idx::from(c)], c);
  }
  std::sort(order.begin(), order.end(), std::greater<>{});
  int labelled = 0;
  for (int round = 0; labelled < fig.labelled && round < fig.label_rounds; ++round) {
    for (auto const& [v, c] : order) {
      if (labelled >= fig.labelled) {
        break;
      }
      facility_row* best = nullptr;
      for (auto& f : fac) {
        if (f.commune == c && !f.avip && f.kind != "micro_creche" &&
            (best == nullptr || f.places > best->places)) {
          best = &f;
        }
      }
      if (best != nullptr) {
        best->avip = true;
        ++labelled;
      }
    }
  }
  for (auto const& e : fig.experiments) {
    for (auto& f : fac) {
      if (f.commune == e.commune && !f.avip && f.kind != "micro_creche" && f.network.empty() &&
          f.id.find("exp") == std::string::npos) {
        f.name = e.name;
        f.id = e.id;
        f.network = e.network;
        f.manager = e.network.empty() ? f.manager : e.network;
        f.source = "experiment";
        break;
      }
    }
  }
}

/// The assistants maternels; the first members of each experiment's network named after it.
void add_assmat(synthesis_context const& ctx, placer const& at, std::vector<facility_row>& fac) {
  auto const& fig = ctx.figures.facilities;
  auto const n_assmat = per_commune(ctx, fig.assmat, &pinned_commune::assmat);
  for (std::size_t c = 0; c < ctx.communes(); ++c) {
    for (int k = 0; k < n_assmat[c]; ++k) {
      random_stream rng{ctx.options.seed, {5, fac.size()}};
      facility_row f;
      f.commune = c;
      f.kind = "assmat";
      f.places = rng.bernoulli(fig.assmat_four_places) ? 4 : 3;
      f.hours = fig.assmat_hours.draw(rng.uniform());
      f.occupancy = occupancy(fig.assmat_occupancy, rng);
      f.id = fmt::format("assmat-{}-{:03d}", ctx.code(c), k + 1);
      f.name = fmt::format("Assistant maternel {} {}", ctx.name(c), k + 1);
      f.manager = f.id;
      bool in_qpv = false;
      for (auto const& n : fig.assmat_networks) {
        if (n.commune == c && k < n.count) {
          f.network = n.network;
          f.places = n.places.empty() ? f.places : n.places[static_cast<std::size_t>(k)];
          f.id = fmt::format("{}-{}", n.network, k + 1);
          f.source = "experiment";
          in_qpv = n.in_qpv;
        }
      }
      at.place(f, fac.size(), in_qpv);
      fac.push_back(f);
    }
  }
}

void add_baby_buses(synthesis_context const& ctx, placer const& at, std::vector<facility_row>& fac) {
  auto const& fig = ctx.figures.facilities;
  for (auto const& bus : fig.baby_buses) {
    auto const& cname = ctx.name(bus.commune);
    for (std::size_t s = 0; s < bus.site_hours.size(); ++s) {
      facility_row f;
      f.commune = bus.commune;
      f.kind = "baby_bus_site";
      f.places = fig.baby_bus_places;
      f.hours = bus.site_hours[s];
      f.occupancy = fig.baby_bus_occupancy;
      f.bus = fmt::format("babybus-{}", slug(cname));
      f.id = fmt::format("{}-site-{}", f.bus, s + 1);
      f.name = fmt::format("Baby Bus {} — site {}", cname, s + 1);
      f.manager = fig.baby_bus_manager;
      at.place(f, fac.size());
      fac.push_back(f);
    }
  }
}

geo::output_layer empty_facility_layer(int epsg) {
  return {"facilities",
          "Offre d'accueil (synthétique)",
          epsg,
          {{"id", geo::field_type::text, ""},
           {"name", geo::field_type::text, ""},
           {"kind", geo::field_type::text, ""},
           {"places", geo::field_type::integer, ""},
           {"hours", geo::field_type::text, ""},
           {"occupancy", geo::field_type::real, ""},
           {"avip", geo::field_type::boolean, ""},
           {"label_year", geo::field_type::integer, ""},
           {"network", geo::field_type::text, ""},
           {"manager", geo::field_type::text, ""},
           {"bus", geo::field_type::text, ""},
           {"synthetic", geo::field_type::boolean, ""},
           {"source", geo::field_type::text, ""}},
          {},
          {}};
}

bool is_eaje(facility_row const& f) {
  return f.kind != "assmat" && f.kind != "mam" && f.kind != "baby_bus_site";
}

/// The calibration rows of the pinned communes that name one.
void pinned_rows(synthesis_context const& ctx, std::vector<facility_row> const& fac,
                 std::vector<calibration_row>& calib) {
  for (auto const& pin : ctx.figures.facilities.pinned) {
    int eaje = 0;
    int places = 0;
    int assmat = 0;
    for (auto const& f : fac) {
      if (f.commune == pin.commune) {
        eaje += is_eaje(f) ? 1 : 0;
        places += is_eaje(f) ? f.places : 0;
        assmat += f.kind == "assmat" ? 1 : 0;
      }
    }
    auto row = [&](char const* what, int expected, int synthesised) {
      if (auto it = pin.rows.find(what); it != pin.rows.end()) {
        calib.push_back(
            {it->second, pin.source, static_cast<double>(expected), static_cast<double>(synthesised)});
      }
    };
    row("eaje", pin.micro_creches.value_or(0) + pin.other_eaje.value_or(0), eaje);
    row("eaje_places", pin.eaje_places.value_or(0), places);
    row("assmat", pin.assmat.value_or(0), assmat);
  }
}

}  // namespace

std::vector<facility_row> synthesise_facilities(synthesis_context const& ctx) {
  placer const at{ctx};
  std::vector<facility_row> fac;
  add_micro_creches(ctx, at, fac);
  add_other_eaje(ctx, at, fac);
  for (auto const& pin : ctx.figures.facilities.pinned) {
    if (pin.eaje_places) {
      fix_pinned_places(ctx, pin, fac);
    }
  }
  label(ctx, fac);
  add_assmat(ctx, at, fac);
  add_baby_buses(ctx, at, fac);
  return fac;
}

geo::output_layer facility_layer(synthesis_context& ctx, std::vector<facility_row> const& fac,
                                 std::vector<calibration_row>& calib) {
  auto const& fig = ctx.figures.facilities;
  auto layer = empty_facility_layer(ctx.w.epsg);
  int eaje = 0, micro_n = 0, micro_p = 0, eaje_p = 0, assmat_n = 0, avip_n = 0;
  for (auto const& f : fac) {
    // The labelled EAJE carry their label year; their labelled places (avip_places) are left out: the
    // conventions' figures are unknown, so the model applies labelled_places_share to their places.
    auto const source = fmt::format(
        "synthetic{}: placed on populated {:g} m cells ∝ children 0–3; counts and places calibrated on {} "
        "(seed {})",
        f.source.empty() ? "" : " (" + f.source + " named in " + fig.named_in + ")", ctx.cell,
        fig.calibrated_on, ctx.options.seed);
    layer.rows.push_back(
        {f.id, f.name, f.kind, static_cast<std::int64_t>(f.places), f.hours, f.occupancy, f.avip,
         f.avip ? geo::field_value{static_cast<std::int64_t>(fig.label_year)} : geo::field_value{},
         f.network.empty() ? geo::field_value{} : geo::field_value{f.network}, f.manager,
         f.bus.empty() ? geo::field_value{} : geo::field_value{f.bus}, true, source});
    auto pt = ctx.geos.point(f.x, f.y);
    layer.geometry.push_back(ctx.geos.to_wkb(pt.get()));
    if (is_eaje(f)) {
      ++eaje;
      eaje_p += f.places;
      avip_n += f.avip ? 1 : 0;
    }
    micro_n += f.kind == "micro_creche" ? 1 : 0;
    micro_p += f.kind == "micro_creche" ? f.places : 0;
    assmat_n += f.kind == "assmat" ? 1 : 0;
  }
  auto n = [](int x) { return static_cast<double>(x); };
  calib.push_back({"eaje_count", fig.eaje_count_source, n(fig.micro_creches + fig.other_eaje), n(eaje)});
  calib.push_back({"eaje_places", fig.source, n(fig.eaje_places), n(eaje_p)});
  calib.push_back({"micro_creches_count", fig.source, n(fig.micro_creches), n(micro_n)});
  calib.push_back({"micro_creches_places", fig.source, n(fig.micro_places), n(micro_p)});
  calib.push_back({"assistants_maternels", fig.source, n(fig.assmat), n(assmat_n)});
  calib.push_back({"avip_labelled_eaje", fig.labelled_source, n(fig.labelled), n(avip_n)});
  pinned_rows(ctx, fac, calib);
  return layer;
}

}  // namespace avip::synth
