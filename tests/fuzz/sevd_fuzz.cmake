# sevd_add_fuzzer(NAME SOURCES ... LIBS ... SEEDS ... [SEED_DIRS ...]): one fuzz
# target, registered in ctest under label `fuzz` as NAME.
#
# SEEDS are files (globs allowed; relative paths are under tests/fixtures/); each
# is copied into ${CMAKE_CURRENT_BINARY_DIR}/seeds/NAME/ under a flat name that
# keeps its host ("rome-7742_cpuid"). SEED_DIRS are hand-written seed folders
# (e.g. corpus/NAME) copied the same way. Inputs that once failed live in
# tests/fuzz/<area>/regressions/NAME/ and are always run too.
#
# SEVD_FUZZ=ON (clang): a libFuzzer binary, run for SEVD_FUZZ_SECONDS on a
# temporary copy of seeds + regressions (run_fuzzer.cmake); crashes are kept
# in ${PROJECT_BINARY_DIR}/fuzz-artifacts/NAME/.
# SEVD_FUZZ=OFF (any compiler): the same entry point linked with replay_main.cpp,
# which runs every seed and regression once: a regression test.
include_guard(GLOBAL)

set(SEVD_FUZZ_SECONDS 20 CACHE STRING "Seconds each fuzz target runs in ctest (SEVD_FUZZ=ON)")

# Builds every fuzz target: `cmake --build DIR --target sevd_fuzzers`.
add_custom_target(sevd_fuzzers)

function(sevd_add_fuzzer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;SEEDS;SEED_DIRS" ${ARGN})
  set(fuzz_dir ${CMAKE_CURRENT_FUNCTION_LIST_DIR})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_definitions(${name} PRIVATE SEVD_FIXTURES_DIR="${SEVD_FIXTURES_DIR}")
  target_link_libraries(${name} PRIVATE ${ARG_LIBS})
  add_dependencies(sevd_fuzzers ${name})

  set(seed_dir ${CMAKE_CURRENT_BINARY_DIR}/seeds/${name})
  file(REMOVE_RECURSE ${seed_dir})
  set(seed_count 0)
  foreach(pattern ${ARG_SEEDS})
    if(NOT IS_ABSOLUTE ${pattern})
      set(pattern ${SEVD_FIXTURES_DIR}/${pattern})
    endif()
    file(GLOB matches LIST_DIRECTORIES false ${pattern})
    foreach(seed ${matches})
      file(RELATIVE_PATH flat ${SEVD_FIXTURES_DIR} ${seed})
      if(flat MATCHES "^\\.\\.")
        file(RELATIVE_PATH flat ${PROJECT_SOURCE_DIR} ${seed})
      endif()
      string(REPLACE "/" "_" flat ${flat})
      configure_file(${seed} ${seed_dir}/${flat} COPYONLY)
      math(EXPR seed_count "${seed_count} + 1")
    endforeach()
  endforeach()
  foreach(dir ${ARG_SEED_DIRS})
    file(GLOB matches LIST_DIRECTORIES false ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/*)
    foreach(seed ${matches})
      get_filename_component(base ${seed} NAME)
      configure_file(${seed} ${seed_dir}/seed_${base} COPYONLY)
      math(EXPR seed_count "${seed_count} + 1")
    endforeach()
  endforeach()
  if(seed_count EQUAL 0)
    message(FATAL_ERROR "fuzz target ${name}: no seed matched ${ARG_SEEDS} ${ARG_SEED_DIRS}")
  endif()
  set(regressions ${CMAKE_CURRENT_SOURCE_DIR}/regressions/${name})

  if(SEVD_FUZZ)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    add_test(NAME ${name}
             COMMAND ${CMAKE_COMMAND} -DFUZZER=$<TARGET_FILE:${name}> -DSEEDS=${seed_dir}
                     -DREGRESSIONS=${regressions} -DSECONDS=${SEVD_FUZZ_SECONDS}
                     -DARTIFACTS=${PROJECT_BINARY_DIR}/fuzz-artifacts/${name}
                     -P ${fuzz_dir}/run_fuzzer.cmake)
    math(EXPR limit "${SEVD_FUZZ_SECONDS} + 120")
    set_tests_properties(${name} PROPERTIES LABELS fuzz TIMEOUT ${limit})
  else()
    target_sources(${name} PRIVATE ${fuzz_dir}/replay_main.cpp)
    add_test(NAME ${name} COMMAND ${name} ${seed_dir} ${regressions})
    set_tests_properties(${name} PROPERTIES LABELS fuzz)
  endif()
endfunction()
