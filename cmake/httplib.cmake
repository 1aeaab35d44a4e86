# cpp-httplib (Debian libcpp-httplib-dev): the HTTP server of `avipsim serve`. Optional: without it the
# map editor is not built (HTTPLIB_FOUND off) and `avipsim serve` says so. Debian ships it compiled
# (libcpp-httplib.so) with a pkg-config file whose flags must match the library's build.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(HTTPLIB QUIET IMPORTED_TARGET GLOBAL cpp-httplib)  # GLOBAL: tests link it too
endif()
if(NOT HTTPLIB_FOUND)
  message(STATUS "cpp-httplib not found: avipsim serve (the map editor) is not built")
endif()
