// Threaded handlers of the engine's IRQ layer with real threads: kernel
// ones (SCHED_FIFO kthreads, under KASAN and lockdep in the debug kernel)
// under KUnit, simulated ones hosted.
#include "tests/cases/ktest.h"

#include "core/base/cpu.h"
#include "core/base/thread.h"
#include "core/engine/context.h"
#include "core/irq/domain.h"
#include "core/irq/irq_core.h"
#include "cxxrt/atomic.h"
#include "cxxrt/new.h"

namespace {

using namespace irqlab;
using irq::IrqReturn;

constexpr uint64_t ms = 1'000'000ull;
constexpr uint64_t ten_seconds = 10'000 * ms;

// Counts mask and unmask calls; nothing else to do for a software line.
class CountingChip final : public irq::IrqChip {
public:
    const char* name() const override { return "ktest-irqthread"; }
    void mask(irq::IrqData&) override { masks.fetch_add(1, cxxrt::memory_order::relaxed); }
    void unmask(irq::IrqData&) override { unmasks.fetch_add(1, cxxrt::memory_order::relaxed); }

    cxxrt::atomic<unsigned> masks{0};
    cxxrt::atomic<unsigned> unmasks{0};
};

// On the heap: IrqCore's table is too big for a kernel stack frame.
struct Lab {
    engine::Context context;
    irq::IrqDomain domain{"ktest-irqthread", 4};
    CountingChip chip;
    irq::IrqCore core{context};

    bool init() { return context.init() && core.init(); }

    unsigned line(unsigned long hwirq) {
        const int virq =
            core.alloc_desc(domain, hwirq, chip, nullptr, irq::FlowType::fasteoi, "ktest");
        return virq > 0 ? static_cast<unsigned>(virq) : 0;
    }

