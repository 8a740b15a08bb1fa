# Compiles SNIPPET with CXX -fsyntax-only and the flags in FLAGS_FILE. A good_*.cpp
# snippet must compile; a bad_*.cpp one must fail with output matching the regex on its
# "// expect-error: " line.
get_filename_component(name ${SNIPPET} NAME)
# -I of the compiler's own system directory would hide libstdc++'s wrappers of the C
# headers (#include_next), so it is dropped; so are empty entries.
file(STRINGS ${FLAGS_FILE} lines)
set(flags)
foreach(line ${lines})
  if(NOT line MATCHES "^-[ID]$" AND NOT line STREQUAL "-I/usr/include")
    list(APPEND flags ${line})
  endif()
endforeach()
execute_process(COMMAND ${CXX} -std=c++20 -fsyntax-only -Wall -Wextra -Werror ${flags} ${SNIPPET}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(name MATCHES "^good_")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${name} should compile but did not:\n${err}")
  endif()
  message(STATUS "${name} compiles")
else()
  file(STRINGS ${SNIPPET} expect REGEX "^// expect-error: ")
  if(NOT expect)
    message(FATAL_ERROR "${name} has no '// expect-error: <regex>' line")
  endif()
  string(REGEX REPLACE "^// expect-error: " "" expect "${expect}")
  if(rc EQUAL 0)
    message(FATAL_ERROR "${name} should not compile but did")
  endif()
  if(NOT err MATCHES "${expect}")
    message(FATAL_ERROR "${name} failed to compile, but not with '${expect}':\n${err}")
  endif()
  message(STATUS "${name} fails to compile as expected ('${expect}')")
endif()
