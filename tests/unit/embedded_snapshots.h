// Shared by the tests of each module that embeds YAML with snapshots (formats/snapshot.h):
// every embedded file has a snapshot, found for its text, that rebuilds the tree the YAML
// parser gives.
#pragma once

#include <gtest/gtest.h>

#include <span>
#include <string>

#include "formats/document.h"
#include "formats/snapshot.h"

namespace sekimori::testing {

template <typename File>
void expect_snapshot_for_every_file(std::span<const File> files,
                                    std::span<const formats::EmbeddedSnapshot> snapshots) {
  ASSERT_EQ(snapshots.size(), files.size());
  for (const File& f : files) {
    std::string_view snap = formats::find_snapshot(snapshots, f.path, f.text);
    ASSERT_FALSE(snap.empty()) << f.path;
    core::Diagnostics diags;
    auto parsed = formats::load_yaml(std::string(f.path), std::string(f.text), formats::Limits{}, diags);
    auto rebuilt = formats::load_snapshot(std::string(f.path), std::string(f.text), snap, formats::Limits{});
    ASSERT_TRUE(parsed.ok() && rebuilt.ok()) << f.path;
    ASSERT_EQ(parsed->roots().size(), rebuilt->roots().size()) << f.path;
    for (size_t r = 0; r < parsed->roots().size(); ++r) {
      EXPECT_TRUE(formats::identical(parsed->roots()[r], rebuilt->roots()[r])) << f.path << " document " << r;
    }
  }
}

}  // namespace sekimori::testing
