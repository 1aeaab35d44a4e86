# COIN-OR CBC (Debian coinor-libcbc-dev 2.10), the exact MIP solver of `avipsim optimize`, through its C API
# (Cbc_C_Interface.h) found by pkg-config. Optional: without it, optimize solves by the greedy only and
# says so in its report.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(AVIP_CBC QUIET IMPORTED_TARGET cbc)
endif()
if(AVIP_CBC_FOUND)
  if(NOT TARGET avip_cbc)
    add_library(avip_cbc INTERFACE)
    target_link_libraries(avip_cbc INTERFACE PkgConfig::AVIP_CBC)
  endif()
  message(STATUS "CBC ${AVIP_CBC_VERSION} found: avipsim optimize has its exact MIP")
else()
  message(STATUS "CBC not found (pkg-config cbc; Debian: apt-get install coinor-libcbc-dev): "
                 "avipsim optimize will solve by the greedy only")
endif()
