#include "terraform/internal/data_sources.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sekimori::terraform {
namespace {

// What a statement's parts become: nullopt when something it depends on is unknown.
using Part = std::optional<Value>;

const Value* member(const Value& obj, std::string_view key) {
  const Value* v = obj.is_mapping() ? obj.find(key) : nullptr;
  return v != nullptr && !v->is_null() ? v : nullptr;
}

// A known string argument; `fallback` when absent; nullopt when unknown or not a string.
std::optional<std::string> text(const Value& obj, std::string_view key, std::string fallback = {}) {
  const Value* v = member(obj, key);
  if (v == nullptr) return fallback;
  auto s = to_string_value(*v);
  if (!s.ok() || s->is_unknown() || s->is_null()) return std::nullopt;
  return std::string(s->as_string());
}

// An item of a string list: its text, an unknown string as it is (the policy's JSON then
// keeps what is known of it), nullopt for anything else unknown.
Part string_item(const Value& item) {
  if (item.is_unknown()) return item.unknown_shape().empty() ? Part() : Part(item);
  auto s = to_string_value(item);
  if (!s.ok() || s->is_null()) return std::nullopt;
  return Value::string(std::string(s->as_string()));
}

// A set of strings as IAM writes it: one as a string, several as a list; absent or empty:
// null (the element is left out).
Part strings(const Value* v) {
  if (v == nullptr) return Value::null();
  if (v->is_unknown() || !v->is_sequence()) return std::nullopt;
  std::vector<Value> out;
  for (const Value& item : v->items()) {
    Part s = string_item(item);
    if (!s) return std::nullopt;
    out.push_back(std::move(*s));
  }
  if (out.empty()) return Value::null();
  if (out.size() == 1) return out[0];
  return Value::tuple(std::move(out));
}

// The entry of `groups` for `key`, added at the end when there is none (IAM keeps the
// order in which types and tests first appear).
template <typename T>
T& group(std::vector<std::pair<std::string, T>>& groups, const std::string& key) {
  auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == key; });
  if (it != groups.end()) return it->second;
  return groups.emplace_back(key, T{}).second;
}

// `principals` or `not_principals` blocks: {type: identifiers}, or "*" for the one block
// `type = "*", identifiers = ["*"]`.
Part principals(const Value* blocks) {
  if (blocks == nullptr) return Value::null();
  if (!blocks->is_sequence()) return std::nullopt;
  std::vector<std::pair<std::string, std::vector<Value>>> by_type;
  for (const Value& b : blocks->items()) {
    std::optional<std::string> type = text(b, "type");
    const Value* ids = member(b, "identifiers");
    if (!type || ids == nullptr || ids->is_unknown() || !ids->is_sequence()) return std::nullopt;
    std::vector<Value>& of_type = group(by_type, *type);
    for (const Value& id : ids->items()) {
      Part s = string_item(id);
      if (!s) return std::nullopt;
      of_type.push_back(std::move(*s));
    }
  }
  if (by_type.empty()) return Value::null();
  if (by_type.size() == 1 && by_type[0].first == "*" && by_type[0].second.size() == 1 &&
      by_type[0].second[0].kind() == ValueKind::kString && by_type[0].second[0].as_string() == "*") {
    return Value::string("*");
  }
  std::vector<Member> out;
  for (auto& [type, ids] : by_type) {
    out.push_back(Member{type, ids.size() == 1 ? ids[0] : Value::tuple(std::move(ids))});
  }
  return Value::object(std::move(out));
}

// `condition` blocks: {test: {variable: values}}.
Part conditions(const Value* blocks) {
  if (blocks == nullptr) return Value::null();
  if (!blocks->is_sequence()) return std::nullopt;
  std::vector<std::pair<std::string, std::vector<Member>>> by_test;
  for (const Value& b : blocks->items()) {
    std::optional<std::string> test = text(b, "test"), variable = text(b, "variable");
    Part values = strings(member(b, "values"));
    if (!test || !variable || !values) return std::nullopt;
    group(by_test, *test).push_back(Member{*variable, values->is_null() ? Value::tuple({}) : *values});
  }
  if (by_test.empty()) return Value::null();
  std::vector<Member> out;
  for (auto& [test, vars] : by_test) out.push_back(Member{test, Value::object(std::move(vars))});
  return Value::object(std::move(out));
}

