// Sole owner of an object the platform allocated, destroyed through the
// platform's matching function: the one place that holds the release logic
// of SpinLock, Completion and Thread.
#pragma once

#include "cxxrt/utility.h"

namespace irqlab::base {

template <typename T, auto destroy>
class OwnedHandle {
public:
    OwnedHandle() = default;
    ~OwnedHandle() { reset(); }
    OwnedHandle(const OwnedHandle&) = delete;
    OwnedHandle& operator=(const OwnedHandle&) = delete;

    // Takes ownership of 'handle' (which may be null), releasing the old one.
    bool reset(T* handle = nullptr) {
        if (T* old = cxxrt::exchange(handle_, handle))
            destroy(old);
        return handle_ != nullptr;
    }
    // Gives up ownership without destroying.
    T* release() { return cxxrt::exchange(handle_, nullptr); }
    T* get() const { return handle_; }
    explicit operator bool() const { return handle_ != nullptr; }

private:
    T* handle_ = nullptr;
};

} // namespace irqlab::base
