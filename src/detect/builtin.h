// sekimori::detect builtin detections — the Sigma rules of detections/ compiled into the
// binary at build time (cmake/embed_files.cmake), so an installed `sekimori`
// has them without the source tree. `$SEKIMORI_DETECTIONS` (a directory) overrides them.
//
//   detect::RuleSet set;
//   core::Diagnostics diags;
//   detect::add_builtin_detections(set, diags);  // or the override directory, when set
//
// Thread-safety: the embedded texts are immutable static data.
// Ownership: the texts live for the whole program; RuleSet copies what it keeps.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/diagnostics.h"
#include "detect/sigma.h"
#include "formats/snapshot.h"

namespace sekimori::detect {

struct BuiltinDetectionFile {
  std::string_view path;  // "detections/aws/cloudtrail_stopped.yml"
  std::string_view text;
};

// Every embedded rule file, sorted by path (defined in the generated source).
std::span<const BuiltinDetectionFile> builtin_detection_files();

// Snapshots of those files' YAML trees, made at build time (formats/snapshot.h).
std::span<const formats::EmbeddedSnapshot> builtin_detection_snapshots();

// The override directory ($SEKIMORI_DETECTIONS), or "" when unset or empty.
std::string detections_override();

// Loads the bundled detections into `set`: the override directory when set, else the
// embedded files. Returns the number of rules (documents) added.
size_t add_builtin_detections(RuleSet& set, core::Diagnostics& diags);

}  // namespace sekimori::detect
