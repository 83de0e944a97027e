// The bundled canonical schema: YAML files under src/model/types/, compiled into the
// binary as raw-string includes (each .yaml.inc wraps plain YAML in R"yaml( ... )yaml")
// and compiled into a Schema on first use.
#include "model/internal/schema.h"

namespace sekimori::model::internal {

namespace {

constexpr char kAwsStorage[] =
#include "model/types/aws_storage.yaml.inc"
    ;
constexpr char kAwsNetwork[] =
#include "model/types/aws_network.yaml.inc"
    ;
constexpr char kAwsIam[] =
#include "model/types/aws_iam.yaml.inc"
    ;
constexpr char kAwsCompute[] =
#include "model/types/aws_compute.yaml.inc"
    ;
constexpr char kAwsServices[] =
#include "model/types/aws_services.yaml.inc"
    ;
constexpr char kKubernetes[] =
#include "model/types/kubernetes.yaml.inc"
    ;

}  // namespace

const Schema& schema() {
  static const std::unique_ptr<Schema> s = Schema::compile({
      {"src/model/types/aws_storage.yaml.inc", kAwsStorage},
      {"src/model/types/aws_network.yaml.inc", kAwsNetwork},
      {"src/model/types/aws_iam.yaml.inc", kAwsIam},
      {"src/model/types/aws_compute.yaml.inc", kAwsCompute},
      {"src/model/types/aws_services.yaml.inc", kAwsServices},
      {"src/model/types/kubernetes.yaml.inc", kKubernetes},
  });
  return *s;
}

}  // namespace sekimori::model::internal
