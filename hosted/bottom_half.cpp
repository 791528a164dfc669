// Hosted platform: the host's bottom half (irqlab/platform.h). A thread
// that schedules one with interrupts off runs it when it next enables
// them, as a host's irq_exit() runs softirqs once its hardirq handler has
// returned: on the same simulated CPU, with interrupts on, preemption off.
#include "hosted/hosted_platform.h"
#include "hosted/thread_state.h"

#include "irqlab/platform.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

struct irqlab_bottom_half {
    irqlab_bh_fn fn = nullptr;
    void* arg = nullptr;
    // Scheduled on some thread and not yet finished running.
    std::atomic<unsigned> outstanding{0};
};

namespace irqlab::hosted {

void run_bottom_halves(ThreadState& state) {
    if (state.in_bottom_half)
        return;
    state.in_bottom_half = true;
    ++state.preempt_count;
    while (!state.bottom_halves.empty()) {
        irqlab_bottom_half* bh = state.bottom_halves.front();
        state.bottom_halves.erase(state.bottom_halves.begin());
        bh->fn(bh->arg);
        bh->outstanding.fetch_sub(1);
    }
    --state.preempt_count;
    state.in_bottom_half = false;
}

bool in_bottom_half() {
    return current_thread_state().in_bottom_half;
}

} // namespace irqlab::hosted

extern "C" irqlab_bottom_half* irqlab_plat_bh_create(irqlab_bh_fn fn, void* arg) {
    auto* bh = new irqlab_bottom_half;
    bh->fn = fn;
    bh->arg = arg;
    return bh;
}

extern "C" void irqlab_plat_bh_destroy(irqlab_bottom_half* bh) {
    if (!bh)
        return;
    while (bh->outstanding.load() != 0)
        std::this_thread::sleep_for(std::chrono::microseconds{100});
    delete bh;
}

extern "C" void irqlab_plat_bh_schedule_irqoff(irqlab_bottom_half* bh) {
    auto& state = irqlab::hosted::current_thread_state();
    if (!state.irqs_off)
        irqlab_plat_bug("irqlab_plat_bh_schedule_irqoff with interrupts on");
    auto& queued = state.bottom_halves;
    if (std::find(queued.begin(), queued.end(), bh) != queued.end())
        return;
    bh->outstanding.fetch_add(1);
    queued.push_back(bh);
}
