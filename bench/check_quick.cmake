# The bench_quick test: runs `cunmf_bench --quick` (tiny sizes, CPU backend) and checks that it
# exits 0, prints a Markdown table with a row per case, and writes its CSV and dumped data.
# Usage: cmake -DBENCH=path/to/cunmf_bench -DWORK_DIR=scratch -P check_quick.cmake
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
execute_process(
  COMMAND "${BENCH}" --quick --csv "${WORK_DIR}/quick.csv" --dump-data "${WORK_DIR}/data"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cunmf_bench --quick exited with ${rc}: ${err}")
endif()
if(NOT out MATCHES "\\| case \\| k \\| time/iter \\| GB/s \\| TFLOP/s \\|")
  message(FATAL_ERROR "no Markdown table header in the output")
endif()
foreach(row "\\| dense 256x192 frobenius \\| 16 \\|" "\\| dense 256x192 kl \\| 128 \\|"
            "\\| sparse 2000x1000 nnz=[0-9]+ frobenius \\| 16 \\|"
            "\\| sparse 2000x1000 nnz=[0-9]+ kl \\| 128 \\|")
  if(NOT out MATCHES "${row}")
    message(FATAL_ERROR "no table row matching ${row}")
  endif()
endforeach()
file(STRINGS "${WORK_DIR}/quick.csv" csv_lines)
list(LENGTH csv_lines csv_count)
if(NOT csv_count EQUAL 17)  # a header and 2 inputs x 4 ranks x 2 losses
  message(FATAL_ERROR "quick.csv has ${csv_count} lines, expected 17")
endif()
foreach(f manifest.json dense_256x192/X.npy dense_256x192/k16/W0.npy dense_256x192/k128/H0.npy)
  if(NOT EXISTS "${WORK_DIR}/data/${f}")
    message(FATAL_ERROR "--dump-data did not write ${f}")
  endif()
endforeach()
file(GLOB sparse_x "${WORK_DIR}/data/sparse_2000x1000_nnz*/X.mtx")
if(NOT sparse_x)
  message(FATAL_ERROR "--dump-data did not write the sparse X.mtx")
endif()
