# Configures and builds tests/fuzz/standalone with clang (libFuzzer + ASan + UBSan).
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE} -B ${BUILD} -G Ninja -DCMAKE_CXX_COMPILER=${CXX}
                        -DROADSIGHT_ROOT=${ROOT} -DCMAKE_BUILD_TYPE=RelWithDebInfo RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "configuring fuzzers failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD} RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "building fuzzers failed")
endif()
