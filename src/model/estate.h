// sekimori::model — the canonical resource model: every input format becomes the same
// typed view of each resource, so a rule is written once.
//
// An Estate loads files and directories (format detected by content), runs the adapter
// for each format (CloudFormation, Terraform plan JSON, Terraform HCL — whole root-module
// directories, see docs/formats/terraform.md — AWS Config, Kubernetes), and
// produces Resources whose `attributes` is the effective configuration in canonical form:
// type names of the Terraform AWS provider (`aws_s3_bucket`), snake_case attributes,
// split resources folded into their parent (a bucket's versioning, encryption, public
// access block, ACL, policy and logging; security-group rules; IAM policy attachments),
// values that cannot be known statically as nodes of kind `unknown`, and every node
// carrying the file, line and column it came from. The contract and a worked example
// are in ../shared/design/canonical-model.md; the per-type schemas, source mappings and
// provider defaults are data (see docs/formats/canonical-model.md).
//
//   model::Estate estate;
//   core::Diagnostics diags;
//   estate.add_path("infra/", {}, diags);        // bad files are reported, the rest loads
//   for (const model::Resource& r : estate.resources()) {
//     cel::Value v = cel::Value::from_node(*r.attributes);   // bound as `resource`
//   }
//
// Reserved keys in `attributes`: `raw` (the resource as written in its source, shared, not
// copied) and `source` (the format name), for the rare format-specific rule.
//
// Ownership: the Estate owns every document; Resource pointers and attribute nodes stay
// valid while it lives (with a consumer set: during the consumer's call) (it is movable, not copyable). Thread-safety: calls on one Estate
// must not overlap (add_path loads a directory's files on LoadOptions::threads threads
// itself, in input order whatever the count); a loaded Estate is immutable and may be read
// concurrently.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/diagnostics.h"
#include "core/location.h"
#include "formats/document.h"

namespace sekimori::model {

enum class SourceFormat : uint8_t { kCloudFormation, kTerraformPlan, kTerraformHcl, kAwsConfig, kKubernetes };

// "cloudformation", "terraform-plan", "terraform", "aws-config", "kubernetes".
[[nodiscard]] const char* format_name(SourceFormat f);
[[nodiscard]] std::optional<SourceFormat> format_by_name(std::string_view name);

// `# sekimori:ignore RULE reason="..." until=YYYY-MM-DD` (Terraform/YAML comments),
// `Metadata.sekimori.ignore` (CloudFormation), the `sekimori.dev/ignore` annotation
// (Kubernetes), attached to the resource it annotates.
struct InlineSuppression {
  std::string rule_id;  // a rule ID or "*" for all rules
  std::string reason;   // empty when none was given (a warning)
  std::string until;    // YYYY-MM-DD, empty for no expiry
  core::Location location;
};

struct Resource {
  std::string type;         // canonical: "aws_s3_bucket", "kubernetes_deployment"
  std::string id;           // identity: CFN logical ID, Terraform address, Config ARN or
                            // resource ID, Kubernetes kind/namespace/name
  std::string source_type;  // as written: "AWS::S3::Bucket", "aws_s3_bucket", "Deployment"
  SourceFormat format = SourceFormat::kCloudFormation;
  core::Location location;  // the resource's block or item
  const formats::Node* attributes = nullptr;  // a map: the canonical view
  std::vector<InlineSuppression> suppressions;
};

struct LoadOptions {
  std::vector<std::string> skip_globs;                 // --skip-path
  std::map<std::string, std::string> cfn_parameters;  // --cfn-param K=V
  // Terraform HCL root-module variables: --var NAME=VALUE and --var-file FILE in
  // command-line order (`file` true: `value` is the path), and TF_VAR_NAME values from the
  // environment (by NAME; the CLI passes them in).
  struct TfVariable {
    bool file = false;
    std::string name;
    std::string value;
  };
  std::vector<TfVariable> tf_vars;
  std::map<std::string, std::string> tf_env_vars;
  formats::Limits limits;
  size_t threads = 1;  // files of a directory are loaded on up to this many threads
};

// One input file and what became of it.
struct Input {
  std::string path;
  std::string sha256;  // of the file's bytes, hex
  std::optional<SourceFormat> format;  // nullopt: not a recognised infrastructure file
  size_t resources = 0;
  bool failed = false;  // could not be read or parsed (see the diagnostics)
};

class Estate {
 public:
  Estate();
  Estate(Estate&&) noexcept;
  Estate& operator=(Estate&&) noexcept;
  ~Estate();

  // Adds a file or a directory (recursively; skips .git, .terraform, node_modules and
  // files matching a skip glob; "-" reads standard input). Files that are not
  // infrastructure code are ignored silently when found in a directory and reported when
  // named explicitly. Problems go to `diags` with their location; loading goes on.
  void add_path(const std::string& path, const LoadOptions& options, core::Diagnostics& diags);
  // Adds one document from text, with a known format or detected from the content (used
  // for rule examples and stdin).
  void add_text(std::string name, std::string text, std::optional<SourceFormat> format,
                const LoadOptions& options, core::Diagnostics& diags);

  // Streaming: with a consumer set, the resources of each loaded input (of a whole
  // Terraform configuration at once) are handed to `consume` as soon as the input is
  // loaded, on the thread that loaded it, and then dropped with their documents, so
  // memory holds a few inputs rather than the estate. Files of a directory load on
  // several threads (LoadOptions::threads) and are consumed there, several at once and
  // not in input order: Batch::input numbers the calls 0, 1, 2, ... in input order with
  // no gaps (an input without resources is consumed too, with none; a Terraform
  // configuration is one call), so that a consumer can put its results back in order.
  // A large input comes in parts (Batch::part 0, 1, 2, ... of one input number, in
  // order, on one thread; `last` on the final one): each part's resources are built and
  // consumed while the ones before them are already dropped, so that memory and the
  // processor's caches hold a few hundred resources rather than the file's.
  // resources() then stays empty; inputs() fills as usual, in input order. An empty
  // function turns streaming off.
  struct Batch {
    uint64_t input = 0;  // the input's number, in input order
    size_t threads = 1;  // threads the consumer may use for it (1 when others run at once)
    uint32_t part = 0;   // the part of the input, from 0
    bool last = true;    // the input's last part
  };
  using Consumer = std::function<void(std::span<const Resource>, const Batch&)>;
  void set_consumer(Consumer consume);

  [[nodiscard]] const std::vector<Resource>& resources() const;
  [[nodiscard]] const std::vector<Input>& inputs() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The canonical types the model knows (from the schema data), and type groups such as
// "kubernetes_workload" that rules may name in `resource_types`.
[[nodiscard]] std::vector<std::string> known_types();
[[nodiscard]] bool is_known_type(std::string_view type);
// The concrete types of a group, or {type} for a concrete type, or {} when unknown.
[[nodiscard]] std::vector<std::string> expand_type(std::string_view type_or_group);

}  // namespace sekimori::model
