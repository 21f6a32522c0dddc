# Runs sdbus-c++-xml2cpp on one interface XML (cmake -P script, called by the
# build). The tool warns on stderr for every DocString annotation it does not
# use; that is noise, so its output is shown only when it fails.
execute_process(COMMAND ${TOOL} ${XML} --adaptor=${ADAPTOR} --proxy=${PROXY}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "sdbus-c++-xml2cpp ${XML} failed (${rc}):\n${out}${err}")
endif()
