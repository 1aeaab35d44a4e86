#pragma once

#include <vector>

#include "synth/synthesis_figures.hpp"
#include "territory/territory.hpp"

namespace avip::synth {

/// The share of single parents among the families of each commune. With the file's
/// `single_parent.by_commune` columns of the communes layer (single-parent households, households),
/// each commune's share is the territory's `share` × its ratio ÷ the ratio of the territory's
/// families (weighted by `families`, the families of each commune), so that the families of the
/// territory keep `share` in all; without them, `share` everywhere. A commune without figures keeps
/// the territory's ratio. Throws avip::data_error naming the communes file and field at fault.
std::vector<double> single_parent_shares(territory::territory const& t, single_parent_figures const& figures,
                                         std::vector<int> const& families);

}  // namespace avip::synth
