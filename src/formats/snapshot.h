// Snapshots: a Document's tree written to bytes and rebuilt without parsing.
//
// The YAML compiled into the binary (the rule pack, the canonical schema, the detections,
// the knowledge base) is snapshotted at build time by tools/yaml_snapshot.cc
// (cmake/embed_files.cmake), so that start-up rebuilds those trees instead of running
// yaml-cpp, which was about 80 % of a scan's start-up. A rebuilt tree is the one load_yaml
// gave at build time, positions, tags and quoting included (the build checks each one;
// tests/unit/formats/snapshot_test.cc, and each module's test that compares its bundled
// files both ways). The format is ours and internal: see snapshot.cc.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/result.h"
#include "formats/document.h"

namespace sekimori::formats {

// One embedded snapshot, as the generated sources list them: the path of the file it was
// made from (as the embedded text's path), the text's size and hash (so a snapshot is
// used only with the very text it was made from), and the bytes.
struct EmbeddedSnapshot {
  std::string_view path;
  uint64_t text_size = 0;
  uint64_t text_hash = 0;
  std::string_view bytes;
};

// The 64-bit hash of `text` that EmbeddedSnapshot records (not for security: it tells a
// stale snapshot from the right one).
[[nodiscard]] uint64_t snapshot_text_hash(std::string_view text);

// The snapshot made from `text` at `path`, or an empty view when there is none.
[[nodiscard]] std::string_view find_snapshot(std::span<const EmbeddedSnapshot> snapshots,
                                             std::string_view path, std::string_view text);

// The bytes of `doc`'s tree (every root). Nodes that alias another (YAML anchors) are
// written out in full.
[[nodiscard]] std::string snapshot(const Document& doc);

// True when two trees are the same node for node: kinds, values, quoting, tags, positions
// and member order. yaml_snapshot checks every snapshot it writes with it.
[[nodiscard]] bool identical(const Node& a, const Node& b);

// Rebuilds a Document (path, YAML format, `text`) from `bytes`. A root map's member named
// `skip_root_key` is left out (the rule pack's `examples:` when a scan does not need
// them). Errors: "doc.snapshot" for bytes that are not a snapshot, or the Builder's
// limit errors.
core::Result<Document> load_snapshot(std::string path, std::string text, std::string_view bytes,
                                     const Limits& limits, std::string_view skip_root_key = {});

// load_yaml(path, text), or, when `snapshot` is not empty, load_snapshot with it (what the
// loaders of bundled files call: the snapshot when there is one for the text, else the
// YAML). `skip_root_key` applies to the snapshot only: it was made from a whole file, and a
// caller that cut that member off `text` has the parser see the cut text.
core::Result<Document> load_yaml_or_snapshot(std::string path, std::string text, std::string_view snapshot,
                                             const Limits& limits, core::Diagnostics& diags,
                                             std::string_view skip_root_key = {});

}  // namespace sekimori::formats
