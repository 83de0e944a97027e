# TerraGoat (../shared/corpora/terragoat/terraform/aws) scanned as Terraform HCL: every
# file must parse and evaluate without an error diagnostic, and a dozen findings that
# were checked by reading the .tf files must be reported at these lines.
#   cmake -DEXE=... -DSHARED=.../shared -DOUT=DIR -P terragoat_check.cmake
set(_dir ${SHARED}/corpora/terragoat/terraform/aws)
if(NOT EXISTS ${_dir})
  message("SKIPPED: ${_dir} is absent")
  return()
endif()
set(_out ${OUT}/terragoat-scan.json)
execute_process(
  COMMAND ${EXE} scan ${_dir} --format json -o ${_out} --mode guardrail --no-progress --threads 2
          --now 2026-01-01T00:00:00Z
  RESULT_VARIABLE _rc ERROR_VARIABLE _err)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "scan exited ${_rc}:\n${_err}")
endif()
if(_err MATCHES ": error: ")
  message(FATAL_ERROR "the scan reported errors:\n${_err}")
endif()
file(READ ${_out} _json)

# Every .tf file is an input read as Terraform and none failed.
string(JSON _ninputs LENGTH "${_json}" inputs)
math(EXPR _last "${_ninputs} - 1")
set(_tf 0)
foreach(_i RANGE ${_last})
  string(JSON _fmt GET "${_json}" inputs ${_i} format)
  string(JSON _failed GET "${_json}" inputs ${_i} failed)
  string(JSON _path GET "${_json}" inputs ${_i} path)
  if(_fmt STREQUAL "terraform")
    math(EXPR _tf "${_tf} + 1")
  endif()
  if(_failed)
    message(FATAL_ERROR "input ${_path} failed")
  endif()
endforeach()
file(GLOB _tf_files ${_dir}/*.tf)
list(LENGTH _tf_files _want_tf)
if(NOT _tf EQUAL _want_tf)
  message(FATAL_ERROR "${_tf} inputs read as terraform, expected ${_want_tf}")
endif()

# Failing findings as "RULE ADDRESS FILE:LINE".
string(JSON _n LENGTH "${_json}" findings)
math(EXPR _last "${_n} - 1")
set(_got "")
foreach(_i RANGE ${_last})
  string(JSON _status GET "${_json}" findings ${_i} status)
  if(NOT _status STREQUAL "fail")
    continue()
  endif()
  string(JSON _rule GET "${_json}" findings ${_i} rule_id)
  string(JSON _id GET "${_json}" findings ${_i} resource id)
  string(JSON _file GET "${_json}" findings ${_i} location file)
  string(JSON _line GET "${_json}" findings ${_i} location line)
  get_filename_component(_base ${_file} NAME)
  list(APPEND _got "${_rule} ${_id} ${_base}:${_line}")
endforeach()

# Checked by hand against the .tf files (the attribute or block that must change).
set(_want
  "SKM-AWS-RDS-001 aws_db_instance.default db-app.tf:19"          # storage_encrypted = false
  "SKM-AWS-RDS-002 aws_db_instance.default db-app.tf:22"          # publicly_accessible = true
  "SKM-AWS-RDS-003 aws_db_instance.default db-app.tf:18"          # backup_retention_period = 0
  "SKM-AWS-RDS-005 aws_db_instance.default db-app.tf:17"          # multi_az = false
  "SKM-AWS-IAM-002 aws_iam_role.ec2role db-app.tf:171"            # the role block (inline policy)
  "SKM-AWS-EC2-006 aws_ebs_volume.web_host_storage ec2.tf:34"     # no encrypted attribute
  "SKM-AWS-EC2-001 aws_security_group.web-node ec2.tf:90"         # the SSH ingress block (0.0.0.0/0)
  "SKM-AWS-CRED-001 aws_db_instance.default db-app.tf:15"         # password = var.password (default "Aa1234321Bb")
  "SKM-AWS-S3-002 aws_s3_bucket.flowbucket ec2.tf:271"            # no versioning
  "SKM-AWS-ECR-002 aws_ecr_repository.repository ecr.tf:3"        # image_tag_mutability = "MUTABLE"
  "SKM-AWS-EKS-002 aws_eks_cluster.eks_cluster eks.tf:118"        # the cluster block
  "SKM-AWS-LAMBDA-004 aws_lambda_function.analysis_lambda lambda.tf:41"  # runtime = "nodejs12.x"
  "SKM-AWS-LAMBDA-003 aws_lambda_function.analysis_lambda lambda.tf:44"  # secrets in variables
  "SKM-AWS-RDS-004 aws_rds_cluster.app1-rds-cluster rds.tf:4"     # backup_retention_period = 0
  "SKM-AWS-KMS-001 aws_kms_key.logs_key kms.tf:1"                 # no enable_key_rotation
  "SKM-AWS-S3-003 aws_s3_bucket.data_science s3.tf:89"            # no KMS encryption
  # the domain policy (folded in) from aws_iam_policy_document with principals "*", and
  # no vpc_options: a public endpoint
  "SKM-AWS-OPENSEARCH-005 aws_elasticsearch_domain.monitoring-framework es.tf:43"
)
set(_missing "")
foreach(_w IN LISTS _want)
  list(FIND _got "${_w}" _at)
  if(_at EQUAL -1)
    list(APPEND _missing "${_w}")
  endif()
endforeach()
if(_missing)
  string(REPLACE ";" "\n  " _m "${_missing}")
  string(REPLACE ";" "\n  " _g "${_got}")
  message(FATAL_ERROR "expected findings not reported:\n  ${_m}\nreported:\n  ${_g}")
endif()
list(LENGTH _want _nw)
message(STATUS "terragoat: ${_tf} files, ${_n} findings, ${_nw} spot checks found")
