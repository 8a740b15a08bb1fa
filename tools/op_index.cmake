# Runs the op_index tool and either writes its output to the op index or checks that the
# index matches it:
#   cmake -DOP_INDEX=<op_index> -DINDEX=<docs/ops.md> -DBUILD_DIR=<build> -DMODE=update|check -P tools/op_index.cmake
# `cmake --build build --target update_op_index` runs the update; the CTest docs/op_index
# the check, which fails with the command to run when docs/ops.md is stale.
foreach(var OP_INDEX INDEX BUILD_DIR MODE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "op_index.cmake: -D${var}=... is required")
  endif()
endforeach()

execute_process(COMMAND ${OP_INDEX} OUTPUT_VARIABLE generated RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "op_index failed (exit status ${rc}); see its message above")
endif()

if(MODE STREQUAL "update")
  file(WRITE ${INDEX} "${generated}")
  message(STATUS "wrote ${INDEX}")
elseif(MODE STREQUAL "check")
  set(current "")
  if(EXISTS ${INDEX})
    file(READ ${INDEX} current)
  endif()
  if(NOT current STREQUAL generated)
    set(fresh ${BUILD_DIR}/ops.md)
    file(WRITE ${fresh} "${generated}")
    find_program(DIFF diff)
    if(DIFF)
      execute_process(COMMAND ${DIFF} -u ${INDEX} ${fresh})
    endif()
    message(FATAL_ERROR "${INDEX} is out of date (the registry or a probe changed); regenerate it with\n"
                        "  cmake --build ${BUILD_DIR} --target update_op_index\n"
                        "and commit the result.")
  endif()
else()
  message(FATAL_ERROR "op_index.cmake: MODE is update or check, not '${MODE}'")
endif()
