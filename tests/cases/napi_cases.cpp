// NAPI polling (core/napi) on real threads and CPUs: kernel ones under
// KUnit (KASAN, lockdep), simulated ones hosted.
#include "tests/cases/ktest.h"

#include "core/base/cpu.h"
#include "core/base/thread.h"
#include "core/engine/context.h"
#include "core/napi/napi.h"
#include "core/napi/napi_polls.h"
#include "core/softirq/softirqs.h"
#include "cxxrt/atomic.h"
#include "cxxrt/unique_ptr.h"

namespace {

using namespace irqlab;

constexpr uint64_t ms = 1'000'000ull;
constexpr uint64_t ten_seconds = 10'000 * ms;

// An engine of its own per case: context, softirqs (with daemons), the
// poll lists, and a NET_RX handler that runs net_rx_action().
struct Rig {
    engine::Context context;
    softirq::Softirqs softirqs{context};
    napi::NapiPolls polls{softirqs};

    static void net_rx(void* self) { static_cast<napi::NapiPolls*>(self)->net_rx_action(); }

    bool init() {
        if (!context.init() || !softirqs.init() || !polls.init())
            return false;
        softirqs.open(softirq::SoftirqNr::net_rx, net_rx, &polls);
        return softirqs.start_daemons();
    }
    ~Rig() { softirqs.stop_daemons(); }
};

// A synthetic device: its interrupt masks it and schedules; the poll
// consumes up to the budget and unmasks only when complete_done() agrees.
struct Device {
    napi::Napi napi; // first: the poll finds the device from it
    Rig* rig = nullptr;
    cxxrt::atomic<uint64_t> queued{0};
    cxxrt::atomic<uint64_t> consumed{0};
    cxxrt::atomic<bool> masked{false};
    cxxrt::atomic<uint64_t> unmasks{0};
    cxxrt::atomic<uint64_t> not_serving{0};
    // Unmasks seen when each poll began.
    cxxrt::atomic<uint64_t> unmasks_at_poll[4] = {};
    // How long each poll keeps its CPU busy.
    uint64_t busy_ns = 0;
    cxxrt::atomic<bool> entered{false};
    cxxrt::atomic<bool> finished{false};
    // Polls begun; the engine counts each after it returned.
    cxxrt::atomic<uint64_t> poll_entries{0};

    static int poll(napi::Napi* napi, int budget) {
        auto* self = reinterpret_cast<Device*>(napi);
        self->poll_entries.fetch_add(1);
        const uint64_t round = self->napi.counters.polls.load();
        if (round < 4)
            self->unmasks_at_poll[round].store(self->unmasks.load());
        if (!self->rig->context.in_serving_softirq())
            self->not_serving.fetch_add(1);
        self->entered.store(true);
        if (self->busy_ns) {
            const uint64_t end = base::now_ns() + self->busy_ns;
            while (base::now_ns() < end) {
            }
        }
        uint64_t work = self->queued.load();
        if (work > static_cast<uint64_t>(budget))
            work = static_cast<uint64_t>(budget);
        self->queued.fetch_sub(work);
        self->consumed.fetch_add(work);
        self->finished.store(true);
        if (work < static_cast<uint64_t>(budget) &&
            self->rig->polls.complete_done(*napi, static_cast<int>(work))) {
            self->unmasks.fetch_add(1);
            self->masked.store(false);
        }
        return static_cast<int>(work);
    }

    void init(Rig& owner, int weight) {
        rig = &owner;
        rig->polls.add(napi, poll, weight);
        rig->polls.enable(napi);
    }

    // Events and the interrupt that announces them.
    void interrupt(uint64_t events) {
        queued.fetch_add(events);
        if (!masked.exchange(true))
            rig->polls.schedule(napi);
    }

