# A malformed template among good ones: exit 2, the bad file reported with its location,
# the good one still scanned and reported.
set(_dir ${SRC}/tests/data/policy/mixed)
execute_process(
  COMMAND ${EXE} scan . --format json --now 2026-01-01T00:00:00Z --include SKM-AWS-S3-002
  WORKING_DIRECTORY ${_dir}
  RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
if(NOT _rc EQUAL 2)
  message(FATAL_ERROR "expected exit code 2, got ${_rc}\n${_err}")
endif()
if(NOT _err MATCHES "bad.yaml:[0-9]+:[0-9]+: error")
  message(FATAL_ERROR "the malformed file is not reported with line and column:\n${_err}")
endif()
if(NOT _out MATCHES "\"id\": \"LogsBucket\"")
  message(FATAL_ERROR "the good template was not scanned:\n${_out}")
endif()
if(NOT _out MATCHES "\"status\": \"fail\"")
  message(FATAL_ERROR "the good template's failing finding is missing:\n${_out}")
endif()
