#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/world.hpp"
#include "territory/territory.hpp"

namespace avip::synth {

/// A categorical distribution read as a list of {value, share}: `find(u)` is the first value whose
/// cumulative share exceeds the uniform draw `u`, or size() when the shares leave a remainder (the
/// "nothing changes" case of an optional draw).
struct categorical {
  std::vector<std::string> values;
  std::vector<double> cumulative;  ///< rounded to 1e-12, so 0.78 + 0.10 is the 0.88 a reader means
  [[nodiscard]] std::size_t find(double u) const;
  [[nodiscard]] std::string const& draw(double u) const {
    return values[std::min(find(u), values.size() - 1)];
  }
  [[nodiscard]] std::size_t size() const { return values.size(); }
};

struct int_range {
  int lo{0};
  int hi{0};
};

struct real_range {
  double lo{0.0};
  double hi{0.0};
};

/// Shares of the profile of a family in insertion (seed-000 figures for La Réunion).
struct profile_shares {
  double parent_under_26{0.0};
  categorical path;                               ///< insertion path
  std::map<std::string, std::string> path_hours;  ///< childcare hours each path needs
  std::vector<std::string> atypical_paths;        ///< paths that may need atypical hours
  categorical atypical;                           ///< leaves a remainder: hours unchanged
  std::vector<bool> atypical_appends;             ///< per atypical value: appended to the path's hours
  categorical mobility;
  double infant_share{0.0};  ///< youngest child under 1
  int_range infant_age_months;
  int_range toddler_age_months;
  double two_children_under_3{0.0};
  double disabled_child{0.0};
};

/// A commune that the published figures pin (counts of structures, places, networks).
struct pinned_commune {
  std::size_t commune{0};
  std::optional<int> micro_creches;
  std::optional<int> micro_creche_places;  ///< places of each of its micro-crèches
  std::optional<int> other_eaje;
  std::vector<std::pair<std::string, int>> other_eaje_kinds;  ///< in order; empty = drawn
  std::optional<int> eaje_places;                             ///< of all its EAJE (micro included)
  std::optional<int> assmat;
  std::string source;
  std::map<std::string, std::string> rows;  ///< "eaje", "eaje_places", "assmat" -> calibration target
};

/// An EAJE of a field experiment, named so that scenarios can select it.
struct named_experiment {
  std::size_t commune{0};
  std::string name, id, network;
};

/// A network of assistants maternels in a field experiment: its first `count` of the commune.
struct assmat_network {
  std::size_t commune{0};
  std::string network;
  int count{0};
  std::vector<int> places;  ///< per member; empty = drawn as the others
  bool in_qpv{false};
};

struct baby_bus {
  std::size_t commune{0};
  std::vector<std::string> site_hours;
};

struct facility_figures {
  std::string source;         ///< where the counts come from (calibration.csv `source`)
  std::string calibrated_on;  ///< in each facility's `source` field
  std::string named_in;       ///< where the experiments are named
  int label_year{0};
  std::string eaje_count_source;
  int eaje_places{0};
  int micro_creches{0};
  int micro_places{0};
  int_range micro_places_range;
  int micro_jitter{0};
  int other_eaje{0};
  int_range other_places_range;
  int other_jitter{0};
  categorical other_kinds;
  categorical eaje_hours;
  real_range eaje_occupancy;
  int assmat{0};
  double assmat_four_places{0.0};
  categorical assmat_hours;
  real_range assmat_occupancy;
  std::vector<pinned_commune> pinned;
  int labelled{0};
  int label_rounds{0};
  std::string labelled_source;
  std::vector<named_experiment> experiments;
  std::vector<assmat_network> assmat_networks;
  int baby_bus_places{0};
  double baby_bus_occupancy{0.0};
  std::string baby_bus_manager;
  std::vector<baby_bus> baby_buses;
};

/// A published count of QPV residents in one commune: a number, or a share of its population.
struct published_qpv {
  std::size_t commune{0};
  double residents{0.0};
  double share{0.0};
};

struct qpv_figures_target {
  std::string source;
  std::string list_prefix;  ///< codes of the list the figures describe (e.g. "QP" for 2015)
  int count{0};
  double residents{0.0};
  int communes{0};
  std::vector<published_qpv> published;  ///< sorted by commune name
  int other_communes{0};                 ///< grown: the communes with most low-income households
  std::string grown_code_prefix;
  std::string grid_source;
};

/// Where the share of single parents of each commune comes from.
struct single_parent_figures {
  double share{0.0};  ///< of the territory's families with a child under 3
  std::string source;
  /// Columns of the communes layer (single-parent households, households) that make the share vary
  /// by commune around `share`; empty = the same share everywhere.
  std::string households_field;
  std::string single_parent_field;
};

struct family_figures {
  double children_under_3{0.0};
  double rsa_people_covered{0.0};
  double population{0.0};
  double children_per_family{1.0};
  std::string target_source;
  double caf_children_under_3{0.0};
  double caf_allocataires{0.0};
  double rsa_households{0.0};
  std::string island_rsa_children_source;  ///< the denominator of the QPV shares
  std::string rsa_households_source;
  double low_income_child_weight{0.0};  ///< children 0–3 weight beside low-income households
  single_parent_figures single_parent;
  std::string profile_source;
  profile_shares profile;
  /// Profiles of families in QPV and of given communes: the default with some shares replaced.
  std::optional<profile_shares> profile_in_qpv;
  std::map<std::size_t, profile_shares> profile_by_commune;
  std::map<std::size_t, profile_shares> profile_by_commune_in_qpv;

  /// Families in the territory: its children under 3 × the RSA coverage ÷ children per family.
  [[nodiscard]] double target() const {
    return children_under_3 * (rsa_people_covered / population) / children_per_family;
  }
  /// Children under 3 in RSA households, the counterpart of a QPV's ENF_2 × ARSAS ÷ A.
  [[nodiscard]] double children_in_rsa() const {
    return caf_children_under_3 * rsa_households / caf_allocataires;
  }
  [[nodiscard]] profile_shares const& profile_for(std::size_t commune, bool in_qpv) const;
};

/// Every figure the synthesis of one territory is calibrated on, and the places they apply to, read
/// from the file the manifest names in `synthesis.calibration` (see data/README.md).
struct synthesis_figures {
  std::filesystem::path file;
  double tolerance{0.05};  ///< largest calibration gap accepted
  /// Per calibration target, a tolerance replacing `tolerance` (e.g. shares of a few dozen families).
  std::map<std::string, double> tolerance_by_target;
  [[nodiscard]] double tolerance_of(std::string const& target) const {
    auto const it = tolerance_by_target.find(target);
    return it == tolerance_by_target.end() ? tolerance : it->second;
  }
  qpv_figures_target qpv;
  facility_figures facilities;
  family_figures families;
};

/// Reads the calibration file of `t` (manifest key `synthesis.calibration`, a path relative to the
/// manifest). Communes are named by INSEE code or name. Throws avip::data_error naming the file and
/// the JSON pointer at fault: a missing figure, a commune the territory lacks, a share outside [0, 1],
/// shares that do not sum to 1.
synthesis_figures read_synthesis_figures(territory::territory const& t);

/// The same from a file, for the communes of `w`.
synthesis_figures read_synthesis_figures(std::filesystem::path const& file, sim::world const& w);

}  // namespace avip::synth
