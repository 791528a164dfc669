// The hosted implementation of the platform interface (irqlab/platform.h),
// used by the unit tests. Memory comes from malloc: cxxrt/delete.cpp sends
// every delete here, and hosted/global_new.cpp allocates on malloc too.
#include "hosted/hosted_platform.h"

#include "irqlab/platform.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>

namespace {

std::atomic<unsigned long> atomic_allocs{0};
std::atomic<unsigned long> may_sleep_allocs{0};
std::atomic<unsigned long> frees{0};
std::atomic<unsigned long> failed_allocs{0};
std::atomic<unsigned> allocations_to_fail{0};
// Allocations to let through before the one fail_allocation_after() fails;
// negative when none is asked for.
std::atomic<int> allocations_before_failure{-1};

bool consume_injected_failure() {
    int before = allocations_before_failure.load();
    while (before >= 0) {
        if (allocations_before_failure.compare_exchange_weak(before, before - 1))
            return before == 0;
    }
    unsigned pending = allocations_to_fail.load();
    while (pending > 0) {
        if (allocations_to_fail.compare_exchange_weak(pending, pending - 1))
            return true;
    }
    return false;
}

} // namespace

namespace irqlab::hosted {

AllocStats alloc_stats() {
    return {atomic_allocs.load(), may_sleep_allocs.load(), frees.load(), failed_allocs.load()};
}

void reset_alloc_stats() {
    atomic_allocs = 0;
    may_sleep_allocs = 0;
    frees = 0;
    failed_allocs = 0;
    allocations_to_fail = 0;
    allocations_before_failure = -1;
}

void fail_next_allocations(unsigned count) {
    allocations_to_fail = count;
}

void fail_allocation_after(int skip) {
    allocations_before_failure = skip < 0 ? -1 : skip;
}

} // namespace irqlab::hosted

extern "C" void* irqlab_plat_alloc(size_t size, irqlab_alloc_ctx ctx) {
    (ctx == IRQLAB_ALLOC_ATOMIC ? atomic_allocs : may_sleep_allocs).fetch_add(1);
    if (consume_injected_failure()) {
        failed_allocs.fetch_add(1);
        return nullptr;
    }
    return std::malloc(size ? size : 1);
}

extern "C" void irqlab_plat_free(void* ptr) {
    if (ptr)
        frees.fetch_add(1);
    std::free(ptr);
}

extern "C" void irqlab_plat_bug(const char* what) {
    std::fprintf(stderr, "BUG: %s\n", what);
    std::abort();
}

extern "C" void irqlab_plat_log(const char* msg) {
    std::fprintf(stderr, "%s\n", msg);
}
