#pragma once

#include <string>
#include <string_view>

#include "sim/week_mask.hpp"

namespace avip::sim {

/// Parses an OpenStreetMap `opening_hours` value (https://wiki.openstreetmap.org/wiki/Key:opening_hours/
/// specification) into the typical week the model simulates.
///
/// Supported, with the specification's meaning:
/// - rules separated by `;` (a normal rule: for the days it names it replaces what earlier rules said)
///   and by `,` before a new rule (an additional rule: `Mo-Fr 08:00-12:00, Sa 09:00-12:00` adds to
///   the earlier rules without replacing them); a trailing or doubled `;` is ignored;
/// - weekdays `Mo`…`Su` as lists and ranges (`Mo,We`, `Mo-Fr`, `Sa-Mo` wraps); no weekday = every day;
/// - times as lists of ranges (`08:00-12:00,14:00-18:00`, also with a space after the comma); no time
///   = the whole day; an end at or before the start, or past 24:00 up to 48:00, continues the next day
///   (`20:00-02:00`, `22:00-26:00`); times are rounded outward to 15-minute slots;
/// - `24/7`; modifiers `open` (the default), `off` and `closed`: an `off` rule closes the times it
///   selects (the whole day without times: `24/7; Su off`, `Mo-Fr 08:00-18:00; We 12:00-14:00 off`),
///   `off` alone closes everything; a comment in double quotes after a modifier is ignored;
/// - `PH` and `SH` (public and school holidays): the model simulates a typical week, so holiday rules
///   are ignored (`Su,PH off` closes Sunday); a value made only of holiday rules (`PH off`) says
///   nothing about the week and is refused, rather than closing the facility all week.
///
/// Refused, each with a message naming the part at fault: years, months and dates (`Dec 25`,
/// `Jan-Jun`), week numbers (`week 01-10`), `easter`, nth weekdays (`Mo[1]`), variable times
/// (`sunrise`, `sunset`, `dawn`, `dusk`), open ends (`18:00+`), points in time without an end,
/// `unknown` and comment-only rules (hours the model cannot simulate), fallback rules (`||`), empty
/// ranges (`10:00-10:00`), and values longer than kMaxOpeningHoursLength characters.
/// Throws avip::data_error; a message quotes at most 60 characters of the value; callers add the file
/// and feature.
week_mask parse_opening_hours(std::string_view text);

/// Longer values are refused (OSM tag values hold at most 255 characters).
inline constexpr std::size_t kMaxOpeningHoursLength = 1024;

/// The reverse: a compact `opening_hours` text for a mask (days with identical hours grouped; `off`
/// when closed all week).
std::string format_opening_hours(week_mask const& mask);

}  // namespace avip::sim
