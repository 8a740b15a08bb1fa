# Runs the main job without --metrics from a working directory other than the build tree
# and checks that its CSV lands next to the executable, not in the working directory
# (run from the repository root, it would otherwise write into the checkout). Run by
# CTest with -P: EXE is the executable, WORK_DIR a scratch working directory.
get_filename_component(exe_dir ${EXE} DIRECTORY)
set(expected ${exe_dir}/fashion_mnist_metrics.csv)
file(REMOVE ${expected})
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
execute_process(COMMAND ${EXE} --limit 200 --epochs 1 --threads 1 WORKING_DIRECTORY ${WORK_DIR}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc)
  message(FATAL_ERROR "fashion_mnist_mlp failed (exit ${rc}):\n${out}\n${err}")
endif()
if(EXISTS ${WORK_DIR}/fashion_mnist_metrics.csv)
  message(FATAL_ERROR "the metrics CSV was written into the working directory ${WORK_DIR}")
endif()
if(NOT EXISTS ${expected})
  message(FATAL_ERROR "no metrics CSV next to the executable (${expected}); the run printed:\n${out}")
endif()
file(STRINGS ${expected} lines)
list(GET lines 0 header)
list(LENGTH lines count)
if(NOT header STREQUAL "epoch,train_loss,test_loss,test_accuracy,seconds" OR NOT count EQUAL 2)
  message(FATAL_ERROR "unexpected metrics CSV ${expected}: ${lines}")
endif()
file(REMOVE ${expected})
