# Runs tools/plot_metrics.py (CTest, with -P) on CSV given twice, as two labelled runs,
# writing PNG. Its exit status must be EXPECT_RC; with 0, PNG must start with the PNG
# signature (so it is not empty); otherwise stderr must be one line matching EXPECT.
file(REMOVE ${PNG})
execute_process(COMMAND ${PYTHON} ${SCRIPT} ${CSV} ${CSV} --label first --label second --title "two runs"
                        -o ${PNG}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "${SCRIPT} ${CSV} exited ${rc}:\n${out}${err}")
if(NOT rc EQUAL EXPECT_RC)
  message(FATAL_ERROR "exit status ${rc}, expected ${EXPECT_RC}")
endif()
if(EXPECT_RC EQUAL 0)
  if(NOT EXISTS ${PNG})
    message(FATAL_ERROR "${PNG} was not written")
  endif()
  file(READ ${PNG} signature LIMIT 8 HEX)
  if(NOT signature STREQUAL "89504e470d0a1a0a")
    message(FATAL_ERROR "${PNG} is not a PNG file (it starts with '${signature}')")
  endif()
else()
  string(STRIP "${err}" err)
  if(err MATCHES "\n" OR NOT err MATCHES "${EXPECT}")
    message(FATAL_ERROR "stderr is not one line matching: ${EXPECT}")
  endif()
endif()
