# Debian liblemon-dev ships a config that sets LEMON_INCLUDE_DIRS / LEMON_LIBRARIES but no imported
# target: wrap them in one so that the rest of the build stays target-based.
find_package(lemon CONFIG REQUIRED)
if(NOT TARGET avip_lemon)
  add_library(avip_lemon INTERFACE)
  target_include_directories(avip_lemon SYSTEM INTERFACE ${LEMON_INCLUDE_DIRS})
  # Debian's static liblemon is built with GLPK as its LP solver (lemon::Lp): link GLPK too.
  find_library(AVIP_GLPK_LIBRARY glpk REQUIRED)
  target_link_libraries(avip_lemon INTERFACE ${LEMON_LIBRARIES} ${AVIP_GLPK_LIBRARY})
endif()
