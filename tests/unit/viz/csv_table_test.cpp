#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "viz/csv_table.hpp"

using namespace avip;
namespace fs = std::filesystem;

namespace {

/// The cells of an RFC 4180 file (quoted cells may hold commas, semicolons and doubled quotes).
std::vector<std::vector<std::string>> parse(fs::path const& file) {
  std::ifstream in{file};
  std::stringstream ss;
  ss << in.rdbuf();
  auto const text = ss.str();
  std::vector<std::vector<std::string>> rows(1, std::vector<std::string>(1));
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char const c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        rows.back().back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        rows.back().back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().emplace_back();
    } else if (c == '\n') {
      rows.emplace_back(1);
    } else if (c != '\r') {
      rows.back().back() += c;
    }
  }
  if (rows.back() == std::vector<std::string>(1)) {
    rows.pop_back();
  }
  return rows;
}

fs::path dir() {
  auto const d = fs::temp_directory_path() / ("avip_csv_table_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

}  // namespace

TEST_CASE("write_csv: French labels, readers' number formats, quoted only where needed", "[viz]") {
  geo::output_layer l;
  l.name = "t";
  l.fields = {{"id", geo::field_type::text, "Identifiant"},
              {"hours", geo::field_type::text, "Horaires"},
              {"share", geo::field_type::real, "Part (%)"},
              {"n", geo::field_type::integer, ""},
              {"avip", geo::field_type::boolean, "Labellisée"}};
  l.rows.push_back({std::string{"Crèche \"Les P'tits\", Saint-Denis"},
                    std::string{"Mo-Fr 07:00-18:00; Sa 08:00-12:00"}, 0.1234567, std::int64_t{12}, true});
  l.rows.push_back({std::string{"b"}, geo::field_value{}, std::numeric_limits<double>::quiet_NaN(),
                    std::int64_t{0}, false});
  auto const f = dir() / "t.csv";
  viz::write_csv(f, l);
  auto const rows = parse(f);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0] == std::vector<std::string>{"Identifiant", "Horaires", "Part (%)", "n", "Labellisée"});
  CHECK(rows[1] == std::vector<std::string>{"Crèche \"Les P'tits\", Saint-Denis",
                                            "Mo-Fr 07:00-18:00; Sa 08:00-12:00", "0.123457", "12", "oui"});
  CHECK(rows[2] == std::vector<std::string>{"b", "", "", "0", "non"});
  // A number is never quoted (a spreadsheet reads it as a number).
  std::ifstream in{f};
  std::string header, first;
  std::getline(in, header);
  std::getline(in, first);
  CHECK(first.find(",0.123457,12,oui") != std::string::npos);
  // Written again, it replaces the file (as the atomic text writer does).
  viz::write_csv(f, {"a", "b"}, {{"1", "2"}});
  CHECK(parse(f) == std::vector<std::vector<std::string>>{{"a", "b"}, {"1", "2"}});
  // A table without rows keeps its header.
  auto const empty = dir() / "empty.csv";
  viz::write_csv(empty, {"Identifiant", "Horaires"}, {});
  CHECK(parse(empty) == std::vector<std::vector<std::string>>{{"Identifiant", "Horaires"}});
  fs::remove_all(dir());
}
