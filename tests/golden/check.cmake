# Runs `sekimori scan` on the golden estate in one format and compares the output with
# tests/golden/scan.<format>.golden (the scan root is replaced by @ROOT@).
#   cmake -DEXE=... -DSRC=... -DFORMAT=json [-DUPDATE=1] -P check.cmake
set(_root ${SRC}/tests/data/policy/golden)
set(_out ${CMAKE_CURRENT_BINARY_DIR}/golden-scan.${FORMAT})
execute_process(
  COMMAND ${EXE} scan infra --format ${FORMAT} -o ${_out} --root ${_root} --now 2026-01-01T00:00:00Z
          --threads 2 --fail-on high
          # A fixed set of rules, so the goldens change only when these rules or the
          # outputs change, not whenever the pack grows.
          --include SKM-AWS-S3-001 --include SKM-AWS-S3-002 --include SKM-AWS-S3-003
          --include SKM-AWS-S3-004 --include SKM-AWS-EC2-001 --include SKM-AWS-EC2-002
  WORKING_DIRECTORY ${_root}
  RESULT_VARIABLE _rc ERROR_VARIABLE _err)
if(NOT _rc EQUAL 1)
  message(FATAL_ERROR "expected exit code 1 (a high-severity finding), got ${_rc}\n${_err}")
endif()
file(READ ${_out} _text)
string(REPLACE "${_root}" "@ROOT@" _text "${_text}")
set(_golden ${SRC}/tests/golden/scan.${FORMAT}.golden)
if(UPDATE OR NOT EXISTS ${_golden})
  file(WRITE ${_golden} "${_text}")
  message(STATUS "wrote ${_golden}")
  return()
endif()
file(READ ${_golden} _want)
if(NOT _text STREQUAL _want)
  file(WRITE ${_out}.normalised "${_text}")
  message(FATAL_ERROR "output differs from ${_golden}; see ${_out}.normalised "
                      "(diff them; re-run with -DUPDATE=1 to accept)")
endif()
