#include "synth/families.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/random.hpp"
#include "synth/family_profile.hpp"
#include "synth/qpv_statistics.hpp"
#include "synth/sampling.hpp"
#include "synth/single_parent.hpp"

namespace avip::synth {

namespace {

using sim::cell_idx;
using sim::commune_idx;

/// What both placements share: the count, its apportionment over the communes, the grid weights.
struct family_plan {
  double target{0.0};
  int n{0};
  std::vector<int> per_commune;
  std::vector<double> li;  ///< per cell: low-income households + a little weight for children
  cell_sampler by_low_income;
  std::vector<double> single_share;  ///< per commune
};

family_plan plan_families(synthesis_context const& ctx) {
  auto const& w = ctx.w;
  auto const& fig = ctx.figures.families;
  double const target = fig.target();
  int const n = static_cast<int>(std::lround(target * ctx.options.family_scale));
  std::vector<double> poor(ctx.communes());
  for (std::size_t c = 0; c < ctx.communes(); ++c) {
    poor[c] =
        w.communes.population[commune_idx::from(c)] * ctx.low_income[c] / std::max(1.0, ctx.grid_people[c]);
  }
  auto per_commune = apportion(n, poor);
  std::vector<double> li(w.grid.size());
  for (std::size_t i = 0; i < w.grid.size(); ++i) {
    li[i] = w.grid.low_income_households[cell_idx::from(i)] +
            fig.low_income_child_weight * w.grid.children_0_3[cell_idx::from(i)];
  }
  cell_sampler sampler{w, li};
  auto shares = single_parent_shares(ctx.t, fig.single_parent, per_commune);
  return {target, n, std::move(per_commune), std::move(li), std::move(sampler), std::move(shares)};
}

geo::output_layer empty_family_layer(int epsg) {
  return {"families",
          "Familles en insertion (synthétiques)",
          epsg,
          {{"id", geo::field_type::text, ""},
           {"children_under_3", geo::field_type::integer, ""},
           {"child_age_months", geo::field_type::integer, ""},
           {"disabled_child", geo::field_type::boolean, ""},
           {"single_parent", geo::field_type::boolean, ""},
           {"parent_under_26", geo::field_type::boolean, ""},
           {"path", geo::field_type::text, ""},
           {"hours", geo::field_type::text, ""},
           {"mobility", geo::field_type::text, ""},
           {"referral_month", geo::field_type::integer, ""},
           {"synthetic", geo::field_type::boolean, ""},
           {"source", geo::field_type::text, ""}},
          {},
          {}};
}

/// Appends families to the layer and counts them.
struct family_writer {
  synthesis_context& ctx;
  geo::output_layer layer;
  int count{0};
  int single{0};