    ~Device() {
        if (rig) {
            rig->polls.disable(napi);
            rig->polls.del(napi);
        }
    }
};

// Every poll that began was also counted (after it returned, which is
// after the driver completed it), and complete_done() counted.
bool settled(Device& device) {
    const napi::NapiStats stats = device.napi.stats();
    uint64_t histogram_total = 0;
    for (uint64_t count : stats.histogram)
        histogram_total += count;
    return stats.polls == device.poll_entries.load() && histogram_total == stats.polls &&
           stats.completed == device.unmasks.load();
}

bool wait_settled(Device& device) {
    const uint64_t deadline = base::now_ns() + ten_seconds;
    while (!settled(device)) {
        if (base::now_ns() > deadline)
            return false;
        irqlab_plat_cond_resched();
    }
    return true;
}

bool wait_idle(Device& device) {
    const uint64_t deadline = base::now_ns() + ten_seconds;
    while (device.napi.state_bits() != 0 || !settled(device)) {
        if (base::now_ns() > deadline)
            return false;
        irqlab_plat_cond_resched();
    }
    return true;
}

// The interrupt with bottom halves off, so the poll runs at
// local_bh_enable() on this CPU.
void interrupt_then_bh_enable(Rig& rig, Device& device, uint64_t events) {
    rig.softirqs.local_bh_disable();
    device.interrupt(events);
    rig.softirqs.local_bh_enable();
}

void napi_reenables_under_budget(irqlab_ktest_ctx* ctx) {
    cxxrt::unique_ptr<Rig> rig{new (cxxrt::may_sleep_ctx) Rig};
    KT_ASSERT(ctx, rig && rig->init());
    cxxrt::unique_ptr<Device> device{new (cxxrt::may_sleep_ctx) Device};
    KT_ASSERT(ctx, device);
    device->init(*rig, 16);
    interrupt_then_bh_enable(*rig, *device, 15);
    KT_ASSERT(ctx, wait_idle(*device));
    const napi::NapiStats stats = device->napi.stats();
    KT_EXPECT(ctx, stats.polls == 1);
    KT_EXPECT(ctx, stats.completed == 1);
    KT_EXPECT(ctx, stats.budget_exhausted == 0);
    KT_EXPECT(ctx, stats.events == 15);
    KT_EXPECT(ctx, stats.histogram[napi::histogram_bucket(15)] == 1);
    KT_EXPECT(ctx, device->unmasks.load() == 1);
    KT_EXPECT(ctx, !device->masked.load());
    KT_EXPECT(ctx, device->not_serving.load() == 0);
}

void napi_budget_exhaustion_keeps_it_scheduled(irqlab_ktest_ctx* ctx) {
    cxxrt::unique_ptr<Rig> rig{new (cxxrt::may_sleep_ctx) Rig};
    KT_ASSERT(ctx, rig && rig->init());
    cxxrt::unique_ptr<Device> device{new (cxxrt::may_sleep_ctx) Device};
    KT_ASSERT(ctx, device);
    device->init(*rig, 16);
    // Exactly the weight: the first poll may not complete, the second
    // (with nothing left) does.
    interrupt_then_bh_enable(*rig, *device, 16);
    KT_ASSERT(ctx, wait_idle(*device));
    const napi::NapiStats stats = device->napi.stats();
    KT_EXPECT(ctx, stats.polls == 2);
    KT_EXPECT(ctx, stats.budget_exhausted == 1);
    KT_EXPECT(ctx, stats.completed == 1);
    KT_EXPECT(ctx, stats.events == 16);
    KT_EXPECT(ctx, stats.histogram[0] == 1);
    KT_EXPECT(ctx, device->unmasks_at_poll[1].load() == 0);
    KT_EXPECT(ctx, device->unmasks.load() == 1);
    KT_EXPECT(ctx, device->consumed.load() == 16);
}

void napi_missed_schedule_reschedules(irqlab_ktest_ctx* ctx) {
    cxxrt::unique_ptr<Rig> rig{new (cxxrt::may_sleep_ctx) Rig};
    KT_ASSERT(ctx, rig && rig->init());
    cxxrt::unique_ptr<Device> device{new (cxxrt::may_sleep_ctx) Device};
    KT_ASSERT(ctx, device);
    device->init(*rig, 64);
    rig->softirqs.local_bh_disable();
    device->queued.store(5);
    device->masked.store(true);
    const bool first = rig->polls.schedule(device->napi);
    const bool second = rig->polls.schedule(device->napi);
    const unsigned long state = device->napi.state_bits();
    rig->softirqs.local_bh_enable();
    KT_EXPECT(ctx, first);
    KT_EXPECT(ctx, !second);
    KT_EXPECT(ctx, state == (napi::napi_sched | napi::napi_missed));
    KT_ASSERT(ctx, wait_idle(*device));
    const napi::NapiStats stats = device->napi.stats();
    KT_EXPECT(ctx, stats.coalesced == 1);
    KT_EXPECT(ctx, stats.polls == 2);
    KT_EXPECT(ctx, stats.completed == 1);
    KT_EXPECT(ctx, stats.events == 5);
    KT_EXPECT(ctx, device->unmasks.load() == 1);
}

unsigned last_online_cpu() {
    unsigned last = 0;
    for (unsigned cpu = 0; cpu < base::nr_cpu_ids(); ++cpu)
        if (base::cpu_online(cpu))
            last = cpu;
    return last;
}

int interrupt_from_thread(void* raw) {
    static_cast<Device*>(raw)->interrupt(3);
    // Stay until stopped: kthread_stop() expects the thread to be there.
    while (!base::Thread::should_stop())
        base::Thread::sleep_until([] { return false; });
    return 0;
}

void napi_disable_waits_for_the_poll(irqlab_ktest_ctx* ctx) {
    cxxrt::unique_ptr<Rig> rig{new (cxxrt::may_sleep_ctx) Rig};
    KT_ASSERT(ctx, rig && rig->init());
    cxxrt::unique_ptr<Device> device{new (cxxrt::may_sleep_ctx) Device};
    KT_ASSERT(ctx, device);
    device->init(*rig, 64);
    // A bounded busy poll, run by the daemon of the last CPU (scheduled
    // from process context there): the runner's CPU stays out of engine
    // softirq context, and on one CPU the runner simply waits it out.
    device->busy_ns = 30 * ms;
    base::Thread thread;
    KT_ASSERT(ctx,
              thread.start(interrupt_from_thread, device.get(), last_online_cpu(), "irqlab-test"));
    const uint64_t deadline = base::now_ns() + ten_seconds;
    while (!device->entered.load() && base::now_ns() < deadline)
        irqlab_plat_cond_resched();
    KT_ASSERT(ctx, device->entered.load());
    thread.stop();
    rig->polls.disable(device->napi);
    KT_EXPECT(ctx, device->finished.load());
    KT_EXPECT(ctx, device->napi.state_bits() == napi::napi_sched);
    KT_EXPECT(ctx, device->consumed.load() == 3);
    KT_ASSERT(ctx, wait_settled(*device));
    KT_EXPECT(ctx, device->napi.stats().completed == 1);
    // Disabled: an interrupt is only noted as missed.
    device->masked.store(false);
    device->interrupt(1);
    KT_EXPECT(ctx, device->napi.state_bits() == (napi::napi_sched | napi::napi_missed));
    KT_EXPECT(ctx, device->napi.stats().polls == 1);
    rig->polls.enable(device->napi);
}

constexpr irqlab_ktest_case cases[] = {
    {"napi_reenables_under_budget", napi_reenables_under_budget},
    {"napi_budget_exhaustion_keeps_it_scheduled", napi_budget_exhaustion_keeps_it_scheduled},
    {"napi_missed_schedule_reschedules", napi_missed_schedule_reschedules},
    {"napi_disable_waits_for_the_poll", napi_disable_waits_for_the_poll},
};

} // namespace

extern "C" constinit const irqlab_ktest_suite irqlab_ktest_napi_suite =
    ktest::suite("irqlab_napi", cases);
