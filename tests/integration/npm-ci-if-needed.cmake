# ctest setup fixture: install tests/scenario's npm dependencies from its lock file when
# node_modules is missing or older than package-lock.json.
#   cmake -DNPM=<npm> -DDIR=<tests/scenario> -P npm-ci-if-needed.cmake
set(stamp "${DIR}/node_modules/.package-lock.json")
if(EXISTS "${stamp}" AND NOT "${DIR}/package-lock.json" IS_NEWER_THAN "${stamp}")
  message(STATUS "scenario dependencies up to date")
  return()
endif()
execute_process(COMMAND "${NPM}" ci --no-audit --no-fund
                WORKING_DIRECTORY "${DIR}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "npm ci in ${DIR} failed (${rc})")
endif()
