# cunmf_set_warnings(target): warnings for cuNMF's own targets; -Werror when CUNMF_WERROR is on.
function(cunmf_set_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra $<$<BOOL:${CUNMF_WERROR}>:-Werror>>
    $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-Wall,-Wextra $<$<BOOL:${CUNMF_WERROR}>:-Werror=all-warnings>>)
endfunction()

# cunmf_cuda_sources(target sources...): adds CUDA sources; in the emulated build they are compiled
# as C++ by the host compiler with the emulation header forced in (tests/emulated_cuda).
# Under UBSan, sources that run Thrust algorithms (they include kernels/thrust_policy.cuh; checked
# when CMake configures) are compiled without UBSan's `null` check: Thrust's CPP backend binds
# references to null "system" pointers on purpose (thrust/detail/reference.h, "avoid
# default-constructing systems"), on every element access through its temporary storage, which
# -fno-sanitize-recover would make fatal. ASan still sees every memory access there.
function(cunmf_cuda_sources target)
  if(CUNMF_CUDA_EMULATION)
    set_source_files_properties(${ARGN} PROPERTIES LANGUAGE CXX COMPILE_OPTIONS "-xc++")
    if(CUNMF_SANITIZE STREQUAL "address")
      foreach(source IN LISTS ARGN)
        file(STRINGS "${source}" thrust_includes REGEX "#include \"thrust_policy\\.cuh\"")
        if(thrust_includes)
          set_property(SOURCE "${source}" APPEND PROPERTY COMPILE_OPTIONS -fno-sanitize=null)
        endif()
      endforeach()
    endif()
  else()
    set_source_files_properties(${ARGN} PROPERTIES LANGUAGE CUDA)
  endif()
  target_sources(${target} PRIVATE ${ARGN})
endfunction()
