#pragma once

#include <string>
#include <string_view>

#include "sim/week_mask.hpp"

namespace avip::sim {

/// Parses the subset of OpenStreetMap `opening_hours` that timetables of childcare use:
/// rules separated by `;`, each `<days> <times>` or `<days> off`, days as ranges and lists
/// (`Mo-Fr`, `Mo,Tu,Th,Fr`, `Sa`), times as ranges (`07:00-18:30,19:00-21:00`), `24/7`, ranges past
/// midnight (`20:00-02:00` continues the next day), and `PH off` (public holidays, ignored).
/// Throws avip::data_error naming the offending part; callers add the file and feature.
week_mask parse_opening_hours(std::string_view text);

/// The reverse: a compact `opening_hours` text for a mask (days with identical hours grouped).
std::string format_opening_hours(week_mask const& mask);

}  // namespace avip::sim
