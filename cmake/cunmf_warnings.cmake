# cunmf_set_warnings(target): warnings for cuNMF's own targets; -Werror when CUNMF_WERROR is on.
function(cunmf_set_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra $<$<BOOL:${CUNMF_WERROR}>:-Werror>>
    $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-Wall,-Wextra $<$<BOOL:${CUNMF_WERROR}>:-Werror=all-warnings>>)
endfunction()

# cunmf_cuda_sources(target sources...): adds CUDA sources; in the emulated build they are compiled
# as C++ by the host compiler with the emulation header forced in (tests/emulated_cuda).
function(cunmf_cuda_sources target)
  if(CUNMF_CUDA_EMULATION)
    set_source_files_properties(${ARGN} PROPERTIES LANGUAGE CXX COMPILE_OPTIONS "-xc++")
  else()
    set_source_files_properties(${ARGN} PROPERTIES LANGUAGE CUDA)
  endif()
  target_sources(${target} PRIVATE ${ARGN})
endfunction()
