#pragma once

#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace avip {

/// An allocator for large flat arrays that are filled in parallel right after they are sized: `resize`
/// leaves the elements uninitialised (default-initialised), so the first touch of each page happens in
/// the parallel fill, on the thread that writes it, not in a single-threaded zeroing pass.
/// (Transparent huge pages were measured too: with the kernel's compaction on fault they made the
/// 171 M-pair list slower to fill, 3.3–3.7 s against 2.1–2.6 s, so they are not asked for.)
template <typename T>
struct flat_allocator : std::allocator<T> {
  using value_type = T;
  template <typename U>
  struct rebind {
    using other = flat_allocator<U>;
  };

  flat_allocator() = default;
  template <typename U>
  explicit flat_allocator(flat_allocator<U> const& /*other*/) {}

  /// Default-initialise (no zeroing) on resize; construct as usual with arguments.
  template <typename U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

/// A std::vector over flat_allocator: same interface, no zeroing on resize.
template <typename T>
using flat_vector = std::vector<T, flat_allocator<T>>;

}  // namespace avip
