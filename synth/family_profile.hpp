#pragma once

#include <string>

#include "core/random.hpp"
#include "synth/synthesis_figures.hpp"

namespace avip::synth {

/// The profile of a family in insertion, but for single parenthood (drawn per commune and QPV apart).
struct family_profile {
  bool young{false};  ///< parent under 26
  std::string path, hours, mobility;
  int age{18};  ///< of the youngest child, in months
  int kids{1};  ///< children under 3
  bool disabled{false};
};

/// Draws a profile from `shares`, in a fixed order on `rng` (parent's age, path, atypical hours,
/// mobility, child's age, children, disability), so that a stream gives the same family whatever
/// the shares of the other communes.
family_profile draw_profile(profile_shares const& shares, random_stream& rng);

}  // namespace avip::synth
