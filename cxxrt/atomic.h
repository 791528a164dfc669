// atomic<T> over the compiler's __atomic builtins (<atomic> is unavailable in
// the freestanding kernel build).
//
// Only types the target handles lock-free are allowed: a non-lock-free type
// would turn into a call to libatomic (__atomic_compare_exchange_16, ...),
// which the kernel does not have.
#pragma once

#include "cxxrt/traits.h"

namespace cxxrt {

enum class memory_order : int {
    relaxed = __ATOMIC_RELAXED,
    consume = __ATOMIC_CONSUME,
    acquire = __ATOMIC_ACQUIRE,
    release = __ATOMIC_RELEASE,
    acq_rel = __ATOMIC_ACQ_REL,
    seq_cst = __ATOMIC_SEQ_CST,
};

template <typename T>
class atomic {
    static_assert(is_trivially_copyable_v<T>, "atomic<T> needs a trivially copyable T");
    static_assert(__atomic_always_lock_free(sizeof(T), 0),
                  "atomic<T> would need libatomic: T is not lock-free on this target");

public:
    constexpr atomic() noexcept : value_{} {}
    constexpr atomic(T initial) noexcept : value_{initial} {}
    atomic(const atomic&) = delete;
    atomic& operator=(const atomic&) = delete;

    T load(memory_order order = memory_order::seq_cst) const noexcept {
        T value;
        __atomic_load(&value_, &value, static_cast<int>(order));
        return value;
    }
    void store(T desired, memory_order order = memory_order::seq_cst) noexcept {
        __atomic_store(&value_, &desired, static_cast<int>(order));
    }
    T exchange(T desired, memory_order order = memory_order::seq_cst) noexcept {
        T previous;
        __atomic_exchange(&value_, &desired, &previous, static_cast<int>(order));
        return previous;
    }

    // On failure, 'expected' receives the value found.
    bool compare_exchange_strong(T& expected, T desired,
                                 memory_order success = memory_order::seq_cst,
                                 memory_order failure = memory_order::seq_cst) noexcept {
        return __atomic_compare_exchange(&value_, &expected, &desired, false,
                                         static_cast<int>(success), static_cast<int>(failure));
    }
    bool compare_exchange_weak(T& expected, T desired, memory_order success = memory_order::seq_cst,
                               memory_order failure = memory_order::seq_cst) noexcept {
        return __atomic_compare_exchange(&value_, &expected, &desired, true,
                                         static_cast<int>(success), static_cast<int>(failure));
    }

    // Integral operations return the previous value, as std::atomic does.
    // Member functions are instantiated only when used, so the assertions
    // reject only the calls, not atomic<T*> or atomic<enum> themselves.
    T fetch_add(T delta, memory_order order = memory_order::seq_cst) noexcept {
        static_assert(is_integral_v<T>, "fetch_add needs an integral T");
        return __atomic_fetch_add(&value_, delta, static_cast<int>(order));
    }
    T fetch_sub(T delta, memory_order order = memory_order::seq_cst) noexcept {
        static_assert(is_integral_v<T>, "fetch_sub needs an integral T");
        return __atomic_fetch_sub(&value_, delta, static_cast<int>(order));
    }
    T fetch_or(T bits, memory_order order = memory_order::seq_cst) noexcept {
        static_assert(is_integral_v<T>, "fetch_or needs an integral T");
        return __atomic_fetch_or(&value_, bits, static_cast<int>(order));
    }
    T fetch_and(T bits, memory_order order = memory_order::seq_cst) noexcept {
        static_assert(is_integral_v<T>, "fetch_and needs an integral T");
        return __atomic_fetch_and(&value_, bits, static_cast<int>(order));
    }

    operator T() const noexcept { return load(); }
    T operator=(T desired) noexcept {
        store(desired);
        return desired;
    }

private:
    alignas(sizeof(T) <= 16 ? sizeof(T) : alignof(T)) T value_;
};

inline void atomic_thread_fence(memory_order order) noexcept {
    __atomic_thread_fence(static_cast<int>(order));
}

} // namespace cxxrt
