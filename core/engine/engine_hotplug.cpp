// The engine's CPU hotplug steps; see irqlab/core.h and docs/engine.md.
#include "core/engine/engine.h"

namespace irqlab::engine {

bool Engine::cpu_online(unsigned cpu) {
    // Linux's bring-up order: the smpboot threads (ksoftirqd), the timer
    // base, then the workqueues (CPUHP_AP_WORKQUEUE_ONLINE). Every part
    // is tried: one that failed leaves the others working.
    bool ok = softirqs_.cpu_online(cpu);
    ok = timers_.cpu_online(cpu) && ok;
    return workqueues_.cpu_online(cpu) && ok;
}

void Engine::cpu_down_prep(unsigned cpu) {
    // The reverse: workers first (they may raise softirqs and arm timers
    // to the last), then the timer thread, then the softirq daemon.
    workqueues_.cpu_down_prep(cpu);
    timers_.cpu_down_prep(cpu);
    softirqs_.cpu_down_prep(cpu);
}

void Engine::cpu_dead(unsigned cpu) {
    // timers_dead_cpu (CPUHP_TIMERS_PREPARE), takeover_tasklets
    // (CPUHP_SOFTIRQ_DEAD), dev_cpu_dead (CPUHP_NET_DEV_DEAD); then the
    // pending slots left (the attached lines' softirq work) and the BH
    // pools, whose tasklets and kick timers have just moved here.
    timers_.take_over(cpu);
    tasklets_.take_over(cpu);
    napi_.take_over(cpu);
    backlog_.take_over(cpu);
    softirqs_.take_over_pending(cpu);
    workqueues_.cpu_dead(cpu);
}

} // namespace irqlab::engine
