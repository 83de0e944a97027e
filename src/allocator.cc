// The memory allocator policy of sekimori's executables (the CLI and the benchmarks).
//
// A scan loads, evaluates and drops one input after another, and a hunt builds and
// renders an alert for many events: millions of small allocations and frees, and page
// faults each time the heap grows. Release builds link jemalloc (SEKIMORI_JEMALLOC) and
// ask it for transparent huge pages; builds with the C library's allocator (sanitizer and
// fuzz builds, or -DSEKIMORI_JEMALLOC=OFF) keep freed memory for the next input instead.
// Nothing to call: linking this object is the whole interface.
#ifdef SEKIMORI_WITH_JEMALLOC

// Read by jemalloc at its first allocation; $MALLOC_CONF still overrides it.
// - One arena per CPU (not jemalloc's four): a scan frees on one thread what another
//   allocated, and with more arenas than cores that memory sat in arenas no thread was
//   using (a two-thread scan took 15 % longer, a third of it in page faults).
// - Freed pages go back to the kernel on jemalloc's default schedule (about 10 s):
//   keeping them for good made no difference at one thread and cost a third more time
//   and memory at two.
// - No separate arena for allocations of 8 MiB and more (oversize_threshold:0). That
//   arena returns freed memory to the kernel at once, so the text of every plan or
//   template of a few MiB, its tree's first block and the parser's buffers were faulted
//   in and zeroed afresh for each file: jemalloc purged 84,634 pages during a one-thread
//   scan of the 100k plan estate, 8,379 with this setting, for the same peak RSS
//   (docs/benchmarks.md, twenty-first session).
extern "C" {
// NOLINTNEXTLINE: the name and type are jemalloc's interface
const char* malloc_conf = "thp:always,metadata_thp:auto,percpu_arena:percpu,oversize_threshold:0";
}

#else

#include <malloc.h>

namespace {
// glibc: no trimming or per-allocation mmap below 64 MiB, so the memory of one input's
// trees is reused for the next one instead of being faulted in again.
[[maybe_unused]] const bool kTuned = [] {
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  return true;
}();
}  // namespace

#endif
