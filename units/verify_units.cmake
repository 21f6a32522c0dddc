# ctest: `systemd-analyze verify` must print nothing for each unit, nor for a
# boot that starts them together with the guests' slice. The units name
# @bindir@/sevd, which is not installed at test time, so each is verified from
# a copy whose ExecStart points at the built binary.
file(GLOB units ${UNIT_DIR}/*.service ${SOURCE_DIR}/*.service)
set(work ${UNIT_DIR}/verify)
file(REMOVE_RECURSE ${work})
file(MAKE_DIRECTORY ${work})
set(failed FALSE)

# Verifies FILE (what it is, for the messages); sets `failed` on any output.
function(verify what file)
  execute_process(COMMAND ${SYSTEMD_ANALYZE} verify --man=no ${file}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT "${out}${err}" STREQUAL "")
    message(SEND_ERROR "systemd-analyze verify ${what} (exit ${rc}):\n${out}${err}")
    set(failed TRUE PARENT_SCOPE)
  else()
    message(STATUS "verified ${what}")
  endif()
endfunction()

set(names)
foreach(unit ${units})
  get_filename_component(name ${unit} NAME)
  if(name MATCHES "^org\\.")   # D-Bus activation files are not systemd units
    continue()
  endif()
  file(READ ${unit} text)
  string(REGEX REPLACE "(ExecStart(Pre|Post)?=[-@:+!]*)[^ \n]*/sevd" "\\1${BINARY}" text "${text}")
  file(WRITE ${work}/${name} "${text}")
  list(APPEND names ${name})
  verify(${name} ${work}/${name})
endforeach()

# A boot: basic.target, sevd's units (found beside the target, in ${work}),
# machine.slice and machined in one transaction, as when multi-user.target
# starts libvirtd. An ordering cycle shows only there; systemd would break it
# by deleting a job.
list(JOIN names " " wants)
file(WRITE ${work}/sevd-verify-boot.target
     "[Unit]\nDescription=A boot with sevd\nRequires=basic.target\n"
     "Wants=machine.slice systemd-machined.service ${wants}\n")
verify("a boot with ${wants}" ${work}/sevd-verify-boot.target)
if(failed)
  message(FATAL_ERROR "unit verification failed")
endif()
