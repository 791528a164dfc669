// The engine's workqueues on real threads and CPUs (kernel ones under
// KUnit, simulated ones hosted): each case builds its own engine context,
// softirqs, tasklets, timers and workqueues.
#include "tests/cases/ktest.h"

#include "core/base/cpu.h"
#include "core/base/thread.h"
#include "core/engine/context.h"
#include "core/softirq/softirqs.h"
#include "core/softirq/tasklet.h"
#include "core/timer/timers.h"
#include "core/workqueue/workqueues.h"
#include "cxxrt/atomic.h"
#include "cxxrt/new.h"

namespace {

using namespace irqlab;
using workqueue::Work;
using workqueue::Workqueue;

constexpr uint64_t us = 1'000ull;
constexpr uint64_t ms = 1'000'000ull;
constexpr uint64_t wait_limit = 5'000 * ms;
constexpr auto relaxed = cxxrt::memory_order::relaxed;

// One engine instance for one case.
struct Engine {
    engine::Context context;
    softirq::Softirqs softirqs{context};
    softirq::Tasklets tasklets{softirqs};
    timer::Timers timers{softirqs};
    workqueue::Workqueues wqs{context, softirqs, tasklets, timers};
    bool started = false;

    bool start() {
        started = context.init() && softirqs.init() && tasklets.init() &&
                  softirqs.start_daemons() && timers.init() && wqs.init();
        return started;
    }
    ~Engine() {
        wqs.shutdown();
        timers.stop();
        softirqs.stop_daemons();
    }
};

Engine* make_engine() {
    Engine* engine = new (cxxrt::may_sleep_ctx) Engine{};
    if (engine && !engine->start()) {
        delete engine;
        return nullptr;
    }
    return engine;
}

template <typename Pred>
bool wait_for(Pred pred) {
    const uint64_t end = base::now_ns() + wait_limit;
    while (!pred()) {
        if (base::now_ns() > end)
            return false;
        base::Thread::sleep_ns(100 * us);
    }
    return true;
}

unsigned nth_online_cpu(unsigned n) {
    unsigned online = 0;
    for (unsigned cpu = 0; cpu < base::nr_cpu_ids(); ++cpu)
        if (base::cpu_online(cpu) && online++ == n)
            return cpu;
    return workqueue::any_cpu;
}

// A work item with counters; 'body' runs inside the work function.
struct Item {
    Work work;
    workqueue::Workqueues* wqs = nullptr;
    cxxrt::atomic<int> started{0};
    cxxrt::atomic<int> runs{0};
    cxxrt::atomic<bool> running{false};
    cxxrt::atomic<bool>* gate = nullptr;
    cxxrt::atomic<int>* in_flight = nullptr;
    cxxrt::atomic<int>* most = nullptr;
    cxxrt::atomic<int>* order = nullptr; // next order slot
    int* slots = nullptr;
    int index = 0;
    int requeue_until = 0;
    uint64_t block_ns = 0;
    bool softirq_seen = false;
    uint64_t ran_at = 0;

    static void fn(Work* work) {
        auto* self = static_cast<Item*>(work->user);
        self->started.fetch_add(1);
        self->running.store(true);
        self->ran_at = base::now_ns();
        self->softirq_seen = self->wqs->context().in_serving_softirq();
        if (self->in_flight) {
            const int now = self->in_flight->fetch_add(1) + 1;
            int seen = self->most->load();
            while (now > seen && !self->most->compare_exchange_weak(seen, now)) {
            }
        }
        if (self->order)
            self->slots[self->order->fetch_add(1)] = self->index;
        if (self->gate)
            wait_for([self] { return self->gate->load(); });
        if (self->block_ns)
            self->wqs->block_in_work(self->work, self->block_ns);
        if (self->in_flight)
            self->in_flight->fetch_sub(1);
        const int runs = self->runs.fetch_add(1) + 1;
        self->running.store(false);
        if (runs < self->requeue_until)
            self->wqs->queue_work(self->wqs->system_unbound_wq(), self->work);
    }

