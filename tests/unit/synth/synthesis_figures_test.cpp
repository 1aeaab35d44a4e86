#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/random.hpp"
#include "synth/family_profile.hpp"
#include "synth/single_parent.hpp"
#include "synth/synthesis_figures.hpp"
#include "territory/load.hpp"

using namespace avip;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

fs::path const kReunionFile = fs::path{AVIP_SOURCE_DIR} / "data/reunion/synthesis.json";

territory::territory const& reunion() {
  static auto const t =
      territory::load_territory(fs::path{AVIP_SOURCE_DIR} / "data/reunion/territory.json", true);
  return t;
}

json reunion_figures() {
  std::ifstream in{kReunionFile};
  return json::parse(in);
}

/// Writes `doc` to a temporary file and reads it for La Réunion's communes; returns the error message.
std::string error_of(json const& doc) {
  auto const f = fs::temp_directory_path() / ("avip_figures_" + std::to_string(::getpid()) + ".json");
  std::ofstream{f} << doc.dump();
  try {
    (void)synth::read_synthesis_figures(f, reunion().world);
  } catch (data_error const& e) {
    fs::remove(f);
    return e.what();
  }
  fs::remove(f);
  return "";
}

}  // namespace

TEST_CASE("La Réunion's calibration file gives the figures the synthesis used to hard-code",
          "[synth][figures]") {
  auto const s = synth::read_synthesis_figures(reunion());
  CHECK(s.tolerance == Approx(0.05));
  CHECK(s.qpv.count == 49);
  CHECK(s.facilities.eaje_places == 7089);
  CHECK(s.facilities.micro_creches == 231);
  CHECK(s.facilities.assmat == 1141);
  CHECK(s.facilities.pinned.size() == 2);
  CHECK(s.facilities.baby_buses.size() == 4);
  CHECK(s.facilities.eaje_hours.cumulative[1] == 0.88);  // 0.78 + 0.10 as written, not 0.8800000000000001
  CHECK(s.families.target() == Approx(8262.35).epsilon(1e-5));
  CHECK(s.families.single_parent.share == Approx(0.40));
}

TEST_CASE("a missing figure is named by file and JSON pointer", "[synth][figures]") {
  auto doc = reunion_figures();
  doc["facilities"].erase("eaje_places");
  auto const msg = error_of(doc);
  CHECK_THAT(msg,
             Catch::Contains("avip_figures_") && Catch::Contains("/facilities/eaje_places: missing figure"));
}

TEST_CASE("an unknown commune is named by file and JSON pointer", "[synth][figures]") {
  auto doc = reunion_figures();
  doc["facilities"]["pinned"][0]["commune"] = "Atlantis";
  CHECK_THAT(error_of(doc), Catch::Contains("/facilities/pinned/0/commune: unknown commune 'Atlantis'"));
  doc = reunion_figures();
  doc["facilities"]["baby_bus"]["buses"][2]["commune"] = "97499";
  CHECK_THAT(error_of(doc), Catch::Contains("/facilities/baby_bus/buses/2/commune: unknown commune '97499'"));
}

TEST_CASE("a share outside [0, 1] or shares not summing to 1 are refused", "[synth][figures]") {
  auto doc = reunion_figures();
  doc["families"]["profile"]["parent_under_26"] = 1.38;
  CHECK_THAT(error_of(doc),
             Catch::Contains("/families/profile/parent_under_26: share 1.38 is outside [0, 1]"));
  doc = reunion_figures();
  doc["families"]["single_parent"]["share"] = -0.1;
  CHECK_THAT(error_of(doc), Catch::Contains("/families/single_parent/share: share -0.1 is outside [0, 1]"));
  doc = reunion_figures();
  doc["facilities"]["eaje_hours"][0]["share"] = 0.5;
  CHECK_THAT(error_of(doc), Catch::Contains("/facilities/eaje_hours: the shares sum to"));
  doc = reunion_figures();
  doc["families"]["profile_in_qpv"] = {{"mobility", {{{"mode", "car"}, {"share", 1.5}}}}};
  CHECK_THAT(error_of(doc),
             Catch::Contains("/families/profile/mobility/0/share: share 1.5 is outside [0, 1]") &&
                 Catch::Contains("in the override /families/profile_in_qpv"));
  CHECK(error_of(reunion_figures()).empty());
}

namespace {

struct shares_seen {
  double young{0}, job_search{0}, car{0}, walk{0}, infant{0}, two{0};
};

shares_seen draw_many(synth::profile_shares const& p, int n, std::uint64_t stream) {
  shares_seen s;
  for (int i = 0; i < n; ++i) {
    random_stream rng{42, {stream, static_cast<std::uint64_t>(i)}};
    auto const f = synth::draw_profile(p, rng);
    s.young += f.young ? 1 : 0;
    s.job_search += f.path == "job_search" ? 1 : 0;
    s.car += f.mobility == "car" ? 1 : 0;
    s.walk += f.mobility == "walk" ? 1 : 0;
    s.infant += f.age < 12 ? 1 : 0;
    s.two += f.kids == 2 ? 1 : 0;
  }
  for (auto* x : {&s.young, &s.job_search, &s.car, &s.walk, &s.infant, &s.two}) {
    *x /= n;
  }
  return s;
}

}  // namespace

