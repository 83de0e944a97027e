// FunctionRegistry: lookup by name, call style and arity; the shipped registry.
#include "cel/functions.h"

namespace sekimori::cel {

void FunctionRegistry::add(Function f) {
  std::string name = f.name;
  by_name_[std::move(name)].push_back(std::move(f));
}

const Function* FunctionRegistry::find(std::string_view name, CallStyle style, int arity) const {
  auto it = by_name_.find(std::string(name));
  if (it == by_name_.end()) return nullptr;
  const Function* variadic = nullptr;
  for (const Function& f : it->second) {
    if (f.style != style) continue;
    if (f.arity == arity) return &f;
    if (f.arity < 0 && variadic == nullptr) variadic = &f;
  }
  return variadic;
}

bool FunctionRegistry::has(std::string_view name) const {
  return by_name_.find(std::string(name)) != by_name_.end();
}

const FunctionRegistry& FunctionRegistry::standard() {
  static const FunctionRegistry registry = [] {
    FunctionRegistry r;
    register_standard_functions(r);
    register_string_extensions(r);
    register_math_extensions(r);
    register_network_extensions(r);
    register_optional_functions(r);
    register_sekimori_extensions(r);
    return r;
  }();
  return registry;
}

}  // namespace sekimori::cel
