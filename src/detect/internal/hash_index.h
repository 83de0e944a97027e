// sekimori::detect::internal::HashIndex — a flat open-addressing table from a precomputed
// hash to objects owned elsewhere (the Correlator's groups, which an unordered_map owns).
//
// Linear probing, at most half full, backward-shift deletion (no tombstones). A lookup
// reads one slot (hash and pointer side by side) before it touches the object, and the
// slot of a hash is known without reading anything, so a caller can prefetch it (home())
// and then the object it points to (candidate()) for lookups it will make soon.
//
//   internal::HashIndex<Group> index;
//   index.insert(h, &group);
//   Group* g = index.find(h, [&](const Group& x) { return x.key == key; });
//   index.erase(h, &group);  // before the object goes away
//
// Ownership: stores pointers only; the caller erases an entry before its object dies.
// Thread-safety: none (one owner thread).
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace sekimori::detect::internal {

template <typename T>
class HashIndex {
 public:
  // The entry with this hash for which match(const T&) holds, or null.
  template <typename Match>
  T* find(size_t hash, const Match& match) const {
    if (slots_.empty()) return nullptr;
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Slot& sl = slots_[i];
      if (sl.ptr == nullptr) return nullptr;
      if (sl.hash == hash && match(*sl.ptr)) return sl.ptr;
    }
  }
  // Adds `p` (not already present) under `hash`.
  void insert(size_t hash, T* p) {
    if ((used_ + 1) * 2 > slots_.size()) grow();
    place(hash, p);
    ++used_;
  }
  // Removes `p`, inserted under `hash`; does nothing when it is not there.
  void erase(size_t hash, const T* p) {
    if (slots_.empty()) return;
    size_t i = hash & mask_;
    while (slots_[i].ptr != p) {
      if (slots_[i].ptr == nullptr) return;
      i = (i + 1) & mask_;
    }
    // backward shift: an entry later in the run moves into the hole unless its home slot
    // lies after the hole (cyclically), where a lookup would no longer reach it
    for (size_t j = (i + 1) & mask_; slots_[j].ptr != nullptr; j = (j + 1) & mask_) {
      size_t home = slots_[j].hash & mask_;
      if (((j - home) & mask_) >= ((j - i) & mask_)) {
        slots_[i] = slots_[j];
        i = j;
      }
    }
    slots_[i] = Slot{};
    --used_;
  }
  [[nodiscard]] size_t size() const { return used_; }
  // The slot where a lookup of `hash` starts (to prefetch), or null when empty.
  [[nodiscard]] const void* home(size_t hash) const { return slots_.empty() ? nullptr : &slots_[hash & mask_]; }
  // The first entry with this hash, without reading any entry's object (to prefetch it).
  [[nodiscard]] const T* candidate(size_t hash) const {
    if (slots_.empty()) return nullptr;
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Slot& sl = slots_[i];
      if (sl.ptr == nullptr || sl.hash == hash) return sl.ptr;
    }
  }

 private:
  struct Slot {
    size_t hash = 0;
    T* ptr = nullptr;
  };
  void place(size_t hash, T* p) {
    size_t i = hash & mask_;
    while (slots_[i].ptr != nullptr) i = (i + 1) & mask_;
    slots_[i] = Slot{hash, p};
  }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(std::max<size_t>(64, old.size() * 2), Slot{});
    mask_ = slots_.size() - 1;
    for (const Slot& sl : old) {
      if (sl.ptr != nullptr) place(sl.hash, sl.ptr);
    }
  }
  std::vector<Slot> slots_;
  size_t mask_ = 0, used_ = 0;
};

}  // namespace sekimori::detect::internal
