#include "fuzz/fuzz_support.hpp"

#include <cstdlib>
#include <fstream>
#include <system_error>

#include <unistd.h>

namespace avip::fuzz {

namespace fs = std::filesystem;

namespace {

struct folder_remover {
  fs::path dir;
  ~folder_remover() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

}  // namespace

fs::path work_folder() {
  static folder_remover const folder{[] {
    auto dir = fs::temp_directory_path() / ("avip-fuzz-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    return dir;
  }()};
  return folder.dir;
}

void write_file(fs::path const& file, std::string_view bytes) {
  std::ofstream out{file, std::ios::binary | std::ios::trunc};
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::abort();  // the fuzzer's own temp folder is broken: not a finding in the code under test
  }
}

void link_to(fs::path const& target, fs::path const& link) {
  std::error_code ec;
  fs::remove(link, ec);
  fs::create_symlink(target, link);
}

}  // namespace avip::fuzz
