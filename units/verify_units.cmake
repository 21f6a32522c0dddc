# ctest: `systemd-analyze verify` must print nothing for each unit. The units
# name @bindir@/sevd, which is not installed at test time, so each is verified
# from a copy whose ExecStart points at the built binary.
file(GLOB units ${UNIT_DIR}/*.service ${SOURCE_DIR}/*.service)
set(work ${UNIT_DIR}/verify)
file(REMOVE_RECURSE ${work})
file(MAKE_DIRECTORY ${work})
set(failed FALSE)
foreach(unit ${units})
  get_filename_component(name ${unit} NAME)
  if(name MATCHES "^org\\.")   # D-Bus activation files are not systemd units
    continue()
  endif()
  file(READ ${unit} text)
  string(REGEX REPLACE "(ExecStart(Pre|Post)?=[-@:+!]*)[^ \n]*/sevd" "\\1${BINARY}" text "${text}")
  file(WRITE ${work}/${name} "${text}")
  execute_process(COMMAND ${SYSTEMD_ANALYZE} verify --man=no ${work}/${name}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT "${out}${err}" STREQUAL "")
    message(SEND_ERROR "systemd-analyze verify ${name} (exit ${rc}):\n${out}${err}")
    set(failed TRUE)
  else()
    message(STATUS "verified ${name}")
  endif()
endforeach()

# A boot: basic.target with sevd's units, the guests' slice and machined in one
# transaction, as when multi-user.target starts libvirtd. An ordering cycle
# shows only there (systemd then deletes a job to break it).
set(boot ${work}/sevd-verify-boot.target)
set(boot_units machine.slice systemd-machined.service)
foreach(unit ${units})
  get_filename_component(name ${unit} NAME)
  if(NOT name MATCHES "^org\\.")
    list(APPEND boot_units ${name}) # found beside the target, in ${work}
  endif()
endforeach()
list(JOIN boot_units " " wants)
file(WRITE ${boot} "[Unit]\nDescription=A boot with sevd\nRequires=basic.target\nWants=${wants}\n")
execute_process(COMMAND ${SYSTEMD_ANALYZE} verify --man=no ${boot}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT "${out}${err}" STREQUAL "")
  message(SEND_ERROR "systemd-analyze verify of a boot with sevd's units (exit ${rc}):\n${out}${err}")
  set(failed TRUE)
else()
  message(STATUS "verified a boot with ${wants}")
endif()
if(failed)
  message(FATAL_ERROR "unit verification failed")
endif()
