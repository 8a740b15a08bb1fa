# Runs TOOL on FILE (CTest, with -P): its exit status must be EXPECT_RC and its output
# (stdout then stderr) must match the regular expression EXPECT.
execute_process(COMMAND ${TOOL} ${FILE} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "${TOOL} ${FILE} exited ${rc}:\n${out}${err}")
if(NOT rc EQUAL EXPECT_RC)
  message(FATAL_ERROR "exit status ${rc}, expected ${EXPECT_RC}")
endif()
string(REPLACE "\n" " " flat "${out}${err}")
if(NOT flat MATCHES "${EXPECT}")
  message(FATAL_ERROR "the output does not match: ${EXPECT}")
endif()
