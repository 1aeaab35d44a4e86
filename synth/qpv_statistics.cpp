#include "synth/qpv_statistics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "geo/vector_reader.hpp"

namespace avip::synth {

namespace {

using json = nlohmann::json;

/// A number, or nullopt when the cell is empty, null or not a number (secret figures are empty).
std::optional<double> number(geo::feature_table const& t, std::size_t row, std::string const& field) {
  auto const c = t.column(field);
  if (!c || !t.values[*c][row] || t.values[*c][row]->empty()) {
    return std::nullopt;
  }
  auto const& s = *t.values[*c][row];
  char* end = nullptr;
  double const x = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0' || !std::isfinite(x) || x < 0) {
    return std::nullopt;
  }
  return x;
}

/// Figures of every code, by edition (only rows where every figure is given).
using by_code = std::map<std::string, std::map<int, qpv_figures>>;

by_code figures_by_code(geo::feature_table const& table) {
  by_code all;
  for (std::size_t i = 0; i < table.size(); ++i) {
    auto const year = number(table, i, "year");
    auto const a = number(table, i, "caf_households");
    auto const am = number(table, i, "single_parent_households");
    auto const couples = number(table, i, "couples_with_children");
    auto const children = number(table, i, "children_0_2");
    auto const rsa = number(table, i, "rsa_households");
    if (!year || !a || !am || !couples || !children || !rsa) {
      continue;  // secret or missing in this edition
    }
    int const edition = static_cast<int>(*year);
    all[table.text(i, "code")][edition] = {edition, *a, *am, *couples, *children, *rsa};
  }
  return all;
}

/// Reads /synthesis/qpv_statistics of the manifest into `s` (file, editions) and `options` (field
/// mapping); false when the manifest has none.
bool read_spec(std::filesystem::path const& manifest_path, qpv_statistics& s, geo::read_options& options) {
  std::ifstream in{manifest_path};
  auto where = [&](std::string const& key) {
    return fmt::format("{}: /synthesis/qpv_statistics/{}", manifest_path.string(), key);
  };
  try {
    auto const manifest = json::parse(in);
    json::json_pointer const ptr{"/synthesis/qpv_statistics"};
    if (!manifest.contains(ptr)) {
      return false;
    }
    auto const& spec = manifest.at(ptr);
    if (!spec.is_object() || !spec.contains("path") || !spec.at("path").is_string()) {
      throw data_error{where("path") + ": expected a file path"};
    }
    if (!spec.contains("edition") || !spec.at("edition").is_number_integer()) {
      throw data_error{where("edition") + ": expected the year of the edition to use, e.g. 2022"};
    }
    s.file = manifest_path.parent_path() / spec.at("path").get<std::string>();
    s.edition = spec.at("edition").get<int>();
    s.check_edition = spec.value("check_edition", 0);
    if (spec.contains("fields")) {
      for (auto const& [k, v] : spec.at("fields").items()) {
        options.field_map[k] = v.get<std::string>();
      }
    }
  } catch (json::exception const& e) {
    throw data_error{fmt::format("{} ({})", where(""), e.what())};
  }
  return true;
}

/// The figures of `code` in `edition`, or in the last earlier edition that has them.
std::optional<qpv_figures> figures_for(by_code const& all, std::string const& code, int edition) {
  auto const it = all.find(code);
  if (it == all.end()) {
    return std::nullopt;
  }
  auto e = it->second.upper_bound(edition);
  if (e == it->second.begin()) {
    return std::nullopt;
  }
  return std::prev(e)->second;
}

}  // namespace

double qpv_figures::single_parent_share() const {
  double const with_children = single_parent_households + couples_with_children;
  return with_children > 0 ? single_parent_households / with_children : 0.0;
}

double qpv_figures::children_0_2_in_rsa() const {
  return caf_households > 0 ? children_0_2 * rsa_households / caf_households : 0.0;
}

std::optional<qpv_statistics> read_qpv_statistics(territory::territory const& t) {
  if (t.world.qpvs.size() == 0) {
    return std::nullopt;
  }
  qpv_statistics s;
  geo::read_options options;
  if (!read_spec(t.manifest, s, options)) {
    return std::nullopt;
  }
  auto const table = geo::read_vector(s.file.string(), options);
  for (auto const* field : {"year", "code", "caf_households", "single_parent_households",
                            "couples_with_children", "children_0_2", "rsa_households"}) {
    if (!table.column(field)) {
      throw data_error{
          fmt::format("{}: no column for '{}' (map it in /synthesis/qpv_statistics/fields of {})",
                      s.file.string(), field, t.manifest.string())};
    }
  }
  auto const all = figures_by_code(table);
  auto const& codes = t.world.qpvs.code;
  auto fill = [&](int edition, std::vector<qpv_figures>& out, std::vector<std::string>* earlier) {
    for (std::size_t q = 0; q < codes.size(); ++q) {
      auto const& code = codes[sim::qpv_idx::from(q)];
      auto const f = figures_for(all, code, edition);
      if (!f) {
        throw data_error{fmt::format(
            "{}: no figures for QPV '{}' in edition {} or earlier; give the statistics of the QPV list "
            "the territory uses, or remove /synthesis/qpv_statistics from {}",
            s.file.string(), code, edition, t.manifest.string())};
      }
      if (earlier != nullptr && f->edition != edition) {
        earlier->push_back(code);
      }
      out.push_back(*f);
    }
  };
  fill(s.edition, s.input, &s.earlier_input);
  std::sort(s.earlier_input.begin(), s.earlier_input.end());
  if (s.check_edition != 0) {
    fill(s.check_edition, s.check, nullptr);
  }
  return s;
}

}  // namespace avip::synth