// One `statement` block as policy JSON's statement object.
Part statement(const Value& b) {
  std::optional<std::string> sid = text(b, "sid"), effect = text(b, "effect", "Allow");
  if (!sid || !effect) return std::nullopt;
  std::vector<Member> out;
  if (!sid->empty()) out.push_back(Member{"Sid", Value::string(*sid)});
  out.push_back(Member{"Effect", Value::string(*effect)});
  const std::pair<const char*, Part> parts[] = {
      {"Action", strings(member(b, "actions"))},
      {"NotAction", strings(member(b, "not_actions"))},
      {"Resource", strings(member(b, "resources"))},
      {"NotResource", strings(member(b, "not_resources"))},
      {"Principal", principals(member(b, "principals"))},
      {"NotPrincipal", principals(member(b, "not_principals"))},
      {"Condition", conditions(member(b, "condition"))},
  };
  for (const auto& [name, part] : parts) {
    if (!part) return std::nullopt;
    if (!part->is_null()) out.push_back(Member{name, *part});
  }
  return Value::object(std::move(out));
}

// A statement's Sid, "" when it has none.
std::string sid_of(const Value& statement) {
  const Value* s = member(statement, "Sid");
  return s != nullptr && s->kind() == ValueKind::kString ? std::string(s->as_string()) : std::string();
}

// Adds `s`, replacing a statement with the same non-empty Sid (how the provider merges
// this document's statements over source_policy_documents, and override_policy_documents
// over both).
void merge(std::vector<Value>& statements, Value s) {
  std::string sid = sid_of(s);
  if (!sid.empty()) {
    for (Value& have : statements) {
      if (sid_of(have) == sid) {
        have = std::move(s);
        return;
      }
    }
  }
  statements.push_back(std::move(s));
}

// The statements of policy documents given as JSON strings; false when one is unknown or
// not a policy.
bool statements_of(const Value* docs, std::vector<Value>& out) {
  if (docs == nullptr) return true;
  if (!docs->is_wholly_known() || !docs->is_sequence()) return false;
  for (const Value& d : docs->items()) {
    if (d.kind() != ValueKind::kString) return false;
    auto parsed = from_json(d.as_string(), 64);
    if (!parsed.ok()) return false;
    const Value* st = member(*parsed, "Statement");
    if (st == nullptr) continue;
    if (st->is_sequence()) {
      for (const Value& s : st->items()) out.push_back(s);
    } else {
      out.push_back(*st);
    }
  }
  return true;
}

// The policy's JSON text: a string, an unknown string when some of its strings are (see
// to_json_unknown), nullopt when more than that is unknown.
std::optional<Value> policy_document_json(const Value& body) {
  std::vector<Value> statements, overrides;
  if (!statements_of(member(body, "source_policy_documents"), statements) ||
      !statements_of(member(body, "override_policy_documents"), overrides)) {
    return std::nullopt;
  }
  if (const Value* blocks = member(body, "statement")) {
    if (!blocks->is_sequence()) return std::nullopt;
    for (const Value& b : blocks->items()) {
      Part s = statement(b);
      if (!s) return std::nullopt;
      merge(statements, std::move(*s));
    }
  }
  for (Value& s : overrides) merge(statements, std::move(s));
  std::optional<std::string> version = text(body, "version", "2012-10-17"), id = text(body, "policy_id");
  if (!version || !id) return std::nullopt;
  std::vector<Member> doc{Member{"Version", Value::string(*version)},
                          Member{"Statement", Value::tuple(std::move(statements))}};
  if (!id->empty()) doc.push_back(Member{"Id", Value::string(*id)});
  Value policy = Value::object(std::move(doc));
  if (!policy.is_wholly_known()) return to_json_unknown(policy);
  auto json = to_json(policy);
  if (!json.ok()) return std::nullopt;
  return Value::string(std::move(json).value());
}

}  // namespace

Value with_reference_attributes(std::string_view type, Value body) {
  if (!type.starts_with("aws_") || body.kind() != ValueKind::kObject || body.find("arn") != nullptr)
    return body;
  std::vector<Member> members(body.members().begin(), body.members().end());
  members.push_back(Member{"arn", Value::unknown_string(std::string("arn:") + formats::Node::kShapeHole)});
  return Value::object(std::move(members)).with_pos(body.pos());
}

Value with_computed_attributes(std::string_view type, Value body) {
  if (type != "aws_iam_policy_document" || body.kind() != ValueKind::kObject) return body;
  std::optional<Value> json = policy_document_json(body);
  if (!json) return body;
  std::vector<Member> members(body.members().begin(), body.members().end());
  members.push_back(Member{"json", *json});
  members.push_back(Member{"minified_json", std::move(*json)});
  return Value::object(std::move(members)).with_pos(body.pos());
}

}  // namespace sekimori::terraform
