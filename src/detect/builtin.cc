#include "detect/builtin.h"

#include <cstdlib>

namespace sekimori::detect {

std::string detections_override() {
  const char* env = std::getenv("SEKIMORI_DETECTIONS");
  return env != nullptr ? std::string(env) : std::string();
}

size_t add_builtin_detections(RuleSet& set, core::Diagnostics& diags) {
  std::string dir = detections_override();
  if (!dir.empty()) {
    size_t before = set.rules().size();
    set.add_path(dir, diags);
    return set.rules().size() - before;
  }
  size_t before = set.rules().size();
  for (const BuiltinDetectionFile& f : builtin_detection_files()) {
    set.add_text(std::string(f.path), std::string(f.text), diags, "the bundled " + std::string(f.path),
                 formats::find_snapshot(builtin_detection_snapshots(), f.path, f.text));
  }
  return set.rules().size() - before;
}

}  // namespace sekimori::detect
