# Installs the built library into a scratch prefix, then configures, builds and runs
# an outside project that uses find_package(extensor). Run by CTest with -P.
file(REMOVE_RECURSE ${WORK_DIR})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BINARY_DIR} --prefix ${WORK_DIR}/prefix
                RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "install failed: ${rc}")
endif()
# The documentation is installed as laid out in the repository: the top-level pages,
# each area's README, docs/*.md and the examples' sources.
file(GLOB area_readmes RELATIVE ${SOURCE_DIR} ${SOURCE_DIR}/core/README.md ${SOURCE_DIR}/autograd/README.md
     ${SOURCE_DIR}/nn/README.md ${SOURCE_DIR}/optim/README.md ${SOURCE_DIR}/data/README.md)
file(GLOB doc_pages RELATIVE ${SOURCE_DIR} ${SOURCE_DIR}/docs/*.md)
file(GLOB example_sources RELATIVE ${SOURCE_DIR} ${SOURCE_DIR}/examples/*.cpp)
foreach(doc README.md CONTRIBUTING.md BENCHMARKS.md docs/DESIGN.md docs/ops.md examples/fashion_mnist_mlp.cpp
            ${area_readmes} ${doc_pages} ${example_sources})
  if(NOT EXISTS ${WORK_DIR}/prefix/${DOC_DIR}/${doc})
    message(FATAL_ERROR "cmake --install did not install ${doc} (expected ${WORK_DIR}/prefix/${DOC_DIR}/${doc})")
  endif()
endforeach()
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/install/consumer -B ${WORK_DIR}/build
                        -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DCMAKE_BUILD_TYPE=${BUILD_TYPE}
                RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "configuring the outside project failed: ${rc}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/build RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "building the outside project failed: ${rc}")
endif()
execute_process(COMMAND ${WORK_DIR}/build/consumer RESULT_VARIABLE rc OUTPUT_VARIABLE out)
message(STATUS "consumer printed: ${out}")
if(rc OR NOT out MATCHES "sum 12, m\\[1\\]\\[0\\] 3, column 6")
  message(FATAL_ERROR "the outside project did not run correctly (exit ${rc})")
endif()
