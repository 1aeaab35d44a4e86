#include "geo/file_hash.hpp"

#include <array>
#include <fstream>
#include <memory>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "core/error.hpp"

namespace avip::geo {

std::string file_sha256(std::string const& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in) {
    throw geo_error{fmt::format("{}: cannot read", path)};
  }
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), EVP_MD_CTX_free};
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  std::array<char, 1 << 16> buf{};
  while (in) {
    in.read(buf.data(), buf.size());
    EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), md.data(), &len);
  std::string hex;
  for (unsigned i = 0; i < len; ++i) {
    hex += fmt::format("{:02x}", md[i]);
  }
  return hex;
}

}  // namespace avip::geo
