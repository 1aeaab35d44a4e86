#pragma once

#include <filesystem>
#include <optional>
#include <vector>

#include "territory/territory.hpp"

namespace avip::synth {

/// The CAF figures of one QPV in one edition of the INSEE / CNAF per-QPV statistics.
struct qpv_figures {
  int edition{0};              ///< the edition read: the one asked, or the last earlier one when it is secret
  double caf_households{0.0};  ///< CAF allocataires (INSEE/CNAF `A`)
  double single_parent_households{0.0};  ///< single-parent allocataires (`AM`)
  double couples_with_children{0.0};     ///< couples with children (`ACAVENF`)
  double children_0_2{0.0};              ///< children aged 0–2 covered by the CAF (`ENF_2`)
  double rsa_households{0.0};            ///< allocataires receiving the RSA (`ARSAS`)

  /// Single parents among the allocataires with children, AM ÷ (AM + ACAVENF): the QPV's counterpart
  /// of the island's 40 % of single-parent families with a child under 3.
  [[nodiscard]] double single_parent_share() const;
  /// Children aged 0–2 living in an RSA household if RSA and children are independent within the QPV:
  /// ENF_2 × ARSAS ÷ A. Its share of the island's counterpart places the RSA families with a child under 3.
  [[nodiscard]] double children_0_2_in_rsa() const;
};

/// Per-QPV figures for the synthesis: the edition it takes as input and the one kept to check it.
struct qpv_statistics {
  std::filesystem::path file;
  int edition{0};
  int check_edition{0};            ///< 0 when the manifest names none
  std::vector<qpv_figures> input;  ///< indexed like world.qpvs
  std::vector<qpv_figures> check;  ///< indexed like world.qpvs; empty without a check edition
  /// QPV whose figures come from an earlier edition than asked (statistical secrecy), by code.
  std::vector<std::string> earlier_input;
};

/// Reads the manifest's `synthesis.qpv_statistics` (`path` relative to the manifest, `edition`,
/// optional `check_edition`, `fields`: contract name -> column, for `year`, `code`, `caf_households`,
/// `single_parent_households`, `couples_with_children`, `children_0_2`, `rsa_households`). nullopt
/// when the manifest names no statistics or the territory has no QPV layer. A QPV whose figures are
/// missing (secret) in the edition asked takes those of the last earlier edition that has them.
/// Throws avip::data_error naming the file and the QPV when a QPV of the layer has none, e.g. after
/// a new QPV list was dropped in without its statistics.
std::optional<qpv_statistics> read_qpv_statistics(territory::territory const& t);

}  // namespace avip::synth