  void add(family_profile const& f, bool single_parent, double x, double y, std::string const& source) {
    layer.rows.push_back({fmt::format("fam-{:05d}", count + 1), static_cast<std::int64_t>(f.kids),
                          static_cast<std::int64_t>(f.age), f.disabled, single_parent, f.young, f.path,
                          f.hours, f.mobility, geo::field_value{}, true, source});
    auto pt = ctx.geos.point(x, y);
    layer.geometry.push_back(ctx.geos.to_wkb(pt.get()));
    single += single_parent ? 1 : 0;
    ++count;
  }
  [[nodiscard]] double share(int k) const { return count > 0 ? static_cast<double>(k) / count : 0.0; }
};

bool varies(std::vector<double> const& shares) {
  return std::adjacent_find(shares.begin(), shares.end(), std::not_equal_to<>{}) != shares.end();
}

/// The share of single parents the territory's families should have: each commune's share weighted by
/// its families.
double expected_single_share(family_plan const& plan, double flat) {
  if (!varies(plan.single_share)) {
    return flat;
  }
  double num = 0;
  for (std::size_t c = 0; c < plan.per_commune.size(); ++c) {
    num += plan.per_commune[c] * plan.single_share[c];
  }
  return plan.n > 0 ? num / plan.n : 0.0;
}

/// Without a QPV layer given: every family drawn on a cell ∝ low-income households of its commune.
void families_around_grown_qpv(synthesis_context& ctx, family_plan const& plan, family_writer& out,
                               std::vector<calibration_row>& calib) {
  auto const& fig = ctx.figures.families;
  auto const& w = ctx.w;
  std::string const source = fmt::format(
      "synthetic: RSA households with a child under 3, spread by commune ∝ low-income households and on "
      "the {:g} m grid; profile of {}; seed {}",
      ctx.cell, fig.profile_source, ctx.options.seed);
  int in_qpv = 0;
  for (std::size_t c = 0; c < ctx.communes(); ++c) {
    for (int k = 0; k < plan.per_commune[c]; ++k) {
      random_stream rng{ctx.options.seed, {6, static_cast<std::uint64_t>(out.count)}};
      auto const i = plan.by_low_income.draw(c, rng);
      auto const& p = w.grid.centre[cell_idx{i}];
      double const x = p.x + rng.uniform(-0.45, 0.45) * ctx.cell;
      double const y = p.y + rng.uniform(-0.45, 0.45) * ctx.cell;
      bool const inside = ctx.qpv_of_cell[i] >= 0;
      bool const sp = rng.bernoulli(plan.single_share[c]);
      out.add(draw_profile(fig.profile_for(c, inside), rng), sp, x, y, source);
      in_qpv += inside ? 1 : 0;
    }
  }
  double li_total = 0, li_qpv = 0;
  for (std::size_t c = 0; c < ctx.communes(); ++c) {
    double tot = 0, q = 0;
    for (auto const i : plan.by_low_income.cells[c]) {
      tot += plan.li[i];
      q += ctx.qpv_of_cell[i] >= 0 ? plan.li[i] : 0;
    }
    if (tot > 0) {
      li_qpv += plan.per_commune[c] * q / tot;
      li_total += plan.per_commune[c];
    }
  }
  calib.push_back({"families (RSA with a child under 3)", fig.target_source,
                   plan.target * ctx.options.family_scale, static_cast<double>(out.count)});
  calib.push_back({"families share single parent", fig.single_parent.source,
                   expected_single_share(plan, fig.single_parent.share), out.share(out.single)});
  calib.push_back({"families share in QPV", "low-income households in QPV cells",
                   li_total > 0 ? li_qpv / li_total : 0, out.share(in_qpv)});
}

/// `k` of `n` chosen at random (partial Fisher–Yates).
std::vector<std::uint8_t> choose(int n, int k, random_stream rng) {
  std::vector<std::uint8_t> chosen(static_cast<std::size_t>(std::max(0, n)), 0);
  std::vector<int> order(chosen.size());
  std::iota(order.begin(), order.end(), 0);
  for (int j = 0; j < k && j < n; ++j) {
    auto const r = j + static_cast<int>(rng.below(static_cast<std::uint64_t>(n - j)));
    std::swap(order[static_cast<std::size_t>(j)], order[static_cast<std::size_t>(r)]);
    chosen[static_cast<std::size_t>(order[static_cast<std::size_t>(j)])] = 1;
  }
  return chosen;
}

/// How the families split between the given QPV and the rest of each commune.
struct qpv_split {
  std::vector<std::size_t> qpv_commune;
  std::vector<double> weight;  ///< expected families of each QPV, in any unit
  std::vector<double> sp_share;
  double share_target{0.0};
  std::vector<int> in_q;   ///< families per QPV
  std::vector<int> out_c;  ///< families per commune outside every QPV
};

qpv_split split_by_qpv(synthesis_context const& ctx, family_plan const& plan,
                       std::optional<qpv_statistics> const& stats) {
  auto const& w = ctx.w;
  std::size_t const n_qpv = ctx.cover->qpv_count();
  qpv_split s;
  s.qpv_commune.resize(n_qpv);
  for (std::size_t q = 0; q < n_qpv; ++q) {
    auto const c = w.qpvs.commune[sim::qpv_idx::from(q)];
    if (!c.valid()) {
      throw data_error{
          fmt::format("synthesis: QPV '{}' lies in no commune", w.qpvs.code[sim::qpv_idx::from(q)])};
    }
    s.qpv_commune[q] = c.index();
  }
  s.weight.resize(n_qpv);
  s.sp_share.resize(n_qpv);
  for (std::size_t q = 0; q < n_qpv; ++q) {
    s.sp_share[q] = plan.single_share[s.qpv_commune[q]];
  }
  if (stats) {
    for (std::size_t q = 0; q < n_qpv; ++q) {
      s.weight[q] = stats->input[q].children_0_2_in_rsa();
      s.sp_share[q] = stats->input[q].single_parent_share();
      s.share_target += s.weight[q] / ctx.figures.families.children_in_rsa();
    }
  } else {
    // As drawing on every cell by low-income households would: each commune's families × the QPV's
    // part of the commune's weight.
    for (std::size_t q = 0; q < n_qpv; ++q) {
      auto const c = s.qpv_commune[q];
      double const total = plan.by_low_income.total(c);
      s.weight[q] = total > 0 ? plan.per_commune[c] *
                                    ctx.cover->weight_in(static_cast<std::uint32_t>(q), plan.li) / total
                              : 0.0;
      s.share_target += plan.n > 0 ? s.weight[q] / plan.n : 0.0;
    }
  }
  int const n_in = std::min(plan.n, static_cast<int>(std::lround(plan.n * s.share_target)));
  s.in_q = apportion(n_in, s.weight);
  std::vector<int> in_commune(ctx.communes(), 0);
  for (std::size_t q = 0; q < n_qpv; ++q) {
    in_commune[s.qpv_commune[q]] += s.in_q[q];
  }
  std::vector<double> room(ctx.communes());
  for (std::size_t c = 0; c < ctx.communes(); ++c) {
    room[c] = std::max(0, plan.per_commune[c] - in_commune[c]);
  }
  s.out_c = apportion(plan.n - n_in, room);
  return s;
}

/// Single parents: exactly each QPV's share of its families; outside, as many as keep each commune at
/// its share (one draw over the territory when the share is the same everywhere).
std::pair<std::vector<std::vector<std::uint8_t>>, std::vector<std::vector<std::uint8_t>>>
choose_single_parents(synthesis_context const& ctx, family_plan const& plan, qpv_split const& s) {
  std::vector<std::vector<std::uint8_t>> in(s.in_q.size());
  std::vector<int> sp_in_commune(ctx.communes(), 0);
  int sp_in_total = 0;
  for (std::size_t q = 0; q < s.in_q.size(); ++q) {
    int const k = std::min(s.in_q[q], static_cast<int>(std::lround(s.in_q[q] * s.sp_share[q])));
    in[q] = choose(s.in_q[q], k, random_stream{ctx.options.seed, {7, static_cast<std::uint64_t>(q)}});
    sp_in_total += k;
    sp_in_commune[s.qpv_commune[q]] += k;
  }
  std::vector<std::vector<std::uint8_t>> out(ctx.communes());
  if (!varies(plan.single_share)) {
    int const n_out = std::accumulate(s.out_c.begin(), s.out_c.end(), 0);
    int const k = std::clamp(
        static_cast<int>(std::lround(ctx.figures.families.single_parent.share * plan.n)) - sp_in_total, 0,
        n_out);
    auto const all = choose(n_out, k, random_stream{ctx.options.seed, {8}});
    std::size_t next = 0;
    for (std::size_t c = 0; c < ctx.communes(); ++c) {
      out[c].assign(all.begin() + static_cast<std::ptrdiff_t>(next),
                    all.begin() + static_cast<std::ptrdiff_t>(next + static_cast<std::size_t>(s.out_c[c])));
      next += static_cast<std::size_t>(s.out_c[c]);
    }
    return {in, out};
  }
  for (std::size_t c = 0; c < ctx.communes(); ++c) {
    int in_c = 0;
    for (std::size_t q = 0; q < s.in_q.size(); ++q) {
      in_c += s.qpv_commune[q] == c ? s.in_q[q] : 0;
    }
    int const target = static_cast<int>(std::lround(plan.single_share[c] * (s.out_c[c] + in_c)));
    int const k = std::clamp(target - sp_in_commune[c], 0, s.out_c[c]);
    out[c] = choose(s.out_c[c], k, random_stream{ctx.options.seed, {8, static_cast<std::uint64_t>(c)}});
  }
  return {in, out};
}

std::string given_qpv_source(synthesis_context const& ctx, std::optional<qpv_statistics> const& stats) {
  auto const& fig = ctx.figures.families;
  return stats ? fmt::format(
                     "synthetic: RSA households with a child under 3; in each QPV as many as its children "
                     "0–2 in RSA households give (CAF {}), with its share of single parents; elsewhere by "
                     "commune ∝ low-income households on the {:g} m grid; profile of {}; seed {}",
                     stats->edition, ctx.cell, fig.profile_source, ctx.options.seed)
               : fmt::format(
                     "synthetic: RSA households with a child under 3, spread by commune ∝ low-income "
                     "households and on the {:g} m grid, in and outside the QPV polygons; profile of {}; "
                     "seed {}",
                     ctx.cell, fig.profile_source, ctx.options.seed);
}

/// The QPV rows of the calibration table: the figures the families were built from (input), then
/// those of another edition and the QPV's share of the territory's RSA households (checks).
void given_qpv_rows(synthesis_context const& ctx, qpv_statistics const& stats, double share,
                    double sp_share_in, std::vector<calibration_row>& calib) {
  auto const& fig = ctx.figures.families;
  auto sp_target = [&](std::vector<qpv_figures> const& figures) {
    double num = 0;
    double den = 0;
    for (auto const& f : figures) {
      num += f.children_0_2_in_rsa() * f.single_parent_share();
      den += f.children_0_2_in_rsa();
    }
    return den > 0 ? num / den : 0.0;
  };
  auto share_of = [&](std::vector<qpv_figures> const& figures) {
    double x = 0;
    for (auto const& f : figures) {
      x += f.children_0_2_in_rsa();
    }
    return x / fig.children_in_rsa();
  };
  std::string const earlier = stats.earlier_input.empty()
                                  ? std::string{}
                                  : fmt::format(" ({} QPV secret in {}: last earlier edition)",
                                                stats.earlier_input.size(), stats.edition);
  calib.push_back({"families share in QPV",
                   fmt::format("QPV CAF {}: children 0–2 × RSA share of allocataires ÷ {}{}", stats.edition,
                               fig.island_rsa_children_source, earlier),
                   share_of(stats.input), share});
  calib.push_back(
      {"families share single parent in QPV",
       fmt::format("QPV CAF {}: single parents ÷ allocataires with children{}", stats.edition, earlier),
       sp_target(stats.input), sp_share_in});
  if (!stats.check.empty()) {
    calib.push_back({fmt::format("families share in QPV (CAF {})", stats.check_edition),
                     fmt::format("QPV CAF {}, not given to the synthesis", stats.check_edition),
                     share_of(stats.check), share, row_nature::check});
    calib.push_back({fmt::format("families share single parent in QPV (CAF {})", stats.check_edition),
                     fmt::format("QPV CAF {}, not given to the synthesis", stats.check_edition),
                     sp_target(stats.check), sp_share_in, row_nature::check});
  }
  double rsa_in_qpv = 0;
  for (auto const& f : stats.input) {
    rsa_in_qpv += f.rsa_households;
  }
  calib.push_back(
      {"families share in QPV vs RSA households in QPV",
       fmt::format("RSA households in QPV (CAF {}) ÷ {}", stats.edition, fig.rsa_households_source),
       rsa_in_qpv / fig.rsa_households, share, row_nature::check});
}

/// A point of commune `c` on a cell ∝ low-income households outside every QPV.
sim::point outside_qpv(synthesis_context const& ctx, cell_sampler const& by_low_income_out, std::size_t c,
                       random_stream& rng) {
  for (int tries = 0; tries < 1000; ++tries) {
    auto const i = by_low_income_out.draw(c, rng);
    auto const& centre = ctx.w.grid.centre[cell_idx{i}];
    double const x = centre.x + rng.uniform(-0.45, 0.45) * ctx.cell;
    double const y = centre.y + rng.uniform(-0.45, 0.45) * ctx.cell;
    if (!ctx.cover->near_any(i, x, y)) {
      return {x, y};
    }
  }
  throw data_error{fmt::format("synthesis: no point outside the QPV found in commune {}", ctx.name(c))};
}

/// With the territory's QPV layer: each QPV receives the families its CAF figures give (its children
/// 0–2 in RSA households, as a share of the territory's), with its own share of single parents; the
/// others spread by commune ∝ low-income households, outside every QPV ("around" them).
void families_in_given_qpv(synthesis_context& ctx, family_plan const& plan, family_writer& out,
                           std::vector<calibration_row>& calib) {
  auto const& fig = ctx.figures.families;
  auto const& w = ctx.w;
  auto const stats = read_qpv_statistics(ctx.t);
  auto const s = split_by_qpv(ctx, plan, stats);
  auto const [sp_in, sp_out] = choose_single_parents(ctx, plan, s);
  std::vector<double> li_out(w.grid.size());
  for (std::size_t i = 0; i < w.grid.size(); ++i) {
    li_out[i] = plan.li[i] * (1.0 - ctx.cover->covered(static_cast<std::uint32_t>(i)));
  }
  cell_sampler const by_low_income_out{w, li_out};
  auto const source = given_qpv_source(ctx, stats);
  int in_qpv = 0;
  int single_in = 0;
  for (std::size_t c = 0; c < ctx.communes(); ++c) {
    for (std::size_t q = 0; q < s.in_q.size(); ++q) {
      if (s.qpv_commune[q] != c) {
        continue;
      }
      for (int k = 0; k < s.in_q[q]; ++k) {
        random_stream rng{ctx.options.seed, {6, static_cast<std::uint64_t>(out.count)}};
        auto const p = ctx.cover->draw_inside(static_cast<std::uint32_t>(q), plan.li, rng);
        bool const sp = sp_in[q][static_cast<std::size_t>(k)] != 0;
        out.add(draw_profile(fig.profile_for(c, true), rng), sp, p.x, p.y, source);
        bool const inside = ctx.cover->inside(static_cast<std::uint32_t>(q), p.x, p.y);
        in_qpv += inside ? 1 : 0;
        single_in += inside && sp ? 1 : 0;
      }
    }
    for (int k = 0; k < s.out_c[c]; ++k) {
      random_stream rng{ctx.options.seed, {6, static_cast<std::uint64_t>(out.count)}};
      auto const p = outside_qpv(ctx, by_low_income_out, c, rng);
      bool const sp = sp_out[c][static_cast<std::size_t>(k)] != 0;
      out.add(draw_profile(fig.profile_for(c, false), rng), sp, p.x, p.y, source);
    }
  }
  double const share = out.share(in_qpv);
  double const sp_share_in = in_qpv > 0 ? static_cast<double>(single_in) / in_qpv : 0.0;
  calib.push_back({"families (RSA with a child under 3)", fig.target_source,
                   plan.target * ctx.options.family_scale, static_cast<double>(out.count)});
  calib.push_back({"families share single parent", fig.single_parent.source,
                   expected_single_share(plan, fig.single_parent.share), out.share(out.single)});
  if (!stats) {
    calib.push_back(
        {"families share in QPV", "low-income households in the QPV polygons", s.share_target, share});
  } else {
    given_qpv_rows(ctx, *stats, share, sp_share_in, calib);
  }
}

}  // namespace

geo::output_layer synthesise_families(synthesis_context& ctx, std::vector<calibration_row>& calib) {
  auto const plan = plan_families(ctx);
  family_writer out{ctx, empty_family_layer(ctx.w.epsg)};
  if (ctx.qpv_given()) {
    families_in_given_qpv(ctx, plan, out, calib);
  } else {
    families_around_grown_qpv(ctx, plan, out, calib);
  }
  return std::move(out.layer);
}

}  // namespace avip::synth
