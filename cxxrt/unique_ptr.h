// Single owner of a heap object allocated through cxxrt, freed on scope exit.
#pragma once

#include "cxxrt/new.h"
#include "cxxrt/utility.h"

namespace cxxrt {

template <typename T>
class unique_ptr {
public:
    constexpr unique_ptr() noexcept = default;
    explicit unique_ptr(T* owned) noexcept : ptr_{owned} {}
    unique_ptr(unique_ptr&& other) noexcept : ptr_{other.release()} {}
    // Derived to base, as std::unique_ptr allows; the base needs a virtual
    // destructor for delete to reach the right one.
    template <pointer_convertible_to<T> U>
    unique_ptr(unique_ptr<U>&& other) noexcept : ptr_{other.release()} {}
    unique_ptr& operator=(unique_ptr&& other) noexcept {
        reset(other.release());
        return *this;
    }
    unique_ptr(const unique_ptr&) = delete;
    unique_ptr& operator=(const unique_ptr&) = delete;
    ~unique_ptr() { reset(); }

    T* get() const noexcept { return ptr_; }
    T* operator->() const noexcept { return ptr_; }
    T& operator*() const noexcept { return *ptr_; }
    explicit operator bool() const noexcept { return ptr_ != nullptr; }

    T* release() noexcept { return exchange(ptr_, nullptr); }
    void reset(T* replacement = nullptr) noexcept { delete exchange(ptr_, replacement); }

private:
    T* ptr_ = nullptr;
};

// Allocates in the given context; empty when the allocation failed.
template <typename T, typename... Args>
unique_ptr<T> make_unique(AllocContext ctx, Args&&... args) {
    return unique_ptr<T>{new (ctx) T(forward<Args>(args)...)};
}

} // namespace cxxrt
