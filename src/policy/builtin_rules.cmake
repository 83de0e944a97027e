# Compiles the bundled rule pack (rules/**/*.yaml and rules/VERSION) into
# sekimori_policy, so the binary works from any directory. Included from
# src/CMakeLists.txt after the policy module is declared.
file(GLOB_RECURSE _skm_rule_files CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/rules/*.yaml ${PROJECT_SOURCE_DIR}/rules/*.yml)
set(_skm_rules_out ${CMAKE_CURRENT_BINARY_DIR}/generated/policy/builtin_rules_data.cc)
add_custom_command(
  OUTPUT ${_skm_rules_out}
  COMMAND ${CMAKE_COMMAND} -DRULES_DIR=${PROJECT_SOURCE_DIR}/rules -DOUT=${_skm_rules_out}
          -P ${CMAKE_CURRENT_LIST_DIR}/embed_rules.cmake
  DEPENDS ${_skm_rule_files} ${PROJECT_SOURCE_DIR}/rules/VERSION
          ${CMAKE_CURRENT_LIST_DIR}/embed_rules.cmake
  COMMENT "Embedding the bundled rule pack"
  VERBATIM)
target_sources(sekimori_policy PRIVATE ${_skm_rules_out})