    void fire(unsigned virq) {
        base::IrqSaveGuard irqs_off;
        engine::HardirqScope hardirq{context};
        core.generic_handle_irq(virq);
    }
};

Lab* make_lab() {
    Lab* lab = new (cxxrt::may_sleep_ctx) Lab{};
    if (lab && !lab->init()) {
        delete lab;
        return nullptr;
    }
    return lab;
}

// The thread function of a device: counts, and sleeps while held (a
// threaded handler may sleep; spinning in a SCHED_FIFO thread could starve
// the test on a small machine).
struct Device {
    cxxrt::atomic<unsigned> started{0};
    cxxrt::atomic<unsigned> done{0};
    cxxrt::atomic<bool> hold{false};
    cxxrt::atomic<uint32_t> word{0};
    cxxrt::atomic<bool> irqs_off{false};
    engine::Context* context = nullptr;
};

IrqReturn thread_fn(unsigned, void* dev_id) {
    auto* device = static_cast<Device*>(dev_id);
    device->started.fetch_add(1, cxxrt::memory_order::seq_cst);
    while (device->hold.load(cxxrt::memory_order::acquire))
        base::Thread::sleep_ns(ms / 10);
    device->done.fetch_add(1, cxxrt::memory_order::seq_cst);
    return IrqReturn::handled;
}

IrqReturn wake(unsigned, void*) {
    return IrqReturn::wake_thread;
}

template <typename Condition>
bool wait_until(Condition&& condition) {
    const uint64_t deadline = base::now_ns() + ten_seconds;
    while (!condition()) {
        if (base::now_ns() > deadline)
            return false;
        base::Thread::sleep_ns(ms / 10);
    }
    return true;
}

struct Counts {
    uint64_t wakeups, merged, runs;
    bool fifo;
};

Counts thread_counts(Lab& lab, unsigned virq) {
    Counts counts{};
    lab.core.for_each_thread(
        virq,
        [](void* arg, const irq::IrqThreadStats& t) {
            *static_cast<Counts*>(arg) = {t.wakeups, t.wake_merged, t.runs, t.fifo};
        },
        &counts);
    return counts;
}

IrqReturn slow_thread_fn(unsigned, void* dev_id) {
    auto* device = static_cast<Device*>(dev_id);
    device->started.fetch_add(1, cxxrt::memory_order::seq_cst);
    base::Thread::sleep_ns(20 * ms);
    device->done.fetch_add(1, cxxrt::memory_order::seq_cst);
    return IrqReturn::handled;
}

IrqReturn plain_handler(unsigned, void* dev_id) {
    auto* device = static_cast<Device*>(dev_id);
    device->word.store(device->context->word(), cxxrt::memory_order::relaxed);
    device->irqs_off.store(base::irqs_disabled(), cxxrt::memory_order::relaxed);
    device->done.fetch_add(1, cxxrt::memory_order::seq_cst);
    return IrqReturn::handled;
}

// Frees what a case set up, whatever it got to.
void teardown(Lab* lab, unsigned virq, void* dev, void* other = nullptr) {
    if (virq != 0) {
        lab->core.free_irq(virq, dev);
        if (other)
            lab->core.free_irq(virq, other);
        lab->core.free_desc(virq);
    }
    delete lab;
}

void wake_runs_thread_once_per_wake(irqlab_ktest_ctx* ctx) {
    Lab* lab = make_lab();
    KT_ASSERT(ctx, lab);
    const unsigned virq = lab->line(0);
    Device device;
    KT_EXPECT(ctx, virq != 0);
    if (virq == 0 ||
        lab->core.request_threaded_irq(virq, wake, thread_fn, 0, "dev", &device) != 0) {
        KT_EXPECT(ctx, false);
        teardown(lab, 0, nullptr);
        return;
    }
    device.hold.store(true, cxxrt::memory_order::release);
    lab->fire(virq);
    KT_EXPECT(ctx,
              wait_until([&] { return device.started.load(cxxrt::memory_order::seq_cst) == 1; }));
    lab->fire(virq); // pending behind the held run
    lab->fire(virq); // merged into the pending wake
    device.hold.store(false, cxxrt::memory_order::release);
    lab->core.synchronize_irq(virq);
    const Counts counts = thread_counts(*lab, virq);
    KT_EXPECT(ctx, device.done.load(cxxrt::memory_order::seq_cst) == 2);
    KT_EXPECT(ctx, counts.wakeups == 3);
    KT_EXPECT(ctx, counts.runs == 2);
    KT_EXPECT(ctx, counts.merged == 1);
    KT_EXPECT(ctx, counts.fifo);
    teardown(lab, virq, &device);
}

void oneshot_masks_until_thread_end(irqlab_ktest_ctx* ctx) {
    Lab* lab = make_lab();
    KT_ASSERT(ctx, lab);
    const unsigned virq = lab->line(0);
    Device device;
    if (virq == 0 || lab->core.request_threaded_irq(virq, nullptr, thread_fn, irq::irqf_oneshot,
                                                    "dev", &device) != 0) {
        KT_EXPECT(ctx, false);
        teardown(lab, 0, nullptr);
        return;
    }
    device.hold.store(true, cxxrt::memory_order::release);
    lab->fire(virq);
    KT_EXPECT(ctx,
              wait_until([&] { return device.started.load(cxxrt::memory_order::seq_cst) == 1; }));
    KT_EXPECT(ctx, lab->core.desc(virq)->masked());
    KT_EXPECT(ctx, lab->core.desc(virq)->threads_oneshot() == 1);
    device.hold.store(false, cxxrt::memory_order::release);
    lab->core.synchronize_irq(virq);
    KT_EXPECT(ctx, !lab->core.desc(virq)->masked());
    KT_EXPECT(ctx, lab->core.desc(virq)->threads_oneshot() == 0);
    // Startup's unmask, then one mask and one unmask for the interrupt.
    KT_EXPECT(ctx, lab->chip.masks.load(cxxrt::memory_order::relaxed) == 1);
    KT_EXPECT(ctx, lab->chip.unmasks.load(cxxrt::memory_order::relaxed) == 2);
    teardown(lab, virq, &device);
}

void shared_oneshot_waits_for_both_threads(irqlab_ktest_ctx* ctx) {
    Lab* lab = make_lab();
    KT_ASSERT(ctx, lab);
    const unsigned virq = lab->line(0);
    Device first, second;
    constexpr unsigned flags = irq::irqf_shared | irq::irqf_oneshot;
    if (virq == 0 ||
        lab->core.request_threaded_irq(virq, wake, thread_fn, flags, "first", &first) != 0 ||
        lab->core.request_threaded_irq(virq, wake, thread_fn, flags, "second", &second) != 0) {
        KT_EXPECT(ctx, false);
        teardown(lab, virq, &first, &second);
        return;
    }
    first.hold.store(true, cxxrt::memory_order::release);
    second.hold.store(true, cxxrt::memory_order::release);
    lab->fire(virq);
    KT_EXPECT(ctx, wait_until([&] {
                  return first.started.load(cxxrt::memory_order::seq_cst) == 1 &&
                         second.started.load(cxxrt::memory_order::seq_cst) == 1;
              }));
    first.hold.store(false, cxxrt::memory_order::release);
    KT_EXPECT(ctx, wait_until([&] { return lab->core.desc(virq)->threads_oneshot() == 2; }));
    KT_EXPECT(ctx, lab->core.desc(virq)->masked());
    second.hold.store(false, cxxrt::memory_order::release);
    lab->core.synchronize_irq(virq);
    KT_EXPECT(ctx, !lab->core.desc(virq)->masked());
    KT_EXPECT(ctx, first.done.load(cxxrt::memory_order::seq_cst) == 1);
    KT_EXPECT(ctx, second.done.load(cxxrt::memory_order::seq_cst) == 1);
    teardown(lab, virq, &first, &second);
}

void synchronize_waits_for_the_thread(irqlab_ktest_ctx* ctx) {
    Lab* lab = make_lab();
    KT_ASSERT(ctx, lab);
    const unsigned virq = lab->line(0);
    Device device;
    if (virq == 0 ||
        lab->core.request_threaded_irq(virq, wake, slow_thread_fn, 0, "dev", &device) != 0) {
        KT_EXPECT(ctx, false);
        teardown(lab, 0, nullptr);
        return;
    }
    lab->fire(virq);
    KT_EXPECT(ctx,
              wait_until([&] { return device.started.load(cxxrt::memory_order::seq_cst) == 1; }));
    // The thread sleeps 20 ms before it counts itself done.
    lab->core.synchronize_irq(virq);
    KT_EXPECT(ctx, device.done.load(cxxrt::memory_order::seq_cst) == 1);
    KT_EXPECT(ctx, lab->core.desc(virq)->threads_active() == 0);
    teardown(lab, virq, &device);
}

// What the engine's local_bh_disable/enable do to the context word, and
// preemption off between them as there (the word is per CPU).
void bh_off(void* arg) {
    irqlab_plat_preempt_disable();
    static_cast<engine::Context*>(arg)->add(engine::softirq_disable_offset);
}

void bh_on(void* arg) {
    static_cast<engine::Context*>(arg)->sub(engine::softirq_disable_offset);
    irqlab_plat_preempt_enable();
}

void forced_threading_runs_with_bh_off(irqlab_ktest_ctx* ctx) {
    Lab* lab = make_lab();
    KT_ASSERT(ctx, lab);
    lab->core.set_forced_threading(true);
    lab->core.set_bh_hooks(bh_off, bh_on, &lab->context);
    const unsigned virq = lab->line(0);
    Device device;
    device.context = &lab->context;
    if (virq == 0 || lab->core.request_irq(virq, plain_handler, 0, "plain", &device) != 0) {
        KT_EXPECT(ctx, false);
        teardown(lab, 0, nullptr);
        return;
    }
    lab->fire(virq);
    lab->core.synchronize_irq(virq);
    const uint32_t word = device.word.load(cxxrt::memory_order::relaxed);
    KT_EXPECT(ctx, device.done.load(cxxrt::memory_order::seq_cst) == 1);
    KT_EXPECT(ctx, (word & engine::hardirq_mask) == 0);
    KT_EXPECT(ctx, (word & engine::softirq_mask) == engine::softirq_disable_offset);
    KT_EXPECT(ctx, device.irqs_off.load(cxxrt::memory_order::relaxed));
    KT_EXPECT(ctx, lab->core.desc(virq)->oneshot());
    KT_EXPECT(ctx, !lab->core.desc(virq)->masked());
    teardown(lab, virq, &device);
}

// Linux makes every forced action ONESHOT, one with a thread_fn too, so a
// threaded action and a plain one still share a line under threadirqs.
void forced_threading_shares_a_threaded_line(irqlab_ktest_ctx* ctx) {
    Lab* lab = make_lab();
    KT_ASSERT(ctx, lab);
    lab->core.set_forced_threading(true);
    const unsigned virq = lab->line(0);
    Device threaded, plain;
    plain.context = &lab->context;
    const bool first =
        virq != 0 && lab->core.request_threaded_irq(virq, wake, thread_fn, irq::irqf_shared,
                                                    "threaded", &threaded) == 0;
    const bool second =
        first && lab->core.request_irq(virq, plain_handler, irq::irqf_shared, "plain", &plain) == 0;
    KT_EXPECT(ctx, first && second);
    if (second) {
        lab->fire(virq);
        lab->core.synchronize_irq(virq);
        KT_EXPECT(ctx, threaded.done.load(cxxrt::memory_order::seq_cst) == 1);
        KT_EXPECT(ctx, plain.done.load(cxxrt::memory_order::seq_cst) == 1);
        KT_EXPECT(ctx, !lab->core.desc(virq)->masked());
    }
    if (first)
        teardown(lab, virq, &threaded, second ? &plain : nullptr);
    else
        teardown(lab, 0, nullptr);
}

constexpr irqlab_ktest_case cases[] = {
    {"wake_runs_thread_once_per_wake", wake_runs_thread_once_per_wake},
    {"oneshot_masks_until_thread_end", oneshot_masks_until_thread_end},
    {"shared_oneshot_waits_for_both_threads", shared_oneshot_waits_for_both_threads},
    {"synchronize_waits_for_the_thread", synchronize_waits_for_the_thread},
    {"forced_threading_runs_with_bh_off", forced_threading_runs_with_bh_off},
    {"forced_threading_shares_a_threaded_line", forced_threading_shares_a_threaded_line},
};

} // namespace

extern "C" constinit const irqlab_ktest_suite irqlab_ktest_irqthread_suite =
    ktest::suite("irqlab_irqthread", cases);
