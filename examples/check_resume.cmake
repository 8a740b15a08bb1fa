# Trains the main job on a subset for 3 epochs straight, and again stopped after epoch 1
# and resumed from its checkpoint for the other 2, then requires the two final
# checkpoints (weights, optimizer, schedule, generator and metrics) to be the same bytes.
# Also requires a resume with other settings to be refused. Run by CTest with -P: EXE is
# the executable (a job of fashion_mnist_job.hpp whose default --lr is 0.05), NAME its
# name in messages, WORK_DIR a scratch directory.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
set(common --limit 2000 --epochs 3 --threads 1 --dropout 0.1)

function(run_job name)
  execute_process(COMMAND ${EXE} ${common} --metrics ${WORK_DIR}/${name}.csv ${ARGN} WORKING_DIRECTORY ${WORK_DIR}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc)
    message(FATAL_ERROR "${NAME} ${ARGN} failed (exit ${rc}):\n${out}\n${err}")
  endif()
endfunction()

run_job(straight --save ${WORK_DIR}/straight.safetensors)
run_job(stopped --save ${WORK_DIR}/resumed.safetensors --stop-after 1)
run_job(resumed --save ${WORK_DIR}/resumed.safetensors --resume ${WORK_DIR}/resumed.safetensors)
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK_DIR}/straight.safetensors
                        ${WORK_DIR}/resumed.safetensors RESULT_VARIABLE differ)
if(differ)
  message(FATAL_ERROR "${NAME}: the resumed run's checkpoint differs from the uninterrupted run's")
endif()
file(STRINGS ${WORK_DIR}/resumed.csv lines)
list(LENGTH lines count)
if(NOT count EQUAL 4)
  message(FATAL_ERROR "the resumed run's metrics CSV should list all 3 epochs: ${lines}")
endif()

execute_process(COMMAND ${EXE} ${common} --lr 0.1 --resume ${WORK_DIR}/straight.safetensors
                WORKING_DIRECTORY ${WORK_DIR} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "was saved with lr 0.05, not 0.1")
  message(FATAL_ERROR "a resume with another --lr was not refused (exit ${rc}):\n${err}")
endif()
file(REMOVE_RECURSE ${WORK_DIR})
