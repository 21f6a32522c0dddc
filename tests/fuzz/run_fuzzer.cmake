# Runs one libFuzzer binary for a bounded time (ctest, SEVD_FUZZ=ON):
#   cmake -DFUZZER=bin -DSEEDS=dir -DREGRESSIONS=dir -DSECONDS=n -DARTIFACTS=dir -P run_fuzzer.cmake
# The fuzzer works on a temporary copy of the seeds and regressions, so the
# inputs it adds never touch the source tree or the next run; the copy is
# removed afterwards. A crash is kept in ARTIFACTS; to turn it into a
# regression test, copy it into REGRESSIONS and fix the code.
foreach(var FUZZER SEEDS REGRESSIONS SECONDS ARTIFACTS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_fuzzer.cmake: -D${var}= is required")
  endif()
endforeach()

get_filename_component(name ${FUZZER} NAME)
if(DEFINED ENV{TMPDIR} AND IS_DIRECTORY "$ENV{TMPDIR}")
  set(tmp "$ENV{TMPDIR}")
else()
  set(tmp /tmp)
endif()
string(RANDOM LENGTH 10 suffix)
set(corpus ${tmp}/sevd-${name}-${suffix})
file(MAKE_DIRECTORY ${corpus} ${ARTIFACTS})
file(GLOB inputs LIST_DIRECTORIES false ${SEEDS}/* ${REGRESSIONS}/*)
file(COPY ${inputs} DESTINATION ${corpus})
list(LENGTH inputs count)
message(STATUS "${name}: ${count} seed/regression inputs, fuzzing for ${SECONDS} s in ${corpus}")

# -timeout: one input taking this long is a hang (a bug). -rss_limit_mb: the
# decoders never need much; far above it is a leak or a blow-up.
execute_process(
  COMMAND ${FUZZER} -max_total_time=${SECONDS} -timeout=10 -rss_limit_mb=1024
          -print_final_stats=1 -artifact_prefix=${ARTIFACTS}/ ${corpus}
  RESULT_VARIABLE result)
file(REMOVE_RECURSE ${corpus})
if(NOT result EQUAL 0)
  file(GLOB crashes ${ARTIFACTS}/*)
  message(FATAL_ERROR "${name} failed (${result}); inputs kept: ${crashes}\n"
                      "Reproduce: ${FUZZER} <input>; once fixed, copy the input into ${REGRESSIONS}/")
endif()
