# From the normal (g++) test build: configure and build the fuzz targets in a
# clang sub-build (<build>/fuzz-build) and run its bounded fuzz tests as one
# ctest entry, so `make test` fuzzes without a second command.
# scripts/install-deps installs clang-16 and libclang-rt-16-dev.
find_program(STORK_FUZZ_CXX NAMES clang++-16)
find_program(STORK_FUZZ_CC NAMES clang-16)
if(NOT STORK_FUZZ_CXX OR NOT STORK_FUZZ_CC)
  message(FATAL_ERROR "clang-16 not found for the fuzz targets: run scripts/install-deps, "
                      "or configure with -DSTORK_FUZZ_TESTS=OFF")
endif()

include(ExternalProject)
set(stork_fuzz_dir ${CMAKE_BINARY_DIR}/fuzz-build)
ExternalProject_Add(stork_fuzz
  SOURCE_DIR ${PROJECT_SOURCE_DIR}
  BINARY_DIR ${stork_fuzz_dir}
  CMAKE_ARGS -DSTORK_FUZZ=ON -DSTORK_TESTS=OFF -DSTORK_SANITIZE=OFF
             -DCMAKE_BUILD_TYPE=RelWithDebInfo
             -DCMAKE_CXX_COMPILER=${STORK_FUZZ_CXX} -DCMAKE_C_COMPILER=${STORK_FUZZ_CC}
             -DCMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER}
  INSTALL_COMMAND ""
  # Sources change under it: let its own build decide what is stale.
  BUILD_ALWAYS ON)

add_test(NAME fuzz COMMAND ${CMAKE_CTEST_COMMAND} --test-dir ${stork_fuzz_dir} --output-on-failure)
