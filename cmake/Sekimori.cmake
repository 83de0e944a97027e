# Shared compile settings and the helpers that keep one target per module.

add_library(sekimori_options INTERFACE)
target_compile_options(sekimori_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow
  -Wnon-virtual-dtor -Wimplicit-fallthrough)
if(SEKIMORI_WERROR)
  target_compile_options(sekimori_options INTERFACE -Werror)
endif()
# GCC 12 reports -Wrestrict for plain std::string assignments once inlined at -O2
# (GCC bug 105329), which -Werror would turn into build failures.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(sekimori_options INTERFACE -Wno-restrict)
endif()
if(SEKIMORI_SANITIZE)
  string(REPLACE ";" "," _skm_san "${SEKIMORI_SANITIZE}")
  target_compile_options(sekimori_options INTERFACE -fsanitize=${_skm_san}
    -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(sekimori_options INTERFACE -fsanitize=${_skm_san})
endif()
if(SEKIMORI_FUZZ)
  target_compile_options(sekimori_options INTERFACE -fsanitize=fuzzer-no-link,address,undefined)
  target_link_options(sekimori_options INTERFACE -fsanitize=address,undefined)
endif()

# sekimori_module(NAME DEPS dep...) — a static library of src/NAME/*.cc.
function(sekimori_module name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB _srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${name}/*.cc
       ${CMAKE_CURRENT_SOURCE_DIR}/${name}/internal/*.cc)
  add_library(sekimori_${name} STATIC ${_srcs})
  target_include_directories(sekimori_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(sekimori_${name} PUBLIC sekimori_options ${ARG_DEPS})
endfunction()

# sekimori_unit_tests(MODULE) — one GoogleTest executable of tests/unit/MODULE/*_test.cc.
function(sekimori_unit_tests module)
  file(GLOB _srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/unit/${module}/*_test.cc)
  if(NOT _srcs)
    return()
  endif()
  add_executable(${module}_test ${_srcs})
  target_link_libraries(${module}_test PRIVATE sekimori_${module} GTest::gtest_main)
  target_compile_definitions(${module}_test PRIVATE
    SKM_SOURCE_DIR="${PROJECT_SOURCE_DIR}" SKM_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
  add_test(NAME unit.${module} COMMAND ${module}_test)
  set_tests_properties(unit.${module} PROPERTIES LABELS unit)
endfunction()
