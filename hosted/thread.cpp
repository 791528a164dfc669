// Hosted platform: threads (std::thread standing in for kthreads) with the
// kthread life cycle: created stopped, woken, parked, stopped.
#include "hosted/hosted_platform.h"
#include "hosted/thread_state.h"

#include "irqlab/platform.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

struct irqlab_thread {
    irqlab::hosted::ThreadState state;
    irqlab_thread_fn fn = nullptr;
    void* arg = nullptr;
    std::string name;

    std::mutex lock;
    std::condition_variable changed;
    bool started = false; // first wake or stop happened
    bool should_stop = false;
    bool should_park = false;
    bool parked = false;
    std::atomic<bool> fifo{false};
    int result = 0;
    std::thread runner;
};

namespace {

thread_local irqlab_thread* current_thread = nullptr;

// Every live platform thread, for migrate_threads_off().
std::mutex registry_lock;
std::set<irqlab_thread*> registry;

constexpr int eintr = 4;

void run(irqlab_thread* thread) {
    current_thread = thread;
    std::unique_lock hold{thread->lock};
    thread->changed.wait(hold, [&] { return thread->started; });
    if (thread->should_stop) { // stopped before it ever ran, as kthread_stop()
        thread->result = -eintr;
        return;
    }
    hold.unlock();
    const int result = thread->fn(thread->arg);
    hold.lock();
    thread->result = result;
}

} // namespace

namespace irqlab::hosted {

ThreadState& current_thread_state() {
    thread_local ThreadState own;
    return current_thread ? current_thread->state : own;
}

} // namespace irqlab::hosted

extern "C" irqlab_thread* irqlab_plat_thread_create(irqlab_thread_fn fn, void* arg, unsigned cpu,
                                                    const char* name) {
    auto* thread = new irqlab_thread;
    thread->fn = fn;
    thread->arg = arg;
    thread->name = name;
    thread->state.cpu = cpu != IRQLAB_ANY_CPU ? cpu : irqlab::hosted::any_online_cpu();
    {
        std::lock_guard hold{registry_lock};
        registry.insert(thread);
    }
    thread->runner = std::thread{run, thread};
    return thread;
}

extern "C" void irqlab_plat_thread_wake(irqlab_thread* thread) {
    {
        std::lock_guard hold{thread->lock};
        thread->started = true;
    }
    thread->changed.notify_all();
    thread->state.wake();
}

extern "C" int irqlab_plat_thread_stop(irqlab_thread* thread) {
    {
        std::lock_guard hold{thread->lock};
        thread->should_stop = true;
        thread->started = true;
        thread->should_park = false;
    }
    thread->changed.notify_all();
    thread->state.wake();
    thread->runner.join();
    {
        std::lock_guard hold{registry_lock};
        registry.erase(thread);
    }
    const int result = thread->result;
    delete thread;
    return result;
}

extern "C" int irqlab_plat_thread_park(irqlab_thread* thread) {
    std::unique_lock hold{thread->lock};
    thread->should_park = true;
    hold.unlock();
    thread->state.wake();
    hold.lock();
    thread->changed.wait(hold, [&] { return thread->parked || thread->should_stop; });
    return thread->parked ? 0 : -1;
}

extern "C" void irqlab_plat_thread_unpark(irqlab_thread* thread) {
    {
        std::lock_guard hold{thread->lock};
        thread->should_park = false;
    }
    thread->changed.notify_all();
}

extern "C" void irqlab_plat_thread_bind(irqlab_thread* thread, unsigned cpu) {
    thread->state.pending_cpu =
        static_cast<int>(cpu != IRQLAB_ANY_CPU ? cpu : irqlab::hosted::any_online_cpu());
}

namespace irqlab::hosted {

void migrate_threads_off(unsigned cpu) {
    std::lock_guard hold{registry_lock};
    for (irqlab_thread* thread : registry) {
        const int pending = thread->state.pending_cpu.load();
        if (pending == static_cast<int>(cpu) || (pending < 0 && thread->state.cpu == cpu))
            thread->state.pending_cpu = static_cast<int>(any_online_cpu());
    }
}

} // namespace irqlab::hosted

extern "C" void irqlab_plat_thread_set_fifo(irqlab_thread* thread) {
    thread->fifo.store(true);
}

namespace {
std::mutex nice_lock;
std::map<int, unsigned long> nice_calls;
} // namespace

extern "C" void irqlab_plat_thread_set_nice(irqlab_thread*, int nice) {
    std::lock_guard hold{nice_lock};
    ++nice_calls[nice];
}

namespace irqlab::hosted {

bool thread_is_fifo(const irqlab_thread* thread) {
    return thread->fifo.load();
}

unsigned long threads_given_nice(int nice) {
    std::lock_guard hold{nice_lock};
    return nice_calls[nice];
}

} // namespace irqlab::hosted

extern "C" bool irqlab_plat_thread_should_stop(void) {
    if (!current_thread)
        return false;
    std::lock_guard hold{current_thread->lock};
    return current_thread->should_stop;
}

extern "C" bool irqlab_plat_thread_should_park(void) {
    if (!current_thread)
        return false;
    std::lock_guard hold{current_thread->lock};
    return current_thread->should_park;
}

extern "C" void irqlab_plat_thread_parkme(void) {
    irqlab_thread* self = current_thread;
    if (!self)
        return;
    std::unique_lock hold{self->lock};
    self->parked = true;
    self->changed.notify_all();
    self->changed.wait(hold, [&] { return !self->should_park || self->should_stop; });
    self->parked = false;
    hold.unlock();
    // Bound while parked: it wakes up there.
    irqlab::hosted::move_if_bound(self->state);
}

extern "C" void irqlab_plat_prepare_to_sleep(void) {
    auto& state = irqlab::hosted::current_thread_state();
    irqlab::hosted::move_if_bound(state);
    std::lock_guard hold{state.sleep_lock};
    state.sleeping = true;
}

extern "C" void irqlab_plat_schedule(void) {
    auto& state = irqlab::hosted::current_thread_state();
    std::unique_lock hold{state.sleep_lock};
    state.sleep_cv.wait(hold, [&] { return !state.sleeping; });
}

extern "C" void irqlab_plat_schedule_timeout(uint64_t timeout_ns) {
    auto& state = irqlab::hosted::current_thread_state();
    std::unique_lock hold{state.sleep_lock};
    state.sleep_cv.wait_for(hold, std::chrono::nanoseconds{timeout_ns},
                            [&] { return !state.sleeping; });
}

extern "C" void irqlab_plat_finish_sleep(void) {
    auto& state = irqlab::hosted::current_thread_state();
    std::lock_guard hold{state.sleep_lock};
    state.sleeping = false;
}
