// Allocation for the freestanding core: every allocation names its context.
//
// There is no implicit "operator new(size)" in the core: a new-expression
// must say whether it may sleep, the way kernel code must pass GFP flags.
// With -fcheck-new a failed allocation yields nullptr and no constructor
// runs; callers check the result.
#pragma once

#include "irqlab/platform.h"

namespace cxxrt {

enum class AllocContext {
    atomic = IRQLAB_ALLOC_ATOMIC,
    may_sleep = IRQLAB_ALLOC_MAY_SLEEP,
};

inline constexpr AllocContext atomic_ctx = AllocContext::atomic;
inline constexpr AllocContext may_sleep_ctx = AllocContext::may_sleep;

} // namespace cxxrt

void* operator new(size_t size, cxxrt::AllocContext ctx) noexcept;
void* operator new[](size_t size, cxxrt::AllocContext ctx) noexcept;

#if defined(IRQLAB_HOSTED)
#include <new> // placement new comes from the hosted library
#else
// Placement new: the freestanding build has no <new>.
[[nodiscard]] inline void* operator new(size_t, void* where) noexcept {
    return where;
}
[[nodiscard]] inline void* operator new[](size_t, void* where) noexcept {
    return where;
}
inline void operator delete(void*, void*) noexcept {}
inline void operator delete[](void*, void*) noexcept {}
#endif
