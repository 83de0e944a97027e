// The compiled canonical schema: every canonical type's attributes (with provider
// defaults) and, per source format, how source resources map into it. Compiled once from
// the YAML data under src/model/types/ (format described in docs/formats/canonical-model.md).
//
//   const Schema& s = schema();
//   const TypeSchema* t = s.type("aws_s3_bucket");
//   for (const SourceEntry* e : s.entries(SourceFormat::kCloudFormation, "AWS::S3::Bucket")) ...
//
// Thread-safety: built on first use (thread-safe static), immutable afterwards.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/diagnostics.h"
#include "formats/document.h"
#include "formats/snapshot.h"
#include "model/estate.h"

namespace sekimori::model::internal {

enum class AttrType : uint8_t { kAny, kString, kBool, kInt, kNumber, kList, kMap, kObject, kJson };

struct Attr {
  std::string name;
  AttrType type = AttrType::kAny;
  const formats::Node* def = nullptr;  // provider default, a node of the schema document
  std::vector<Attr> attrs;             // object: its attributes
  std::unique_ptr<Attr> item;          // list: the item's schema (an object) when declared
  std::string normalize;               // object-level normaliser ("sg_rule")
  bool has_defaults = false;           // this attribute or a descendant has a default
  bool open = false;                   // object: undeclared members of the source are kept

  [[nodiscard]] int index_of(std::string_view n) const;
};

// One step of a source path.
struct Step {
  enum class Kind : uint8_t { kKey, kIndex, kProject } kind = Kind::kKey;
  std::string key;
  size_t index = 0;
  mutable formats::FindHint hint;  // kKey: where `key` was last found (Node::find_hinted)
};

struct Fn {
  std::string name;
  std::vector<std::string> args;
};

// `a.b || c[0].d | fn arg | fn`: the first present alternative, then the pipeline.
struct Expr {
  struct Alt {
    std::vector<Step> path;  // empty with is_root: the whole source
    bool literal = false;
    std::string literal_text;  // "=text" literals
  };
  std::vector<Alt> alts;
  std::vector<Fn> fns;
};

struct MapSpec;

// One mapping line: a (dotted) target attribute and where its value comes from.
struct Target {
  std::vector<int> attr_path;  // indices through the Attr tree from the mapping's base
  const Attr* attr = nullptr;
  Expr expr;
  std::unique_ptr<MapSpec> each;  // list of objects: `{each: PATH, map: {...}}`
};

struct MapSpec {
  std::vector<Target> targets;
};

struct TypeSchema;

// How one source type (per format) maps into a canonical type.
struct SourceEntry {
  std::string source_type;
  const TypeSchema* type = nullptr;
  bool passthrough = false;          // undeclared source attributes are kept as they are
  MapSpec map;
  std::vector<std::string> fold;     // properties naming the parent (fold entries only)
  std::vector<int> append;           // fold: attr path of the list the child is added to
  std::string append_by;             // fold: child attribute naming the list ("type")
  bool no_defaults_all = false;
  std::vector<std::string> no_defaults;  // top-level attributes whose defaults do not apply
  [[nodiscard]] bool is_fold() const { return !fold.empty(); }
  [[nodiscard]] bool defaults_apply(std::string_view top_attr) const;
};

struct TypeSchema {
  std::string name;
  std::string doc;
  Attr root;  // type object; root.attrs are the resource's attributes
  std::vector<std::string> groups;
};

class Schema {
 public:
  [[nodiscard]] const TypeSchema* type(std::string_view name) const;
  [[nodiscard]] const std::vector<const SourceEntry*>& entries(SourceFormat f,
                                                               std::string_view source_type) const;
  [[nodiscard]] const std::vector<std::unique_ptr<TypeSchema>>& types() const { return types_; }
  [[nodiscard]] const std::unordered_map<std::string, std::vector<std::string>>& groups() const {
    return groups_;
  }
  // Problems in the bundled data (a programmer error; tests assert there are none).
  [[nodiscard]] const core::Diagnostics& problems() const { return problems_; }
  // Files compiled, and how many of them were rebuilt from their snapshot, not parsed.
  [[nodiscard]] size_t files() const { return docs_.size(); }
  [[nodiscard]] size_t files_from_snapshots() const { return from_snapshots_; }

  static std::unique_ptr<Schema> compile(const std::vector<std::pair<std::string, std::string>>& files);

 private:
  std::vector<formats::Document> docs_;
  std::vector<std::unique_ptr<TypeSchema>> types_;
  std::vector<std::unique_ptr<SourceEntry>> entry_store_;
  std::unordered_map<std::string, std::vector<const SourceEntry*>> entries_[5];
  std::unordered_map<std::string, std::vector<std::string>> groups_;
  core::Diagnostics problems_;
  size_t from_snapshots_ = 0;

  friend class SchemaCompiler;
};

// The bundled schema (src/model/types/*.yaml.inc).
const Schema& schema();

// Snapshots of the bundled schema files (src/model/types/), made at build time; Schema::compile
// rebuilds a file's tree from its snapshot instead of parsing it when the text matches.
[[nodiscard]] std::span<const formats::EmbeddedSnapshot> schema_snapshots();

// Parses a mapping expression; false with `error` set when malformed.
bool parse_expr(std::string_view text, Expr& out, std::string& error);

}  // namespace sekimori::model::internal
