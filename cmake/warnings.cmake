# avip_set_warnings(target): project warnings as PRIVATE options; -Werror when AVIP_WERROR (CI).
function(avip_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Wcast-align -Woverloaded-virtual
                                           # GCC 12 reports false -Wrestrict positives inside
                                           # std::string (GCC bug 105329) at -O2; off until GCC 13.
                                           $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>)
  if(AVIP_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# avip_library(name DEPS ...): a library made of every .cpp in the current folder.
function(avip_library name)
  cmake_parse_arguments(ARG "" "" "PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  if(NOT sources)  # a module whose sources are still to come
    set(sources ${CMAKE_CURRENT_BINARY_DIR}/${name}_empty.cpp)
    file(WRITE ${sources} "// no sources yet\n")
  endif()
  add_library(${name} STATIC ${sources})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  avip_set_warnings(${name})
endfunction()
