// An allocator whose value-less construction leaves the element as it is (default-initialised): a vector of a
// million cars' powers resized by it is not zeroed first, so the pass that writes it touches its pages for
// the first time, on as many threads as write it (zeroing 300 MB on one thread cost more than writing it).
#pragma once

#include <memory>
#include <new>
#include <utility>

namespace voltpool {

template <class T>
struct DefaultInitAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() = default;
  template <class U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}

  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

}  // namespace voltpool
