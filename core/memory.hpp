#pragma once

#include <sys/resource.h>

namespace avip {

/// Peak resident memory of this process so far, in MB (what benchmarks and `--timings` report).
inline double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

}  // namespace avip
