// Delayed work: an engine timer whose callback queues the item, as
// delayed_work_timer_fn() does in Linux, so it runs no earlier than asked.
#include "core/base/cpu.h"
#include "core/workqueue/pool.h"
#include "core/workqueue/workqueues.h"

namespace irqlab::workqueue {

void init_delayed_work(DelayedWork& dwork, void (*func)(Work*)) {
    init_work(dwork.work, func);
    dwork.work.dwork = &dwork;
    timer::timer_setup(dwork.timer, delayed_work_timer_fn);
}

// The timer owns PENDING on behalf of the item; its expiry hands it on.
void delayed_work_timer_fn(timer::Timer* timer) {
    auto* dwork = reinterpret_cast<DelayedWork*>(reinterpret_cast<char*>(timer) -
                                                 __builtin_offsetof(DelayedWork, timer));
    base::IrqSaveGuard irqs_off;
    dwork->owner->queue_owned(dwork->cpu, dwork->wq, dwork->work);
}

// __queue_delayed_work(): the caller owns PENDING and has interrupts off.
bool Workqueues::arm_delayed(unsigned cpu, Workqueue* wq, DelayedWork& dwork, uint64_t delay_ns) {
    if (delay_ns == 0)
        return queue_owned(cpu, wq, dwork.work);
    dwork.wq = wq;
    dwork.cpu = cpu;
    dwork.owner = this;
    // An unbound or unnamed CPU arms the timer here (Linux does too).
    const unsigned timer_cpu =
        cpu < nr_cpus_ && base::cpu_online(cpu) && wq->percpu() ? cpu : base::cpu_id();
    timers_.mod_on(dwork.timer, base::now_ns() + delay_ns, timer_cpu);
    return true;
}

bool Workqueues::queue_delayed_work_on(unsigned cpu, Workqueue* wq, DelayedWork& dwork,
                                       uint64_t delay_ns) {
    base::IrqSaveGuard irqs_off;
    if (dwork.work.data.fetch_or(work_pending, cxxrt::memory_order::acq_rel) & work_pending)
        return false;
    return arm_delayed(cpu, wq, dwork, delay_ns);
}

bool Workqueues::mod_delayed_work_on(unsigned cpu, Workqueue* wq, DelayedWork& dwork,
                                     uint64_t delay_ns) {
    const int result = grab_pending(dwork.work);
    base::IrqSaveGuard irqs_off;
    arm_delayed(cpu, wq, dwork, delay_ns);
    return result == 1;
}

bool Workqueues::flush_delayed_work(DelayedWork& dwork) {
    if (!may_sleep("irqlab flush_delayed_work"))
        return false;
    {
        base::IrqSaveGuard irqs_off;
        if (timers_.del(dwork.timer))
            queue_owned(dwork.cpu, dwork.wq, dwork.work);
    }
    return flush_work(dwork.work);
}

} // namespace irqlab::workqueue
