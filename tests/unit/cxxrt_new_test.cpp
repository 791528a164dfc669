#include "cxxrt/new.h"
#include "cxxrt/unique_ptr.h"
#include "hosted/hosted_platform.h"

#include <gtest/gtest.h>

#include <type_traits>

namespace cxxrt_new_test {

using irqlab::hosted::alloc_stats;

struct Tracked {
    static inline int constructed = 0;
    static inline int destroyed = 0;
    explicit Tracked(int v) : value{v} { ++constructed; }
    virtual ~Tracked() { ++destroyed; }
    int value;
};

struct Derived : Tracked {
    Derived() : Tracked{7} {}
};

// Ownership converts derived to base only, as std::unique_ptr does.
static_assert(std::is_constructible_v<cxxrt::unique_ptr<Tracked>, cxxrt::unique_ptr<Derived>&&>);
static_assert(!std::is_constructible_v<cxxrt::unique_ptr<Derived>, cxxrt::unique_ptr<Tracked>&&>);
static_assert(!std::is_constructible_v<cxxrt::unique_ptr<Tracked>, cxxrt::unique_ptr<int>&&>);

class CxxrtNew : public testing::Test {
protected:
    void SetUp() override {
        irqlab::hosted::reset_alloc_stats();
        Tracked::constructed = Tracked::destroyed = 0;
    }
};

TEST_F(CxxrtNew, ContextReachesThePlatform) {
    delete new (cxxrt::atomic_ctx) int{1};
    delete new (cxxrt::may_sleep_ctx) int{2};
    delete new (cxxrt::may_sleep_ctx) int{3};
    EXPECT_EQ(alloc_stats().atomic, 1u);
    EXPECT_EQ(alloc_stats().may_sleep, 2u);
}

TEST_F(CxxrtNew, ArrayFormsUseTheContextToo) {
    int* values = new (cxxrt::atomic_ctx) int[16]{};
    ASSERT_NE(values, nullptr);
    values[15] = 5;
    delete[] values;
    EXPECT_EQ(alloc_stats().atomic, 1u);
}

TEST_F(CxxrtNew, FailedAllocationYieldsNullAndConstructsNothing) {
    irqlab::hosted::fail_next_allocations(1);
    Tracked* t = new (cxxrt::atomic_ctx) Tracked{1};
    EXPECT_EQ(t, nullptr);
    EXPECT_EQ(Tracked::constructed, 0);
    EXPECT_EQ(alloc_stats().failed, 1u);
}

TEST_F(CxxrtNew, PlacementNewConstructsInPlace) {
    alignas(Tracked) unsigned char storage[sizeof(Tracked)];
    Tracked* t = new (storage) Tracked{9};
    EXPECT_EQ(static_cast<void*>(t), static_cast<void*>(storage));
    EXPECT_EQ(t->value, 9);
    t->~Tracked();
    EXPECT_EQ(alloc_stats().atomic + alloc_stats().may_sleep, 0u);
}

TEST_F(CxxrtNew, UniquePtrFreesThroughTheVirtualDestructor) {
    int value = 0;
    {
        cxxrt::unique_ptr<Tracked> owner = cxxrt::make_unique<Derived>(cxxrt::may_sleep_ctx);
        value = owner ? owner->value : -1;
    }
    const auto stats = alloc_stats(); // before assertions, which may allocate
    EXPECT_EQ(value, 7);
    EXPECT_EQ(Tracked::destroyed, 1);
    EXPECT_EQ(stats.frees, 1u);
}

TEST_F(CxxrtNew, UniquePtrMoveTransfersOwnership) {
    auto a = cxxrt::make_unique<Tracked>(cxxrt::atomic_ctx, 1);
    auto b = cxxrt::move(a);
    EXPECT_FALSE(a);
    ASSERT_TRUE(b);
    b.reset();
    EXPECT_EQ(Tracked::destroyed, 1);
    EXPECT_FALSE(b);
}

TEST_F(CxxrtNew, MakeUniqueIsEmptyWhenAllocationFails) {
    irqlab::hosted::fail_next_allocations(1);
    auto owner = cxxrt::make_unique<Tracked>(cxxrt::atomic_ctx, 1);
    EXPECT_FALSE(owner);
    EXPECT_EQ(Tracked::constructed, 0);
}

} // namespace cxxrt_new_test
