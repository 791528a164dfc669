// Engine timers; see timers.h. Follows kernel/time/timer.c of Linux 6.12
// (lock_timer_base, __mod_timer, timer_delete_sync, expire_timers), on a
// sorted list per CPU instead of the timer wheel.
#include "core/timer/timers.h"

#include "core/base/counter.h"
#include "core/base/cpu.h"
#include "irqlab/platform.h"

namespace irqlab::timer {

namespace {

constexpr auto relaxed = cxxrt::memory_order::relaxed;
constexpr auto acquire = cxxrt::memory_order::acquire;
constexpr auto release = cxxrt::memory_order::release;

constexpr unsigned never_armed = ~0u;
// Timer::cpu while the timer moves between two CPUs' lists (Linux's
// TIMER_MIGRATING): base_of() waits until the move is over.
constexpr unsigned migrating = ~0u - 1;
constexpr uint64_t no_expiry = ~0ull;
// How long a timer thread waits before raising TIMER again when expired
// timers are still queued after its last raise: another round on the CPU
// (or a callback re-arming into the past) has them, as a tick would.
constexpr uint64_t retry_ns = 50'000;

constinit base::LockClass base_lock_class{"irqlab_timer_base"};

} // namespace

void timer_setup(Timer& timer, void (*callback)(Timer*)) {
    timer.callback = callback;
    timer.expires_ns = 0;
    timer.cpu.store(never_armed, relaxed);
    timer.queued.store(false, relaxed);
}

Timers::~Timers() {
    stop();
    if (opened_)
        softirqs_.open(softirq::SoftirqNr::timer, nullptr, nullptr);
}

bool Timers::init() {
    if (!cpus_.init())
        return false;
    initialised_ = true;
    for (unsigned cpu = 0; cpu < base::nr_cpu_ids(); ++cpu) {
        Cpu& base = cpus_.on(cpu);
        base.owner = this;
        base.cpu = cpu;
        if (!base.lock.init(base_lock_class, cxxrt::may_sleep_ctx))
            return false;
    }
    softirqs_.open(softirq::SoftirqNr::timer, timer_action, this);
    opened_ = true;
    for (unsigned cpu = 0; cpu < base::nr_cpu_ids(); ++cpu) {
        if (!base::cpu_online(cpu))
            continue;
        if (!start_thread(cpus_.on(cpu))) {
            stop();
            softirqs_.open(softirq::SoftirqNr::timer, nullptr, nullptr);
            opened_ = false;
            return false;
        }
    }
    return true;
}

bool Timers::start_thread(Cpu& base) {
    if (!base.thread.start(thread_main, &base, base.cpu, "irqlab-timer/"))
        return false;
    base::SpinGuard hold{base.lock};
    base.wakeable = true;
    base.online = true;
    // An arm before 'wakeable' woke nobody: let the thread look again.
    base.thread.wake();
    return true;
}

void Timers::stop() {
    if (!initialised_)
        return;
    for (unsigned cpu = 0; cpu < base::nr_cpu_ids(); ++cpu) {
        Cpu& base = cpus_.on(cpu);
        {
            base::SpinGuard hold{base.lock};
            base.wakeable = false;
        }
        base.thread.stop();
    }
}

bool Timers::mod(Timer& timer, uint64_t expires_ns) {
    return mod_on(timer, expires_ns, base::cpu_id());
}

bool Timers::mod_on(Timer& timer, uint64_t expires_ns, unsigned cpu) {
    if (cpu >= base::nr_cpu_ids() || !base::cpu_online(cpu)) {
        // Deliberate difference: Linux's add_timer_on() queues on an
        // offline CPU's base, where the timer waits until the CPU is back;
        // the engine arms it on this CPU, as timers_dead_cpu() would have
        // moved it here had the CPU died after the arm.
        irqlab_plat_log("irqlab timer: mod_on for an offline CPU, armed on this CPU instead");
        cpu = base::cpu_id();
    }
    // Interrupts stay off between the two locks of a move, so whoever
    // waits in base_of() for it waits only briefly.
    base::IrqSaveGuard irqs_off;
    bool was_pending;
    for (;;) {
        Cpu& base = base_of(timer, cpu);
        base::SpinGuard hold{base.lock};
        if (!holds(base, timer))
            continue;
        was_pending = detach(base, timer);
        timer.expires_ns = expires_ns;
        if (base.running == &timer) {
            // As __mod_timer(), a timer whose callback runs stays on that
            // CPU's list while it runs, or timer_delete_sync() would miss
            // the callback; unlike Linux it moves to 'cpu' once the
            // callback returned, so it still fires where it was armed for.
            base.running_target = cpu;
        } else if (base.cpu != cpu || !base.online) {
            // Another CPU's, or a dead one's that take_over() emptied.
            timer.cpu.store(migrating, release);
            break;
        }
        enqueue(base, timer);
        return was_pending;
    }
    arrive(timer, cpu);
    return was_pending;
}

bool Timers::del(Timer& timer) {
    if (timer.cpu.load(acquire) == never_armed)
        return false;
    for (;;) {
        Cpu& base = base_of(timer, 0);
        base::SpinGuard hold{base.lock};
        if (holds(base, timer))
            return detach(base, timer);
    }
}

bool Timers::del_sync(Timer& timer) {
    engine::Context& context = softirqs_.context();
    // Linux warns on timer_delete_sync() from hardirq context unless the
    // timer is TIMER_IRQSAFE (which the engine has not got).
    if (context.in_hardirq())
        irqlab_plat_log("irqlab timer: del_sync from engine hardirq context");
    if (timer.cpu.load(acquire) == never_armed)
        return false;
    for (;;) {
        {
            Cpu& base = base_of(timer, 0);
            base::SpinGuard hold{base.lock};
            if (!holds(base, timer))
                continue;
            if (base.running != &timer)
                return detach(base, timer);
        }
        // Deliberate difference: Linux sleeps on the base's expiry
        // sequence (timer_sync_wait_running); the engine polls, politely
        // where it may. The callback is short and the platform has no
        // wait-on-address.
        if (!context.in_interrupt())
            irqlab_plat_cond_resched();
    }
}

bool Timers::pending(const Timer& timer) const {
    return timer.queued.load(relaxed);
}

uint64_t Timers::expired_runs(unsigned cpu) const {
    return cpus_.on(cpu).runs.load(relaxed);
}

uint64_t Timers::taken_over(unsigned cpu) const {
    return cpus_.on(cpu).taken_over.load(relaxed);
}

bool Timers::thread_parked(unsigned cpu) const {
    return cpus_.on(cpu).thread.parked();
}

void Timers::timer_action(void* self) {
    auto* timers = static_cast<Timers*>(self);
    timers->expire(timers->cpus_.local());
}

void Timers::expire(Cpu& base) {
    const uint64_t now = base::now_ns();
    Timer* ran = nullptr;
    for (;;) {
        Timer* timer;
        {
            // Interrupts stay off between the two locks of a move.
            base::IrqSaveGuard irqs_off;
            base::SpinGuard hold{base.lock};
            if (ran) {
                base.running = nullptr;
                // Re-armed for another CPU while it ran: move it there now.
                // Only then is the timer touched after its callback, which
                // (as in Linux) may have freed it.
                if (base.running_target != base.cpu && ran->queued.load(relaxed)) {
                    const unsigned target = base.running_target;
                    detach(base, *ran);
                    ran->cpu.store(migrating, release);
                    base::SpinUnlocked moving{base.lock};
                    arrive(*ran, target);
                }
            } else {
                // Collect what has expired now; timers re-armed by their
                // callbacks go back on 'waiting' and wait for the next
                // round, as Linux's go to the wheel for a later jiffy.
                for (Timer* first = base.waiting.front(); first && first->expires_ns <= now;
                     first = base.waiting.front()) {
                    TimerList::remove(*first);
                    base.expiring.push_back(*first);
                }
            }
            timer = base.expiring.front();
            if (timer) {
                detach(base, *timer);
                base.running = timer;
                base.running_target = base.cpu;
                // Counted before the callback: whoever it signals sees it.
                base::bump(base.runs);
            }
        }
        if (!timer)
            return;
        // Interrupts as the softirq round runs handlers, the base unlocked:
        // the callback may re-arm or delete timers, its own included.
        timer->callback(timer);
        ran = timer;
    }
}

int Timers::thread_main(void* raw) {
    Cpu& base = *static_cast<Cpu*>(raw);
    base.owner->run_thread(base);
    return 0;
}

void Timers::run_thread(Cpu& base) {
    bool raised = false;
    while (!base::Thread::should_stop()) {
        if (base::Thread::should_park()) {
            base::Thread::parkme(); // CPU hotplug: cpu_down_prep()
            raised = false;
            continue;
        }
        irqlab_plat_prepare_to_sleep();
        // After announcing the sleep: an arm that makes an earlier head
        // wakes us, and the wake is not lost between look and sleep.
        const uint64_t next = earliest(base);
        const uint64_t now = base::now_ns();
        if (base::Thread::should_stop() || base::Thread::should_park()) {
            irqlab_plat_finish_sleep();
            continue;
        }
        if (displaced(base)) {
            // Waits for the park; take_over() moves the timers.
            irqlab_plat_schedule();
            irqlab_plat_finish_sleep();
            continue;
        }
        if (next > now || raised) {
            if (next == no_expiry)
                irqlab_plat_schedule();
            else
                irqlab_plat_schedule_timeout(next > now ? next - now : retry_ns);
            irqlab_plat_finish_sleep();
            raised = false;
            continue;
        }
        irqlab_plat_finish_sleep();
        // Raised with bottom halves off, so the expiry runs at
        // local_bh_enable() on this CPU, in engine softirq context.
        softirqs_.local_bh_disable();
        // Checked again with preemption off (bottom halves off imply it):
        // the expiry must be this base's.
        if (!displaced(base))
            softirqs_.raise(softirq::SoftirqNr::timer);
        softirqs_.local_bh_enable();
        raised = true;
    }
}

bool Timers::displaced(const Cpu& base) {
    return base::PerCpuThread::displaced(base.cpu, "irqlab timer thread runs on a foreign CPU");
}

uint64_t Timers::earliest(Cpu& base) {
    base::SpinGuard hold{base.lock};
    const Timer* first = base.waiting.front();
    return first ? first->expires_ns : no_expiry;
}

Timers::Cpu& Timers::base_of(Timer& timer, unsigned hint) {
    for (;;) {
        unsigned cpu = timer.cpu.load(acquire);
        if (cpu == migrating)
            continue;
        if (cpu == never_armed) {
            timer.cpu.compare_exchange_strong(cpu, hint);
            continue;
        }
        return cpus_.on(cpu);
    }
}

bool Timers::holds(const Cpu& base, const Timer& timer) {
    return timer.cpu.load(relaxed) == base.cpu;
}

void Timers::arrive(Timer& timer, unsigned to_cpu) {
    {
        Cpu& to = cpus_.on(to_cpu);
        base::SpinGuard hold{to.lock};
        if (to.online) {
            timer.cpu.store(to_cpu, release);
            enqueue(to, timer);
            return;
        }
    }
    // Its CPU died after the caller chose it (take_over() has run): this
    // CPU, which is online while interrupts are off here.
    Cpu& here = cpus_.local();
    base::SpinGuard hold{here.lock};
    timer.cpu.store(here.cpu, release);
    enqueue(here, timer);
}

bool Timers::detach(Cpu& base, Timer& timer) {
    base.lock.assert_held();
    if (!timer.queued.load(relaxed))
        return false;
    // Deleted while its callback runs: nothing to move afterwards.
    if (base.running == &timer)
        base.running_target = base.cpu;
    TimerList::remove(timer);
    timer.queued.store(false, relaxed);
    return true;
}

void Timers::enqueue(Cpu& base, Timer& timer) {
    base.lock.assert_held();
    // Behind every timer that expires no later: FIFO among equals.
    Timer* later = base.waiting.front();
    while (later && later->expires_ns <= timer.expires_ns)
        later = base.waiting.next(*later);
    if (later)
        TimerList::insert_before(*later, timer);
    else
        base.waiting.push_back(timer);
    timer.queued.store(true, relaxed);
    // A new earliest expiry: the CPU's thread sleeps until the old one.
    if (base.waiting.front() == &timer && base.wakeable)
        base.thread.wake();
}

} // namespace irqlab::timer
