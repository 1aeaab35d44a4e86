#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "geo/projection.hpp"

namespace avip::geo {

/// The bus lines of a GTFS feed as a map draws them, from the trips of the day read_gtfs keeps: one
/// line per route and shape (shapes.txt, through the trips' shape_id) and, for the trips without a
/// shape (no shape_id, one shapes.txt lacks, or no shapes.txt), one per route and stop sequence.
struct gtfs_lines {
  struct line {
    std::string route;
    std::string shape;       ///< shape_id; empty for a line drawn through its stops
    std::vector<xy> lonlat;  ///< WGS84
    std::size_t stops{0};    ///< stops of its longest stop sequence
    std::size_t trips{0};    ///< trips of the day it draws
  };
  std::vector<line> lines;             ///< in the order of the feed's patterns
  std::vector<std::string> route_ids;  ///< every route of the feed, sorted (gtfs_feed::route_ids)
};

/// Reads the lines of a feed (a zip or a folder, as read_gtfs); `use_shapes` false draws every line
/// through its stops. Throws avip::geo_error as read_gtfs does, and for a malformed shapes.txt (naming
/// its file and line): a missing column, an empty shape_id, a bad coordinate or sequence, a
/// shape_pt_sequence twice in one shape. A shape of fewer than two points draws nothing: its trips
/// are drawn through their stops.
gtfs_lines read_gtfs_lines(std::string const& path, bool use_shapes = true);

}  // namespace avip::geo
