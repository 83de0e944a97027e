// A CallContext for function tests: fixed clock, cached RE2, optional cost budget,
// plus helpers that call registered functions by name.
#pragma once

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cel/functions.h"

namespace sekimori::cel::fntest {

class TestContext : public CallContext {
 public:
  explicit TestContext(uint64_t budget = UINT64_MAX) : budget_(budget) {}
  [[nodiscard]] Timestamp now() const override { return Timestamp{1700000000, 0}; }
  const re2::RE2* regex(std::string_view pattern, std::string* error) const override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(std::string(pattern));
    if (it == cache_.end()) {
      auto re = std::make_unique<re2::RE2>(pattern, re2::RE2::Quiet);
      it = cache_.emplace(std::string(pattern), std::move(re)).first;
    }
    if (!it->second->ok()) {
      *error = it->second->error();
      return nullptr;
    }
    return it->second.get();
  }
  bool charge(uint64_t units) const override {
    std::lock_guard<std::mutex> lock(mu_);
    if (units > budget_) {
      budget_ = 0;
      return false;
    }
    budget_ -= units;
    return true;
  }

 private:
  mutable std::mutex mu_;
  mutable std::map<std::string, std::unique_ptr<re2::RE2>> cache_;
  mutable uint64_t budget_;
};

// Calls `name` as a global function; an error value when no overload is registered.
inline Value call(std::string_view name, std::vector<Value> args,
                  const CallContext& ctx = TestContext()) {
  const Function* f =
      FunctionRegistry::standard().find(name, CallStyle::kGlobal, static_cast<int>(args.size()));
  if (f == nullptr) return Value::error("no function " + std::string(name));
  return f->impl(args, ctx);
}

// Calls `name` as a method: args[0] is the receiver.
inline Value method(std::string_view name, std::vector<Value> args,
                    const CallContext& ctx = TestContext()) {
  const Function* f = FunctionRegistry::standard().find(name, CallStyle::kReceiver,
                                                        static_cast<int>(args.size()));
  if (f == nullptr) return Value::error("no method " + std::string(name));
  return f->impl(args, ctx);
}

inline ::testing::AssertionResult Fail(const Value& v, std::string_view want) {
  return ::testing::AssertionFailure() << "got " << v.debug_string() << ", want " << want;
}
inline ::testing::AssertionResult IsInt(const Value& v, int64_t want) {
  if (v.kind() == Kind::kInt && v.as_int() == want) return ::testing::AssertionSuccess();
  return Fail(v, std::to_string(want));
}
inline ::testing::AssertionResult IsUint(const Value& v, uint64_t want) {
  if (v.kind() == Kind::kUint && v.as_uint() == want) return ::testing::AssertionSuccess();
  return Fail(v, std::to_string(want) + "u");
}
inline ::testing::AssertionResult IsDouble(const Value& v, double want) {
  if (v.kind() == Kind::kDouble && (v.as_double() == want || (want != want && v.as_double() != v.as_double()))) {
    return ::testing::AssertionSuccess();
  }
  return Fail(v, std::to_string(want));
}
inline ::testing::AssertionResult IsBool(const Value& v, bool want) {
  if (v.kind() == Kind::kBool && v.as_bool() == want) return ::testing::AssertionSuccess();
  return Fail(v, want ? "true" : "false");
}
inline ::testing::AssertionResult IsStr(const Value& v, std::string_view want) {
  if (v.kind() == Kind::kString && v.as_string() == want) return ::testing::AssertionSuccess();
  return Fail(v, "\"" + std::string(want) + "\"");
}
inline ::testing::AssertionResult IsErr(const Value& v) {
  if (v.is_error()) return ::testing::AssertionSuccess();
  return Fail(v, "an error");
}

inline Value S(std::string s) { return Value::string(std::move(s)); }
inline Value I(int64_t i) { return Value::integer(i); }
inline Value U(uint64_t u) { return Value::uinteger(u); }
inline Value D(double d) { return Value::dbl(d); }
inline Value B(bool b) { return Value::boolean(b); }
inline Value L(std::vector<Value> v) { return Value::list(std::move(v)); }

}  // namespace sekimori::cel::fntest
