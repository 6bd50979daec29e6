# Runs one test that wmiemu_add_provider_test added (cmake -P):
# -DWMIEMU_MODE=run|explore -DWMIEMU_SPEC=<file written at configure time>.
# Passes when the command succeeds, or fails only on contract violations
# whose rules are all in WMIEMU_EXPECT.
cmake_minimum_required(VERSION 3.25)
include(${WMIEMU_SPEC})

set(args "")
foreach(mof ${WMIEMU_MOFS})
  list(APPEND args --mof ${mof})
endforeach()
list(APPEND args --provider ${WMIEMU_MODULE} --query ${WMIEMU_QUERY})
if(WMIEMU_NAMESPACE)
  list(APPEND args --namespace ${WMIEMU_NAMESPACE})
endif()
if(WMIEMU_MODE STREQUAL "run")
  list(APPEND args --count ${WMIEMU_COUNT} --duration ${WMIEMU_DURATION})
else()
  list(APPEND args --iterations ${WMIEMU_ITERATIONS} --strategy ${WMIEMU_STRATEGY} --seed ${WMIEMU_SEED}
       --trace ${WMIEMU_TRACE} --quiet)
endif()

execute_process(COMMAND ${WMIEMU_EMULATOR} ${WMIEMU_CLI} ${WMIEMU_MODE} ${args}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")

# "rule ID" is how both commands name a violated contract rule; run prints
# events (which may say anything) on stdout and violations on stderr.
if(WMIEMU_MODE STREQUAL "run")
  string(REGEX MATCHALL "violation: rule [a-z0-9-]+" found "${err}")
  list(TRANSFORM found REPLACE "^violation: " "")
else()
  string(REGEX MATCHALL "rule [a-z0-9-]+" found "${out}${err}")
endif()
list(TRANSFORM found REPLACE "^rule " "")
list(REMOVE_DUPLICATES found)
set(unexpected "")
foreach(rule ${found})
  if(NOT rule IN_LIST WMIEMU_EXPECT)
    list(APPEND unexpected ${rule})
  endif()
endforeach()
if(unexpected)
  message(FATAL_ERROR "wmiemu ${WMIEMU_MODE}: unexpected contract violation(s): ${unexpected}")
endif()
if(found)
  message(STATUS "wmiemu ${WMIEMU_MODE}: expected violation(s): ${found}")
  return()
endif()
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "wmiemu ${WMIEMU_MODE} failed (exit ${rc})")
endif()
if(WMIEMU_MODE STREQUAL "run")
  # One JSON object per event on stdout.
  string(REGEX MATCHALL "(^|\n){\"class\"" events "${out}")
  list(LENGTH events n)
  if(n LESS WMIEMU_COUNT)
    message(FATAL_ERROR "wmiemu run: ${n} event(s) in ${WMIEMU_DURATION} s, expected ${WMIEMU_COUNT}")
  endif()
endif()