    void setup(workqueue::Workqueues& owner) {
        workqueue::init_work(work, fn);
        work.user = this;
        wqs = &owner;
    }
};

template <unsigned N>
struct Items {
    Item item[N];
    void setup(workqueue::Workqueues& owner) {
        for (unsigned i = 0; i < N; ++i) {
            item[i].setup(owner);
            item[i].index = static_cast<int>(i);
        }
    }
};

void queue_and_flush_count(irqlab_ktest_ctx* ctx) {
    Engine* engine = make_engine();
    KT_ASSERT(ctx, engine);
    auto* items = new (cxxrt::may_sleep_ctx) Items<64>{};
    KT_ASSERT(ctx, items);
    items->setup(engine->wqs);
    unsigned online = 0;
    while (nth_online_cpu(online) != workqueue::any_cpu)
        ++online;
    for (unsigned i = 0; i < 64; ++i)
        KT_EXPECT(ctx, engine->wqs.queue_work_on(nth_online_cpu(i % online),
                                                 engine->wqs.system_wq(), items->item[i].work));
    engine->wqs.flush_workqueue(engine->wqs.system_wq());
    int runs = 0;
    for (unsigned i = 0; i < 64; ++i)
        runs += items->item[i].runs.load();
    KT_EXPECT(ctx, runs == 64);
    delete items;
    delete engine;
}

void max_active_is_enforced(irqlab_ktest_ctx* ctx) {
    Engine* engine = make_engine();
    KT_ASSERT(ctx, engine);
    Workqueue* wq = engine->wqs.alloc_workqueue("kt_limited", workqueue::wq_unbound, 2);
    KT_ASSERT(ctx, wq);
    auto* items = new (cxxrt::may_sleep_ctx) Items<8>{};
    KT_ASSERT(ctx, items);
    items->setup(engine->wqs);
    cxxrt::atomic<bool> gate{false};
    cxxrt::atomic<int> in_flight{0};
    cxxrt::atomic<int> most{0};
    for (auto& item : items->item) {
        item.gate = &gate;
        item.in_flight = &in_flight;
        item.most = &most;
        KT_EXPECT(ctx, engine->wqs.queue_work(wq, item.work));
    }
    KT_EXPECT(ctx, wait_for([&] { return in_flight.load() == 2; }));
    workqueue::WorkqueueStats stats;
    KT_EXPECT(ctx, engine->wqs.workqueue_stats(wq, stats));
    KT_EXPECT(ctx, stats.in_flight == 2);
    KT_EXPECT(ctx, stats.inactive == 6);
    gate.store(true);
    engine->wqs.flush_workqueue(wq);
    KT_EXPECT(ctx, most.load() == 2);
    for (auto& item : items->item)
        KT_EXPECT(ctx, item.runs.load() == 1);
    engine->wqs.destroy_workqueue(wq);
    delete items;
    delete engine;
}

void ordered_runs_in_order(irqlab_ktest_ctx* ctx) {
    Engine* engine = make_engine();
    KT_ASSERT(ctx, engine);
    Workqueue* wq = engine->wqs.alloc_ordered_workqueue("kt_ordered", 0);
    KT_ASSERT(ctx, wq);
    auto* items = new (cxxrt::may_sleep_ctx) Items<32>{};
    KT_ASSERT(ctx, items);
    items->setup(engine->wqs);
    int slots[32] = {};
    cxxrt::atomic<int> next{0};
    cxxrt::atomic<int> in_flight{0};
    cxxrt::atomic<int> most{0};
    for (auto& item : items->item) {
        item.order = &next;
        item.slots = slots;
        item.in_flight = &in_flight;
        item.most = &most;
        KT_EXPECT(ctx, engine->wqs.queue_work(wq, item.work));
    }
    engine->wqs.flush_workqueue(wq);
    KT_EXPECT(ctx, next.load() == 32);
    bool in_order = true;
    for (int i = 0; i < 32; ++i)
        in_order = in_order && slots[i] == i;
    KT_EXPECT(ctx, in_order);
    KT_EXPECT(ctx, most.load() == 1);
    engine->wqs.destroy_workqueue(wq);
    delete items;
    delete engine;
}

void cancel_sync_waits_for_the_running_work(irqlab_ktest_ctx* ctx) {
    Engine* engine = make_engine();
    KT_ASSERT(ctx, engine);
    Item item;
    item.setup(engine->wqs);
    item.block_ns = 5 * ms;
    KT_EXPECT(ctx, engine->wqs.queue_work(engine->wqs.system_wq(), item.work));
    KT_EXPECT(ctx, wait_for([&] { return item.running.load(); }));
    const bool was_pending = engine->wqs.cancel_work_sync(item.work);
    KT_EXPECT(ctx, !was_pending);
    KT_EXPECT(ctx, !item.running.load());
    KT_EXPECT(ctx, item.runs.load() == 1);
    KT_EXPECT(ctx, !item.work.pending());
    delete engine;
}

void flush_races_with_requeue(irqlab_ktest_ctx* ctx) {
    Engine* engine = make_engine();
    KT_ASSERT(ctx, engine);
    Item item;
    item.setup(engine->wqs);
    item.requeue_until = 200;
    KT_EXPECT(ctx, engine->wqs.queue_work(engine->wqs.system_unbound_wq(), item.work));
    // A flush that waited returns only once the instance running or
    // queued at its call finished: every run started by then has ended.
    bool waited_for_instance = true;
    for (int round = 0; round < 50; ++round) {
        const int started = item.started.load();
        if (engine->wqs.flush_work(item.work))
            waited_for_instance = waited_for_instance && item.runs.load() >= started;
    }
    KT_EXPECT(ctx, waited_for_instance);
    KT_EXPECT(ctx, wait_for([&] { return item.runs.load() == 200; }));
    engine->wqs.flush_work(item.work);
    KT_EXPECT(ctx, !item.work.pending());
    KT_EXPECT(ctx, item.runs.load() == 200);
    delete engine;
}

struct DelayedItem {
    workqueue::DelayedWork dwork;
    cxxrt::atomic<int> runs{0};
    cxxrt::atomic<uint64_t> ran_at{0};
    static void fn(Work* work) {
        auto* self = static_cast<DelayedItem*>(work->user);
        self->ran_at.store(base::now_ns());
        self->runs.fetch_add(1);
    }
    DelayedItem() {
        workqueue::init_delayed_work(dwork, fn);
        dwork.work.user = this;
    }
};

void delayed_work_fires_no_earlier(irqlab_ktest_ctx* ctx) {
    Engine* engine = make_engine();
    KT_ASSERT(ctx, engine);
    DelayedItem fired;
    DelayedItem cancelled;
    const uint64_t queued_at = base::now_ns();
    KT_EXPECT(ctx, engine->wqs.queue_delayed_work(engine->wqs.system_wq(), fired.dwork, 20 * ms));
    KT_EXPECT(ctx,
              engine->wqs.queue_delayed_work(engine->wqs.system_wq(), cancelled.dwork, 5'000 * ms));
    KT_EXPECT(ctx, engine->wqs.cancel_delayed_work_sync(cancelled.dwork));
    KT_EXPECT(ctx, wait_for([&] { return fired.runs.load() == 1; }));
    KT_EXPECT(ctx, fired.ran_at.load() >= queued_at + 20 * ms);
    KT_EXPECT(ctx, cancelled.runs.load() == 0);
    KT_EXPECT(ctx, !cancelled.dwork.work.pending());
    delete engine;
}

void bh_work_runs_in_softirq(irqlab_ktest_ctx* ctx) {
    Engine* engine = make_engine();
    KT_ASSERT(ctx, engine);
    Item normal;
    Item high;
    normal.setup(engine->wqs);
    high.setup(engine->wqs);
    KT_EXPECT(ctx, engine->wqs.queue_work(engine->wqs.system_bh_wq(), normal.work));
    KT_EXPECT(ctx, engine->wqs.queue_work(engine->wqs.system_bh_highpri_wq(), high.work));
    KT_EXPECT(ctx, wait_for([&] { return normal.runs.load() == 1 && high.runs.load() == 1; }));
    KT_EXPECT(ctx, normal.softirq_seen);
    KT_EXPECT(ctx, high.softirq_seen);
    delete engine;
}

void destroy_drains(irqlab_ktest_ctx* ctx) {
    Engine* engine = make_engine();
    KT_ASSERT(ctx, engine);
    Workqueue* wq = engine->wqs.alloc_workqueue("kt_drain", 0, 4);
    KT_ASSERT(ctx, wq);
    auto* items = new (cxxrt::may_sleep_ctx) Items<24>{};
    KT_ASSERT(ctx, items);
    items->setup(engine->wqs);
    for (auto& item : items->item) {
        item.block_ns = 200 * us;
        KT_EXPECT(ctx, engine->wqs.queue_work(wq, item.work));
    }
    engine->wqs.destroy_workqueue(wq);
    int runs = 0;
    for (auto& item : items->item)
        runs += item.runs.load(relaxed);
    KT_EXPECT(ctx, runs == 24);
    delete items;
    delete engine;
}

constexpr irqlab_ktest_case cases[] = {
    {"queue_and_flush_count", queue_and_flush_count},
    {"max_active_is_enforced", max_active_is_enforced},
    {"ordered_runs_in_order", ordered_runs_in_order},
    {"cancel_sync_waits_for_the_running_work", cancel_sync_waits_for_the_running_work},
    {"flush_races_with_requeue", flush_races_with_requeue},
    {"delayed_work_fires_no_earlier", delayed_work_fires_no_earlier},
    {"bh_work_runs_in_softirq", bh_work_runs_in_softirq},
    {"destroy_drains", destroy_drains},
};

} // namespace

extern "C" constinit const irqlab_ktest_suite irqlab_ktest_workqueue_suite =
    ktest::suite("irqlab_workqueue", cases);
