// Private: the arena and state behind hcl::File, shared by the native and JSON parsers.
#pragma once

#include <cstring>
#include <memory_resource>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "hcl/ast.h"

namespace sekimori::hcl {

struct File::Impl {
  std::string path;
  std::string text;
  Syntax syntax = Syntax::kNative;
  std::pmr::monotonic_buffer_resource arena{4096};
  Body empty_body;
  const Body* body = &empty_body;
  std::span<const Comment> comments;
  const Expr* expr = nullptr;
  bool has_errors = false;

  // A node in the arena; nodes are never destroyed, so they must not need it.
  template <typename T, typename... Args>
  T* make(Args&&... args) {
    static_assert(std::is_trivially_destructible_v<T>);
    void* p = arena.allocate(sizeof(T), alignof(T));
    return new (p) T{std::forward<Args>(args)...};
  }
  template <typename T>
  std::span<const T> copy(const T* data, size_t n) {
    static_assert(std::is_trivially_destructible_v<T>);
    if (n == 0) return {};
    void* p = arena.allocate(sizeof(T) * n, alignof(T));
    T* out = static_cast<T*>(p);
    for (size_t i = 0; i < n; ++i) new (out + i) T(data[i]);
    return {out, n};
  }
  template <typename T>
  std::span<const T> copy(const std::vector<T>& v) {
    return copy(v.data(), v.size());
  }
  std::string_view save(std::string_view s) {
    if (s.empty()) return {};
    char* p = static_cast<char*>(arena.allocate(s.size(), 1));
    std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
  }
};

// Lets the parsers build a File from an Impl.
struct FileAccess {
  static File make(std::unique_ptr<File::Impl> impl) { return File(std::move(impl)); }
};

}  // namespace sekimori::hcl
