#include "viz/csv_table.hpp"

#include <cmath>
#include <type_traits>
#include <variant>

#include <fmt/format.h>

namespace avip::viz {

namespace {

std::string cell_text(geo::field_value const& v) {
  return std::visit(
      [](auto const& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return "";
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          return std::to_string(x);
        } else if constexpr (std::is_same_v<T, double>) {
          return std::isfinite(x) ? fmt::format("{:.6g}", x) : "";
        } else if constexpr (std::is_same_v<T, bool>) {
          return x ? "oui" : "non";
        } else {
          return x;
        }
      },
      v);
}

}  // namespace

void write_csv(std::filesystem::path const& file, geo::output_layer const& layer) {
  std::vector<std::string> columns;
  for (auto const& f : layer.fields) {
    columns.push_back(f.description.empty() ? f.name : f.description);
  }
  std::vector<std::vector<std::string>> rows;
  rows.reserve(layer.rows.size());
  for (auto const& row : layer.rows) {
    auto& out = rows.emplace_back();
    for (auto const& v : row) {
      out.push_back(cell_text(v));
    }
  }
  write_csv(file, columns, rows);
}

void write_csv(std::filesystem::path const& file, std::vector<std::string> const& columns,
               std::vector<std::vector<std::string>> const& rows) {
  geo::write_csv_table(file.string(), columns, rows);
}

}  // namespace avip::viz