TEST_CASE("profiles conditional on commune and QPV reproduce their shares on a generated population",
          "[synth][figures]") {
  auto doc = reunion_figures();
  // In QPV: fewer cars; in Cilaos (by name) and 97401 (by code): no bus, more young parents.
  doc["families"]["profile_in_qpv"] = json::parse(
      R"({"mobility": [{"mode": "car", "share": 0.30}, {"mode": "bus", "share": 0.40}, {"mode": "walk", "share": 0.30}]})");
  doc["families"]["profile_by_commune"] = json::parse(R"([
    {"commune": "Cilaos", "profile": {"parent_under_26": 0.6,
      "mobility": [{"mode": "car", "share": 0.8}, {"mode": "walk", "share": 0.2}]}},
    {"commune": "97401", "profile": {"infant_share": 0.5}}])");
  auto const f = fs::temp_directory_path() / ("avip_profiles_" + std::to_string(::getpid()) + ".json");
  std::ofstream{f} << doc.dump();
  auto const s = synth::read_synthesis_figures(f, reunion().world);
  fs::remove(f);
  std::size_t cilaos = 0;
  std::size_t avirons = 0;
  std::size_t le_port = 0;  // no override of its own
  for (std::size_t c = 0; c < reunion().world.communes.size(); ++c) {
    auto const& name = reunion().world.communes.name[sim::commune_idx::from(c)];
    cilaos = name == "Cilaos" ? c : cilaos;
    le_port = name == "Le Port" ? c : le_port;
    avirons = reunion().world.communes.code[sim::commune_idx::from(c)] == "97401" ? c : avirons;
  }
  int const n = 20000;
  double const tol = 0.015;  // about 3 binomial standard deviations at n = 20,000
  auto const plain = draw_many(s.families.profile_for(le_port, false), n, 1);
  CHECK(plain.young == Approx(0.38).margin(tol));
  CHECK(plain.job_search == Approx(0.35).margin(tol));
  CHECK(plain.car == Approx(0.55).margin(tol));
  CHECK(plain.infant == Approx(0.20).margin(tol));
  CHECK(plain.two == Approx(0.10).margin(tol));
  auto const qpv = draw_many(s.families.profile_for(le_port, true), n, 2);
  CHECK(qpv.car == Approx(0.30).margin(tol));
  CHECK(qpv.walk == Approx(0.30).margin(tol));
  CHECK(qpv.young == Approx(0.38).margin(tol));  // not overridden
  auto const mountain = draw_many(s.families.profile_for(cilaos, false), n, 3);
  CHECK(mountain.young == Approx(0.60).margin(tol));
  CHECK(mountain.car == Approx(0.80).margin(tol));
  CHECK(mountain.walk == Approx(0.20).margin(tol));
  // A commune override applies in and out of QPV (it is the more specific place).
  CHECK(draw_many(s.families.profile_for(cilaos, true), n, 4).car == Approx(0.80).margin(tol));
  CHECK(draw_many(s.families.profile_for(avirons, false), n, 5).infant == Approx(0.50).margin(tol));
}

TEST_CASE("single-parent shares follow each commune's figures and keep the territory's share",
          "[synth][figures]") {
  auto const& t = reunion();
  auto const s = synth::read_synthesis_figures(t);
  std::vector<int> families(t.world.communes.size(), 100);
  auto const shares = synth::single_parent_shares(t, s.families.single_parent, families);
  double mean = 0;
  double lo = 1;
  double hi = 0;
  for (double x : shares) {
    mean += x / static_cast<double>(shares.size());
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  CHECK(mean == Approx(0.40).margin(1e-9));
  CHECK(hi - lo > 0.05);  // the communes differ
  // Without by_commune columns: the same share everywhere.
  auto flat = s.families.single_parent;
  flat.households_field.clear();
  for (double x : synth::single_parent_shares(t, flat, families)) {
    CHECK(x == 0.40);
  }
}

TEST_CASE("the committed families reproduce each commune's single-parent share", "[synth][figures]") {
  auto const t = territory::load_territory(fs::path{AVIP_SOURCE_DIR} / "data/reunion/territory.json");
  auto const s = synth::read_synthesis_figures(t);
  auto const& fam = t.world.families;
  std::vector<int> n(t.world.communes.size(), 0);
  std::vector<int> single(t.world.communes.size(), 0);
  for (std::size_t i = 0; i < fam.size(); ++i) {
    auto const c = fam.commune[sim::family_idx::from(i)];
    REQUIRE(c.valid());
    n[c.index()] += 1;
    single[c.index()] += fam.single_parent[sim::family_idx::from(i)];
  }
  auto const shares = synth::single_parent_shares(t, s.families.single_parent, n);
  for (std::size_t c = 0; c < n.size(); ++c) {
    if (n[c] < 150) {
      continue;  // too few families for a share (and QPV shares move small communes most)
    }
    INFO(t.world.communes.name[sim::commune_idx::from(c)] << ": " << n[c] << " families");
    CHECK(static_cast<double>(single[c]) / n[c] == Approx(shares[c]).margin(0.06));
  }
}
