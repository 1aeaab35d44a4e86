#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <new>
#include <utility>
#include <vector>

namespace avip {

/// An allocator for large flat arrays that are filled in parallel right after they are sized:
/// - `resize` leaves the elements uninitialised (default-initialised), so the first touch of each page
///   happens in the parallel fill, on the thread that writes it, not in a single-threaded zeroing;
/// - blocks of 4 MiB or more are aligned on 2 MiB and marked for transparent huge pages, which cuts the
///   page faults of a multi-gigabyte pair list by 512.
template <typename T>
struct flat_allocator {
  using value_type = T;
  static constexpr std::size_t huge_page = std::size_t{2} << 20U;
  static constexpr std::size_t huge_threshold = std::size_t{4} << 20U;

  flat_allocator() = default;
  template <typename U>
  explicit flat_allocator(flat_allocator<U> const& /*other*/) {}

  T* allocate(std::size_t n) {
    std::size_t const bytes = n * sizeof(T);
    if (bytes < huge_threshold) {
      return static_cast<T*>(::operator new(bytes));
    }
    std::size_t const rounded = (bytes + huge_page - 1) / huge_page * huge_page;
    void* p = std::aligned_alloc(huge_page, rounded);
    if (p == nullptr) {
      throw std::bad_alloc{};
    }
    ::madvise(p, rounded, MADV_HUGEPAGE);  // a hint: without THP, plain pages
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (n * sizeof(T) < huge_threshold) {
      ::operator delete(p);
    } else {
      std::free(p);
    }
  }
  /// Default-initialise (no zeroing) on resize; construct as usual with arguments.
  template <typename U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
  friend bool operator==(flat_allocator const& /*a*/, flat_allocator const& /*b*/) { return true; }
  friend bool operator!=(flat_allocator const& /*a*/, flat_allocator const& /*b*/) { return false; }
};

/// A std::vector over flat_allocator: same interface, no zeroing on resize, huge pages when large.
template <typename T>
using flat_vector = std::vector<T, flat_allocator<T>>;

}  // namespace avip
