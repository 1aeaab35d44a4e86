#include "synth/family_profile.hpp"

#include <algorithm>

namespace avip::synth {

family_profile draw_profile(profile_shares const& s, random_stream& rng) {
  family_profile f;
  f.young = rng.bernoulli(s.parent_under_26);
  f.path = s.path.draw(rng.uniform());
  f.hours = s.path_hours.at(f.path);
  auto const a = s.atypical.find(rng.uniform());
  bool const atypical_path =
      std::find(s.atypical_paths.begin(), s.atypical_paths.end(), f.path) != s.atypical_paths.end();
  if (atypical_path && a < s.atypical.size()) {
    f.hours = s.atypical_appends[a] ? f.hours + s.atypical.values[a] : s.atypical.values[a];
  }
  f.mobility = s.mobility.draw(rng.uniform());
  auto span = [](int_range r) { return static_cast<std::uint64_t>(r.hi - r.lo + 1); };
  f.age = rng.bernoulli(s.infant_share)
              ? s.infant_age_months.lo + static_cast<int>(rng.below(span(s.infant_age_months)))
              : s.toddler_age_months.lo + static_cast<int>(rng.below(span(s.toddler_age_months)));
  f.kids = rng.bernoulli(s.two_children_under_3) ? 2 : 1;
  f.disabled = rng.bernoulli(s.disabled_child);
  return f;
}

}  // namespace avip::synth
