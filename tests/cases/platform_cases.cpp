// The platform primitives the engine is built on, exercised with real
// threads, CPUs, locks and timers: kernel ones under KUnit, simulated ones
// hosted.
#include "tests/cases/ktest.h"
#include "tests/cases/on_each_cpu.h"

#include "core/base/completion.h"
#include "core/base/cpu.h"
#include "core/base/list.h"
#include "core/base/percpu.h"
#include "core/base/spinlock.h"
#include "core/base/thread.h"
#include "cxxrt/atomic.h"

namespace {

using namespace irqlab::base;

constexpr uint64_t ms = 1'000'000ull;
constexpr uint64_t ten_seconds = 10'000 * ms;

void cpu_ids_are_in_range(irqlab_ktest_ctx* ctx) {
    KT_ASSERT(ctx, nr_cpu_ids() >= 1);
    PreemptGuard pinned;
    const unsigned self = cpu_id();
    KT_EXPECT(ctx, self < nr_cpu_ids());
    KT_EXPECT(ctx, cpu_online(self));
    KT_EXPECT(ctx, !cpu_online(nr_cpu_ids()));
}

void irq_save_nests_and_restores(irqlab_ktest_ctx* ctx) {
    KT_ASSERT(ctx, !irqs_disabled());
    {
        IrqSaveGuard outer;
        KT_EXPECT(ctx, irqs_disabled());
        {
            IrqSaveGuard inner;
            KT_EXPECT(ctx, irqs_disabled());
        }
        KT_EXPECT(ctx, irqs_disabled());
    }
    KT_EXPECT(ctx, !irqs_disabled());
}

void clock_is_monotonic(irqlab_ktest_ctx* ctx) {
    uint64_t previous = now_ns();
    bool monotonic = true;
    for (int i = 0; i < 10000; ++i) {
        const uint64_t now = now_ns();
        monotonic = monotonic && now >= previous;
        previous = now;
    }
    KT_EXPECT(ctx, monotonic);
}

struct Slot {
    unsigned long hits;
    unsigned owner;
};

void hit_local_slot(void* arg, unsigned cpu) {
    auto* slots = static_cast<PerCpu<Slot>*>(arg);
    for (int i = 0; i < 1000; ++i) {
        PreemptGuard pinned;
        Slot& mine = slots->local();
        ++mine.hits;
        mine.owner = cpu;
    }
}

void percpu_copies_are_private(irqlab_ktest_ctx* ctx) {
    PerCpu<Slot> slots;
    KT_ASSERT(ctx, slots.init());
    for (unsigned cpu = 0; cpu < nr_cpu_ids(); ++cpu)
        KT_EXPECT(ctx, slots.on(cpu).hits == 0); // zeroed
    const unsigned ran = ktest::on_each_cpu(hit_local_slot, &slots);
    KT_ASSERT(ctx, ran > 0);
    unsigned seen = 0;
    for (unsigned cpu = 0; cpu < nr_cpu_ids(); ++cpu) {
        if (!cpu_online(cpu))
            continue;
        ++seen;
        KT_EXPECT(ctx, slots.on(cpu).hits == 1000);
        KT_EXPECT(ctx, slots.on(cpu).owner == cpu);
    }
    KT_EXPECT(ctx, seen == ran);
}

constinit LockClass counter_lock_class{"irqlab_test_counter_lock"};
constinit LockClass outer_lock_class{"irqlab_test_outer_lock"};

struct Guarded {
    SpinLock lock;
    unsigned long value = 0; // protected by lock
    cxxrt::atomic<bool> saw_irqs_on{false};
};
constexpr unsigned long locked_increments = 50000;

void increment_under_lock(void* arg, unsigned) {
    auto* guarded = static_cast<Guarded*>(arg);
    for (unsigned long i = 0; i < locked_increments; ++i) {
        SpinGuard hold{guarded->lock};
        guarded->lock.assert_held();
        if (!irqs_disabled())
            guarded->saw_irqs_on.store(true);
        guarded->value = guarded->value + 1;
    }
}

void spinlock_excludes_other_cpus(irqlab_ktest_ctx* ctx) {
    Guarded guarded;
    KT_ASSERT(ctx, guarded.lock.init(counter_lock_class, cxxrt::may_sleep_ctx));
    const unsigned cpus = ktest::on_each_cpu(increment_under_lock, &guarded);
    KT_ASSERT(ctx, cpus > 0);
    KT_EXPECT(ctx, guarded.value == cpus * locked_increments);
    KT_EXPECT(ctx, !guarded.saw_irqs_on.load());
}

void spinlocks_of_two_classes_nest(irqlab_ktest_ctx* ctx) {
    SpinLock outer, inner;
    KT_ASSERT(ctx, outer.init(outer_lock_class, cxxrt::may_sleep_ctx));
    KT_ASSERT(ctx, inner.init(counter_lock_class, cxxrt::atomic_ctx));
    SpinGuard hold_outer{outer};
    SpinGuard hold_inner{inner};
    outer.assert_held();
    inner.assert_held();
    KT_EXPECT(ctx, irqs_disabled());
}

void spin_unlocked_drops_the_lock_for_its_scope(irqlab_ktest_ctx* ctx) {
    Guarded guarded;
    KT_ASSERT(ctx, guarded.lock.init(counter_lock_class, cxxrt::may_sleep_ctx));
    KT_ASSERT(ctx, !irqs_disabled());
    SpinGuard hold{guarded.lock};
    guarded.value = 1;
    {
        SpinUnlocked dropped{guarded.lock};
        // The holder's interrupt state is back, and anyone may take it.
        KT_EXPECT(ctx, !irqs_disabled());
        SpinGuard other{guarded.lock};
        guarded.value = 2;
    }
    guarded.lock.assert_held();
    KT_EXPECT(ctx, irqs_disabled());
    KT_EXPECT(ctx, guarded.value == 2);
}

struct Item {
    int value;
    ListNode link;
    ListNode other_link;
};
using Items = List<Item, &Item::link>;
using OtherItems = List<Item, &Item::other_link>;

template <unsigned long N>
bool holds(Items& list, const int (&expected)[N]) {
    unsigned long seen = 0;
    for (Item& item : list)
        if (seen >= N || item.value != expected[seen++])
            return false;
    return seen == N;
}

void list_keeps_order_and_unlinks(irqlab_ktest_ctx* ctx) {
    Item a{1, {}, {}}, b{2, {}, {}}, c{3, {}, {}};
    Items list;
    KT_EXPECT(ctx, list.empty() && !list.front() && !Items::linked(a));
    list.push_back(b);
    list.push_back(c);
    list.push_front(a);
    KT_EXPECT(ctx, holds(list, {1, 2, 3}));
    KT_EXPECT(ctx, list.front() == &a && list.back() == &c);
    KT_EXPECT(ctx, list.next(a) == &b && list.next(c) == nullptr);
    Items::remove(b);
    KT_EXPECT(ctx, !Items::linked(b) && holds(list, {1, 3}));
    Items::remove(b); // unlinking an unlinked node changes nothing
    KT_EXPECT(ctx, holds(list, {1, 3}));
    KT_EXPECT(ctx, list.pop_front() == &a && holds(list, {3}));
    KT_EXPECT(ctx, list.pop_front() == &c && list.empty() && !list.pop_front());
}

void list_iteration_may_unlink_the_current_item(irqlab_ktest_ctx* ctx) {
    Item items[5] = {{0, {}, {}}, {1, {}, {}}, {2, {}, {}}, {3, {}, {}}, {4, {}, {}}};
    Items list;
    for (Item& item : items)
        list.push_back(item);
    for (Item& item : list)
        if (item.value % 2 == 0)
            Items::remove(item);
    KT_EXPECT(ctx, holds(list, {1, 3}));
}

void list_splices_and_replaces(irqlab_ktest_ctx* ctx) {
    Item a{1, {}, {}}, b{2, {}, {}}, c{3, {}, {}}, d{4, {}, {}};
    Items first, second;
    first.push_back(a);
    second.push_back(b);
    second.push_back(c);
    first.splice_back(second);
    KT_EXPECT(ctx, second.empty() && holds(first, {1, 2, 3}));
    first.splice_back(second); // an empty list moves nothing
    KT_EXPECT(ctx, holds(first, {1, 2, 3}));
    Items::replace(b, d);
    KT_EXPECT(ctx, !Items::linked(b) && holds(first, {1, 4, 3}));
    Items::insert_before(c, b); // keeping an order: b before c
    KT_EXPECT(ctx, holds(first, {1, 4, 2, 3}));
    Items::remove(b);
    // One object, two lists: each link is its own.
    OtherItems others;
    others.push_back(a);
    Items::remove(a);
    KT_EXPECT(ctx, holds(first, {4, 3}) && others.front() == &a);
    OtherItems::remove(a);
    KT_EXPECT(ctx, others.empty());
}

struct Loop {
    cxxrt::atomic<unsigned long> iterations{0};
    cxxrt::atomic<bool> go{false};
    cxxrt::atomic<unsigned> parks{0};
};

int count_until_stopped(void* arg) {
    auto* loop = static_cast<Loop*>(arg);
    while (!Thread::should_stop()) {
        if (Thread::should_park()) {
            loop->parks.fetch_add(1);
            Thread::parkme();
            continue;
        }
        loop->iterations.fetch_add(1);
        irqlab_plat_cond_resched();
    }
    return 7;
}

bool wait_for(cxxrt::atomic<unsigned long>& value, unsigned long at_least) {
    const uint64_t deadline = now_ns() + ten_seconds;
    while (value.load() < at_least) {
        if (now_ns() > deadline)
            return false;
        irqlab_plat_cond_resched();
    }
    return true;
}

void thread_stop_returns_the_result(irqlab_ktest_ctx* ctx) {
    Loop loop;
    Thread thread;
    KT_ASSERT(ctx, thread.start(count_until_stopped, &loop, any_cpu, "irqlab-test"));
    KT_EXPECT(ctx, wait_for(loop.iterations, 100));
    KT_EXPECT(ctx, thread.stop() == 7);
    KT_EXPECT(ctx, !thread.running());
}

void thread_park_freezes_it_until_unpark(irqlab_ktest_ctx* ctx) {
    Loop loop;
    Thread thread;
    KT_ASSERT(ctx, thread.start(count_until_stopped, &loop, any_cpu, "irqlab-test"));
    KT_ASSERT(ctx, wait_for(loop.iterations, 100));
    KT_EXPECT(ctx, thread.park() == 0);
    KT_EXPECT(ctx, loop.parks.load() == 1);
    const unsigned long frozen = loop.iterations.load();
    Completion never;
    KT_ASSERT(ctx, never.init(cxxrt::may_sleep_ctx));
    KT_EXPECT(ctx, never.wait(20 * ms) == WaitResult::timed_out);
    KT_EXPECT(ctx, loop.iterations.load() == frozen);
    thread.unpark();
    KT_EXPECT(ctx, wait_for(loop.iterations, frozen + 100));
    KT_EXPECT(ctx, thread.stop() == 7);
}

struct Sleeper {
    cxxrt::atomic<bool> ready{false};
    cxxrt::atomic<unsigned long> wakeups{0};
    Completion saw_ready;
};

int sleep_until_ready(void* arg) {
    auto* sleeper = static_cast<Sleeper*>(arg);
    while (!Thread::should_stop()) {
        Thread::sleep_until([&] { return sleeper->ready.load(); });
        if (sleeper->ready.exchange(false)) {
            sleeper->wakeups.fetch_add(1);
            sleeper->saw_ready.complete();
        }
    }
    return 0;
}

void thread_sleeps_until_woken(irqlab_ktest_ctx* ctx) {
    Sleeper sleeper;
    KT_ASSERT(ctx, sleeper.saw_ready.init(cxxrt::may_sleep_ctx));
    Thread thread;
    KT_ASSERT(ctx, thread.start(sleep_until_ready, &sleeper, any_cpu, "irqlab-test"));
    for (int round = 0; round < 100; ++round) {
        sleeper.ready.store(true);
        thread.wake();
        KT_ASSERT(ctx, sleeper.saw_ready.wait(ten_seconds) == WaitResult::completed);
    }
    KT_EXPECT(ctx, sleeper.wakeups.load() == 100);
    KT_EXPECT(ctx, thread.stop() == 0);
}

struct Waiter {
    Completion* gate;
    cxxrt::atomic<int>* released;
    Completion finished;
};

int wait_on_gate(void* arg) {
    auto* waiter = static_cast<Waiter*>(arg);
    if (waiter->gate->wait(ten_seconds) == WaitResult::completed)
        waiter->released->fetch_add(1);
    waiter->finished.complete();
    while (!Thread::should_stop())
        Thread::sleep_until([] { return false; });
    return 0;
}

void completion_times_out_after_the_timeout(irqlab_ktest_ctx* ctx) {
    Completion never;
    KT_ASSERT(ctx, never.init(cxxrt::may_sleep_ctx));
    const uint64_t start = now_ns();
    KT_EXPECT(ctx, never.wait(30 * ms) == WaitResult::timed_out);
    // Jiffies granularity may end the wait up to one tick (<= 10 ms) early.
    KT_EXPECT(ctx, now_ns() - start >= 20 * ms);
}

void complete_all_releases_every_waiter(irqlab_ktest_ctx* ctx) {
    Completion gate;
    KT_ASSERT(ctx, gate.init(cxxrt::may_sleep_ctx));
    cxxrt::atomic<int> released{0};
    Waiter waiters[3];
    Thread threads[3];
    for (int i = 0; i < 3; ++i) {
        waiters[i].gate = &gate;
        waiters[i].released = &released;
        KT_ASSERT(ctx, waiters[i].finished.init(cxxrt::may_sleep_ctx));
        KT_ASSERT(ctx, threads[i].start(wait_on_gate, &waiters[i], any_cpu, "irqlab-test"));
    }
    gate.complete_all();
    for (int i = 0; i < 3; ++i)
        KT_EXPECT(ctx, waiters[i].finished.wait(ten_seconds) == WaitResult::completed);
    KT_EXPECT(ctx, released.load() == 3);
    gate.reinit();
    KT_EXPECT(ctx, gate.wait(1 * ms) == WaitResult::timed_out);
}

void complete_counts_each_signal(irqlab_ktest_ctx* ctx) {
    Completion done;
    KT_ASSERT(ctx, done.init(cxxrt::may_sleep_ctx));
    done.complete();
    done.complete();
    KT_EXPECT(ctx, done.wait(ms) == WaitResult::completed);
    KT_EXPECT(ctx, done.wait(ms) == WaitResult::completed);
    KT_EXPECT(ctx, done.wait(ms) == WaitResult::timed_out);
}

constexpr irqlab_ktest_case cases[] = {
    {"cpu_ids_are_in_range", cpu_ids_are_in_range},
    {"irq_save_nests_and_restores", irq_save_nests_and_restores},
    {"clock_is_monotonic", clock_is_monotonic},
    {"percpu_copies_are_private", percpu_copies_are_private},
    {"spinlock_excludes_other_cpus", spinlock_excludes_other_cpus},
    {"spinlocks_of_two_classes_nest", spinlocks_of_two_classes_nest},
    {"spin_unlocked_drops_the_lock_for_its_scope", spin_unlocked_drops_the_lock_for_its_scope},
    {"list_keeps_order_and_unlinks", list_keeps_order_and_unlinks},
    {"list_iteration_may_unlink_the_current_item", list_iteration_may_unlink_the_current_item},
    {"list_splices_and_replaces", list_splices_and_replaces},
    {"thread_stop_returns_the_result", thread_stop_returns_the_result},
    {"thread_park_freezes_it_until_unpark", thread_park_freezes_it_until_unpark},
    {"thread_sleeps_until_woken", thread_sleeps_until_woken},
    {"completion_times_out_after_the_timeout", completion_times_out_after_the_timeout},
    {"complete_all_releases_every_waiter", complete_all_releases_every_waiter},
    {"complete_counts_each_signal", complete_counts_each_signal},
};

} // namespace

extern "C" constinit const irqlab_ktest_suite irqlab_ktest_platform_suite =
    ktest::suite("irqlab_platform", cases);
