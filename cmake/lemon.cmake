# Debian liblemon-dev ships a config that sets LEMON_INCLUDE_DIRS / LEMON_LIBRARIES but no imported
# target: wrap them in one so that the rest of the build stays target-based.
find_package(lemon CONFIG REQUIRED)
if(NOT TARGET avip_lemon)
  add_library(avip_lemon INTERFACE)
  target_include_directories(avip_lemon SYSTEM INTERFACE ${LEMON_INCLUDE_DIRS})
  target_link_libraries(avip_lemon INTERFACE ${LEMON_LIBRARIES})
endif()
