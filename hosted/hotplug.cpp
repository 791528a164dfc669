// Hosted platform: simulated CPU hotplug for the shared test cases
// (irqlab_plat_cpu_cycle), in the order Linux takes a CPU down and up.
#include "hosted/hosted_platform.h"
#include "hosted/thread_state.h"

#include "irqlab/platform.h"

#include <future>
#include <mutex>

namespace {

constexpr int einval = 22;

// One cycle at a time, as Linux's cpu_hotplug_lock serialises them.
std::mutex cycle_lock;

struct Step {
    void (*fn)(void* ctx, unsigned cpu);
    void* ctx;
    unsigned cpu;
    std::promise<void> done;
};

int run_step(void* raw) {
    auto* step = static_cast<Step*>(raw);
    step->fn(step->ctx, step->cpu);
    step->done.set_value();
    return 0;
}

// A hotplug callback in a thread of its own on 'on_cpu' (the cpuhp thread
// of an AP state, or the control CPU of a BP state).
void run_on(unsigned on_cpu, void (*fn)(void*, unsigned), void* ctx, unsigned cpu) {
    Step step{fn, ctx, cpu, {}};
    std::future<void> done = step.done.get_future();
    irqlab_thread* thread = irqlab_plat_thread_create(run_step, &step, on_cpu, "cpuhp");
    irqlab_plat_thread_wake(thread);
    done.wait(); // a stop before the thread ran would cancel it
    irqlab_plat_thread_stop(thread);
}

} // namespace

extern "C" int irqlab_plat_cpu_cycle(unsigned cpu, const irqlab_hotplug_ops* ops, void* ctx) {
    if (cpu == 0 || !irqlab_plat_cpu_online(cpu))
        return -einval;
    std::lock_guard hold{cycle_lock};
    // AP teardown on the dying CPU, then the CPU leaves: nothing new is
    // placed on it, and the threads still there move (as the scheduler
    // migrates tasks off a dead CPU) once their interrupts-off section is
    // over; BP teardown on CPU 0 while no thread has interrupts off on it.
    run_on(cpu, ops->down_prep, ctx, cpu);
    irqlab::hosted::set_cpu_online(cpu, false);
    irqlab::hosted::migrate_threads_off(cpu);
    {
        auto stopped = irqlab::hosted::stop_cpu(cpu);
        run_on(0, ops->dead, ctx, cpu);
    }
    ops->while_offline(ctx, cpu);
    irqlab::hosted::set_cpu_online(cpu, true);
    run_on(cpu, ops->online, ctx, cpu);
    return 0;
}
