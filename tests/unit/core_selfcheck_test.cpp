#include "hosted/hosted_platform.h"
#include "irqlab/core.h"

#include <gtest/gtest.h>

namespace {

TEST(CoreSelfcheck, PassesAndFreesWhatItAllocated) {
    irqlab::hosted::reset_alloc_stats();
    // Read the counters before any assertion, which may allocate itself.
    const int result = irqlab_core_selfcheck();
    const auto stats = irqlab::hosted::alloc_stats();
    EXPECT_EQ(result, 0);
    EXPECT_EQ(stats.may_sleep, 1u);
    EXPECT_EQ(stats.frees, 1u);
}

TEST(CoreSelfcheck, ReportsAllocationFailureAsEnomem) {
    irqlab::hosted::reset_alloc_stats();
    irqlab::hosted::fail_next_allocations(1);
    EXPECT_EQ(irqlab_core_selfcheck(), -12);
}

} // namespace

// Outside the anonymous namespace: with internal linkage gcc sees every
// overrider and drops the call below as unreachable.
struct PureVirtualProbe;
[[gnu::noinline]] int call_through_vtable(PureVirtualProbe* object);
int pure_virtual_calls = 0;

struct PureVirtualProbe {
    PureVirtualProbe() { pure_virtual_calls += call_through_vtable(this); }
    virtual ~PureVirtualProbe() = default;
    virtual int pure() = 0;
};
struct PureVirtualChild : PureVirtualProbe {
    int pure() override { return 1; }
};

// Calling a pure virtual while the base is being constructed reaches the
// vtable slot that holds __cxa_pure_virtual: the hook must report and stop.
int call_through_vtable(PureVirtualProbe* object) {
    PureVirtualProbe* volatile opaque = object;
    return opaque->pure();
}

namespace {

TEST(CxxrtPureVirtualDeathTest, ReportsAndStops) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH({ PureVirtualChild child; }, "pure virtual function called");
}

} // namespace
