#include "viz/svg_map.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

#include "geo/geometry_ops.hpp"

namespace avip::viz {

namespace {

std::string lerp_colour(double t, std::vector<std::array<int, 3>> const& stops) {
  t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0);
  double const pos = t * static_cast<double>(stops.size() - 1);
  auto const i = std::min(static_cast<std::size_t>(pos), stops.size() - 2);
  double const f = pos - static_cast<double>(i);
  auto c = [&](int k) {
    return static_cast<int>(std::lround(stops[i][static_cast<std::size_t>(k)] * (1 - f) +
                                        stops[i + 1][static_cast<std::size_t>(k)] * f));
  };
  return fmt::format("#{:02x}{:02x}{:02x}", c(0), c(1), c(2));
}

}  // namespace

std::string ramp_coverage(double share) {
  return lerp_colour(share, {{215, 48, 39}, {252, 141, 89}, {254, 224, 139}, {145, 207, 96}, {26, 152, 80}});
}
std::string ramp_unmet(double share) {
  return lerp_colour(share, {{252, 251, 253}, {188, 189, 220}, {117, 107, 177}, {63, 0, 125}});
}
std::string ramp_delta(double delta) {
  return lerp_colour((delta + 1.0) / 2.0,
                     {{202, 0, 32}, {244, 165, 130}, {247, 247, 247}, {146, 197, 222}, {5, 113, 176}});
}

std::string html_escape(std::string const& s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

svg_map::svg_map(double min_x, double min_y, double max_x, double max_y, int width)
    : min_x_{min_x}, max_y_{max_y}, width_{width} {
  double const w = std::max(1.0, max_x - min_x);
  double const h = std::max(1.0, max_y - min_y);
  scale_ = width / w;
  height_ = static_cast<int>(std::ceil(h * scale_));
}

void svg_map::polygon(geo::wkb const& g, std::string const& fill, std::string const& stroke,
                      double stroke_width, std::string const& title, double simplify) {
  std::string d;
  for (auto const& ring : geo::polygon_rings(g, simplify)) {
    for (std::size_t i = 0; i < ring.size(); ++i) {
      d += fmt::format("{}{:.1f},{:.1f}", i == 0 ? "M" : "L", sx(ring[i].x), sy(ring[i].y));
    }
    d += "Z";
  }
  body_ += fmt::format(
      "<path d=\"{}\" fill=\"{}\" stroke=\"{}\" stroke-width=\"{}\" "
      "fill-rule=\"evenodd\"><title>{}</title></path>\n",
      d, fill, stroke, stroke_width, html_escape(title));
}

void svg_map::square(double x, double y, double size, std::string const& fill, std::string const& title) {
  double const s = std::max(1.0, size * scale_);
  body_ += fmt::format(
      "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
      "fill=\"{}\"><title>{}</title></rect>\n",
      sx(x - size / 2), sy(y + size / 2), s, s, fill, html_escape(title));
}

void svg_map::circle(double x, double y, double radius_px, std::string const& fill, std::string const& stroke,
                     std::string const& title) {
  body_ += fmt::format(
      "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{}\" fill=\"{}\" stroke=\"{}\" "
      "stroke-width=\"0.6\"><title>{}</title></circle>\n",
      sx(x), sy(y), radius_px, fill, stroke, html_escape(title));
}

void svg_map::legend(std::vector<std::pair<std::string, std::string>> const& entries,
                     std::string const& caption) {
  legend_ = fmt::format(
      "<g font-size=\"12\" font-family=\"sans-serif\"><text x=\"8\" y=\"16\" font-weight=\"bold\">{}</text>",
      html_escape(caption));
  int y = 24;
  for (auto const& [colour, label] : entries) {
    legend_ += fmt::format(
        "<rect x=\"8\" y=\"{}\" width=\"14\" height=\"12\" fill=\"{}\" stroke=\"#555\" stroke-width=\"0.5\"/>"
        "<text x=\"28\" y=\"{}\">{}</text>",
        y, colour, y + 10, html_escape(label));
    y += 16;
  }
  legend_ += "</g>";
}

std::string svg_map::str() const {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"map\" viewBox=\"0 0 {} {}\" width=\"100%\" "
      "style=\"max-width:{}px\">\n<rect width=\"100%\" height=\"100%\" fill=\"#eaf2f8\"/>\n{}{}</svg>\n",
      width_, height_, width_, body_, legend_);
}

}  // namespace avip::viz
