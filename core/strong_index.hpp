#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

namespace avip {

/// An index that cannot be mixed up with an index of another kind (a family with a facility, say).
/// `invalid()` stands for "none" (a family outside every QPV has `qpv_idx::invalid()`).
template <typename Tag, typename T = std::uint32_t>
class strong_index {
 public:
  using value_type = T;

  constexpr strong_index() = default;
  constexpr explicit strong_index(T v) : v_{v} {}
  template <typename U>
  static constexpr strong_index from(U v) {
    return strong_index{static_cast<T>(v)};
  }

  static constexpr strong_index invalid() { return strong_index{std::numeric_limits<T>::max()}; }
  [[nodiscard]] constexpr bool valid() const { return v_ != std::numeric_limits<T>::max(); }
  [[nodiscard]] constexpr T value() const { return v_; }
  [[nodiscard]] constexpr std::size_t index() const { return static_cast<std::size_t>(v_); }

  constexpr strong_index& operator++() {
    ++v_;
    return *this;
  }
  constexpr auto operator<=>(strong_index const&) const = default;

 private:
  T v_{std::numeric_limits<T>::max()};
};

/// A vector indexed by a strong index only: `v[family_idx]`, never `v[i]` with a bare integer, so that
/// a family's index cannot index a facility column. Where a bare position is really meant (a row of a
/// file being read, a position in a sorted copy), `raw(i)` says so.
template <typename Index, typename T>
class index_vector : public std::vector<T> {
 public:
  using std::vector<T>::vector;
  T& operator[](Index i) { return std::vector<T>::operator[](i.index()); }
  T const& operator[](Index i) const { return std::vector<T>::operator[](i.index()); }
  T& at(Index i) { return std::vector<T>::at(i.index()); }
  T const& at(Index i) const { return std::vector<T>::at(i.index()); }
  /// The element at a bare position: the escape hatch, named so that it is seen.
  T& raw(std::size_t i) { return std::vector<T>::operator[](i); }
  T const& raw(std::size_t i) const { return std::vector<T>::operator[](i); }
};

}  // namespace avip

template <typename Tag, typename T>
struct std::hash<avip::strong_index<Tag, T>> {
  std::size_t operator()(avip::strong_index<Tag, T> i) const noexcept { return std::hash<T>{}(i.value()); }
};
