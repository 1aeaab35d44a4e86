#include "scenarios/uncertainty.hpp"

#include <cmath>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "scenarios/param_bindings.hpp"
#include "scenarios/problems.hpp"
#include "territory/json_file.hpp"

namespace avip::scenarios {

namespace {

using json = nlohmann::json;
using kind = sensitivity::distribution::kind;

std::optional<double> number_at(json const& j, std::string const& key, std::string const& pointer,
                                problems& p) {
  if (!j.contains(key)) {
    p.add(pointer, fmt::format("missing '{}'", key));
    return std::nullopt;
  }
  if (!j.at(key).is_number()) {
    p.add(pointer + "/" + key, fmt::format("expected a number, got {}", j.at(key).type_name()));
    return std::nullopt;
  }
  return j.at(key).get<double>();
}

void check_range(sensitivity::parameter const& q, param_binding const& b, problems& p) {
  auto const& d = q.spread;
  if (d.min() < b.lo || d.max() > b.hi) {
    p.add(q.pointer, fmt::format("'{}' must stay within its valid range [{:g}, {:g}]; the distribution spans "
                                 "[{:g}, {:g}]",
                                 q.name, b.lo, b.hi, d.min(), d.max()));
  }
  if (d.type != kind::discrete && d.low > d.high) {
    p.add(q.pointer + "/low", fmt::format("low ({:g}) is above high ({:g})", d.low, d.high));
  }
  if (d.type == kind::triangular && (d.mode < d.low || d.mode > d.high)) {
    p.add(q.pointer + "/mode", fmt::format("mode ({:g}) is outside [{:g}, {:g}]", d.mode, d.low, d.high));
  }
  if (q.integer && d.type == kind::discrete) {
    for (double v : d.values) {
      if (v != std::floor(v)) {
        p.add(q.pointer + "/values", fmt::format("'{}' takes whole numbers, got {:g}", q.name, v));
      }
    }
  }
}

sensitivity::parameter read_parameter(json const& j, std::string const& pointer, problems& p) {
  sensitivity::parameter q;
  q.pointer = pointer;
  if (!j.is_object()) {
    p.add(pointer,
          fmt::format("expected an object (name, distribution, justification), got {}", j.type_name()));
    return q;
  }
  for (auto const& [key, value] : j.items()) {
    static std::set<std::string> const allowed{"name", "distribution", "low",          "mode",
                                               "high", "values",       "justification"};
    if (allowed.count(key) == 0) {
      p.add(pointer + "/" + key, fmt::format("unknown key '{}'", key));
    }
  }
  if (!j.contains("name") || !j.at("name").is_string()) {
    p.add(pointer + "/name", "expected the parameter's name (a string)");
    return q;
  }
  q.name = j.at("name").get<std::string>();
  if (!j.contains("justification") || !j.at("justification").is_string() ||
      j.at("justification").get<std::string>().empty()) {
    p.add(pointer + "/justification", "every range needs its justification (a non-empty string)");
  } else {
    q.justification = j.at("justification").get<std::string>();
  }
  auto const dist = j.value("distribution", std::string{});
  auto& d = q.spread;
  if (dist == "uniform" || dist == "triangular") {
    d.type = dist == "uniform" ? kind::uniform : kind::triangular;
    d.low = number_at(j, "low", pointer, p).value_or(0.0);
    d.high = number_at(j, "high", pointer, p).value_or(0.0);
    if (d.type == kind::triangular) {
      d.mode = number_at(j, "mode", pointer, p).value_or(d.low);
    }
  } else if (dist == "discrete") {
    d.type = kind::discrete;
    if (!j.contains("values") || !j.at("values").is_array() || j.at("values").empty()) {
      p.add(pointer + "/values", "expected a non-empty array of numbers");
    } else {
      for (std::size_t i = 0; i < j.at("values").size(); ++i) {
        auto const& v = j.at("values")[i];
        if (!v.is_number()) {
          p.add(fmt::format("{}/values/{}", pointer, i),
                fmt::format("expected a number, got {}", v.type_name()));
        } else {
          d.values.push_back(v.get<double>());
        }
      }
    }
  } else {
    p.add(pointer + "/distribution",
          fmt::format("expected uniform, triangular or discrete, got {}",
                      j.contains("distribution") ? j.at("distribution").dump() : std::string{"nothing"}));
  }
  return q;
}

/// The synthesis seed: whole numbers from 0 to kMaxSynthesisSeed, from a list or a uniform range.
void check_seed(sensitivity::parameter const& q, problems& p) {
  auto const& d = q.spread;
  if (d.type == kind::triangular) {
    p.add(q.pointer + "/distribution",
          fmt::format("'{}' is a list of seeds (discrete) or a range of them (uniform, each whole number "
                      "equally likely), not triangular",
                      kSynthesisSeed));
    return;
  }
  auto whole = [](double v) { return v == std::floor(v) && v >= 0 && v <= kMaxSynthesisSeed; };
  if (d.type == kind::discrete) {
    for (std::size_t i = 0; i < d.values.size(); ++i) {
      if (!whole(d.values[i])) {
        p.add(fmt::format("{}/values/{}", q.pointer, i),
              fmt::format("a seed is a whole number from 0 to {:.0f}, got {:g}", kMaxSynthesisSeed,
                          d.values[i]));
      }
    }
    return;
  }
  for (auto const& [key, v] : {std::pair{"low", d.low}, std::pair{"high", d.high}}) {
    if (!whole(v)) {
      p.add(fmt::format("{}/{}", q.pointer, key),
            fmt::format("a seed is a whole number from 0 to {:.0f}, got {:g}", kMaxSynthesisSeed, v));
    }
  }
  if (d.low > d.high) {
    p.add(q.pointer + "/low", fmt::format("low ({:g}) is above high ({:g})", d.low, d.high));
  }
}

}  // namespace

int uncertainty::synthesis_seed() const {
  for (std::size_t j = 0; j < parameters.size(); ++j) {
    if (parameters[j].name == kSynthesisSeed) {
      return static_cast<int>(j);
    }
  }
  return -1;
}

uncertainty read_uncertainty(std::filesystem::path const& file) {
  auto const j = territory::read_json_file<scenario_error>(file, "uncertainty");
  uncertainty u;
  u.file = file;
  problems p{file.string()};
  if (!j.is_object()) {
    p.add("", fmt::format("expected an object with \"parameters\", got {}", j.type_name()));
    p.throw_if_any();
  }
  for (auto const& [key, value] : j.items()) {
    if (key != "$schema" && key != "description" && key != "parameters" && key != "replications") {
      p.add("/" + key, fmt::format("unknown key '{}' (expected description, parameters, replications)", key));
    }
  }
  u.description = j.value("description", std::string{});
  if (j.contains("replications")) {
    auto const& r = j.at("replications");
    if (!r.is_number_integer() || r.get<long long>() < 1 || r.get<long long>() > 100000) {
      p.add("/replications", fmt::format("expected a whole number in [1, 100000], got {}", r.dump()));
    } else {
      u.replications = r.get<int>();
    }
  }
  if (!j.contains("parameters") || !j.at("parameters").is_array() || j.at("parameters").empty()) {
    p.add("/parameters", "expected a non-empty array of uncertain parameters");
    p.throw_if_any();
  }
  std::set<std::string> seen;
  auto const& list = j.at("parameters");
  for (std::size_t i = 0; i < list.size(); ++i) {
    auto q = read_parameter(list[i], fmt::format("/parameters/{}", i), p);
    if (q.name.empty()) {
      continue;
    }
    if (q.name == kSynthesisSeed) {
      if (!seen.insert(q.name).second) {
        p.add(q.pointer + "/name", fmt::format("'{}' is given twice", q.name));
      }
      q.integer = true;
      check_seed(q, p);
      u.parameters.push_back(std::move(q));
      continue;
    }
    auto const* b = find_param(q.name);
    if (b == nullptr) {
      p.add(q.pointer + "/name",
            fmt::format("unknown parameter '{}' (any name of the scenario's \"params\", or {})", q.name,
                        kSynthesisSeed));
      continue;
    }
    if (!seen.insert(q.name).second) {
      p.add(q.pointer + "/name", fmt::format("'{}' is given twice", q.name));
    }
    q.integer = b->integer;
    check_range(q, *b, p);
    u.parameters.push_back(std::move(q));
  }
  p.throw_if_any();
  return u;
}

bool is_uncertainty_file(std::filesystem::path const& file) {
  try {
    auto const j = territory::read_json_file<scenario_error>(file, "uncertainty");
    return j.is_object() && j.contains("parameters") && !j.contains("territory") && !j.contains("base") &&
           !j.contains("edits");
  } catch (error const&) {
    return false;  // the scenario reader reports what is wrong with the file
  }
}

std::string describe(uncertainty const& u) {
  std::string s = fmt::format("ok: uncertainty file {}: {} parameters, {} replications per point\n",
                              u.file.string(), u.parameters.size(), u.replications);
  for (auto const& q : u.parameters) {
    s += fmt::format("  {}: {}\n", q.name, q.describe());
  }
  return s;
}

}  // namespace avip::scenarios
