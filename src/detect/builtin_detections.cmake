# Compiles the bundled Sigma detections (detections/**/*.yml) into sekimori_detect, so an
# installed binary has them (SEKIMORI_DETECTIONS still overrides them at run time).
# Included from src/CMakeLists.txt after the detect module is declared.
file(GLOB_RECURSE _skm_detection_files CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/detections/*.yml ${PROJECT_SOURCE_DIR}/detections/*.yaml)
set(_skm_detections_out ${CMAKE_CURRENT_BINARY_DIR}/generated/detect/builtin_detections_data.cc)
add_custom_command(
  OUTPUT ${_skm_detections_out}
  COMMAND ${CMAKE_COMMAND} -DDETECTIONS_DIR=${PROJECT_SOURCE_DIR}/detections -DOUT=${_skm_detections_out}
          -P ${CMAKE_CURRENT_LIST_DIR}/embed_detections.cmake
  DEPENDS ${_skm_detection_files} ${CMAKE_CURRENT_LIST_DIR}/embed_detections.cmake
  COMMENT "Embedding the bundled Sigma detections"
  VERBATIM)
target_sources(sekimori_detect PRIVATE ${_skm_detections_out})
