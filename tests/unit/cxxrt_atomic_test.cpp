#include "cxxrt/atomic.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace cxxrt_atomic_test {

enum class State : unsigned char { idle, scheduled, running };

TEST(CxxrtAtomic, LoadStoreExchange) {
    cxxrt::atomic<int> a{3};
    EXPECT_EQ(a.load(), 3);
    a.store(4, cxxrt::memory_order::release);
    EXPECT_EQ(a.load(cxxrt::memory_order::acquire), 4);
    EXPECT_EQ(a.exchange(5), 4);
    EXPECT_EQ(static_cast<int>(a), 5);
}

TEST(CxxrtAtomic, CompareExchangeReportsTheValueFound) {
    cxxrt::atomic<long> a{10};
    long expected = 11;
    EXPECT_FALSE(a.compare_exchange_strong(expected, 20));
    EXPECT_EQ(expected, 10);
    EXPECT_TRUE(a.compare_exchange_strong(expected, 20));
    EXPECT_EQ(a.load(), 20);
}

TEST(CxxrtAtomic, FetchOpsReturnThePreviousValue) {
    cxxrt::atomic<unsigned> a{0b0101};
    EXPECT_EQ(a.fetch_or(0b0010), 0b0101u);
    EXPECT_EQ(a.fetch_and(0b0110), 0b0111u);
    EXPECT_EQ(a.fetch_add(10), 0b0110u);
    EXPECT_EQ(a.fetch_sub(6), 16u);
    EXPECT_EQ(a.load(), 10u);
}

TEST(CxxrtAtomic, EnumsAndPointersAreAtomicToo) {
    cxxrt::atomic<State> s{State::idle};
    State expected = State::idle;
    EXPECT_TRUE(s.compare_exchange_strong(expected, State::scheduled));
    EXPECT_EQ(s.load(), State::scheduled);

    int x = 0;
    cxxrt::atomic<int*> p{nullptr};
    p.store(&x);
    EXPECT_EQ(p.load(), &x);
}

TEST(CxxrtAtomic, ConcurrentIncrementsAreNotLost) {
    constexpr int threads = 4;
    constexpr int per_thread = 100000;
    cxxrt::atomic<long> counter{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&] {
            for (int i = 0; i < per_thread; ++i)
                counter.fetch_add(1, cxxrt::memory_order::relaxed);
        });
    for (auto& w : workers)
        w.join();
    EXPECT_EQ(counter.load(), long{threads} * per_thread);
}

TEST(CxxrtAtomic, CasLoopBuildsAMutualExclusion) {
    cxxrt::atomic<int> lock{0};
    long shared = 0; // protected by 'lock' only
    auto worker = [&] {
        for (int i = 0; i < 20000; ++i) {
            int unlocked = 0;
            while (!lock.compare_exchange_weak(unlocked, 1, cxxrt::memory_order::acquire,
                                               cxxrt::memory_order::relaxed))
                unlocked = 0;
            ++shared;
            lock.store(0, cxxrt::memory_order::release);
        }
    };
    std::thread a{worker}, b{worker};
    a.join();
    b.join();
    EXPECT_EQ(shared, 40000);
}

} // namespace cxxrt_atomic_test
