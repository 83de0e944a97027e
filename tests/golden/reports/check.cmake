# Runs a governance report on examples/ and compares it with
# tests/golden/reports/<report>.<format>.golden.
#   cmake -DEXE=... -DSRC=... -DREPORT=threats|responsibility|ccm-v4|cis-aws-v7|top-threats-2019|top-threats-2024
#         -DFORMAT=json|markdown [-DUPDATE=1] -P check.cmake
set(_dir ${SRC}/tests/golden/reports)
set(_out ${CMAKE_CURRENT_BINARY_DIR}/golden-report.${REPORT}.${FORMAT})
if(REPORT STREQUAL "threats" OR REPORT STREQUAL "responsibility")
  set(_cmd ${REPORT})
else()
  set(_cmd report --framework ${REPORT})
endif()
set(_extra)
if(REPORT STREQUAL "responsibility")
  set(_extra --services ${_dir}/services.yaml)
endif()
execute_process(
  COMMAND ${EXE} ${_cmd} . ${_extra} --format ${FORMAT} -o ${_out} --now 2026-01-01T00:00:00Z --threads 2
          # A fixed set of rules, so the goldens change when the knowledge data or these rules
          # change, not whenever the pack grows.
          --include SKM-AWS-S3-001 --include SKM-AWS-S3-002 --include SKM-AWS-S3-003 --include SKM-AWS-S3-004
          --include SKM-AWS-EC2-001 --include SKM-AWS-EC2-002 --include SKM-AWS-EC2-003 --include SKM-AWS-IAM-001
          --include SKM-AWS-IAM-009 --include SKM-AWS-CLOUDTRAIL-001 --include SKM-AWS-KMS-001
          --include SKM-AWS-LAMBDA-001 --include SKM-AWS-RDS-001 --include SKM-AWS-SQS-001 --include SKM-AWS-VPC-001
          --include SKM-K8S-POD-001 --include SKM-K8S-IMAGE-001
          --no-builtin-detections --detections ${SRC}/detections
  WORKING_DIRECTORY ${SRC}/examples
  RESULT_VARIABLE _rc ERROR_VARIABLE _err)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "expected exit code 0, got ${_rc}\n${_err}")
endif()
file(READ ${_out} _text)
set(_golden ${_dir}/${REPORT}.${FORMAT}.golden)
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
