// Per-thread state of the hosted platform: which simulated CPU a thread is
// on, its interrupt/preemption state, and its sleep/wake handshake.
#pragma once

#include <condition_variable>
#include <mutex>
#include <vector>

struct irqlab_bottom_half;

namespace irqlab::hosted {

struct ThreadState {
    unsigned cpu = 0;
    bool irqs_off = false;
    int preempt_count = 0;

    // Host bottom halves scheduled with interrupts off, run when the
    // thread enables them again (hosted/bottom_half.cpp).
    std::vector<irqlab_bottom_half*> bottom_halves;
    bool in_bottom_half = false;

    // The kernel's task state for sleeping: prepare_to_sleep() marks the
    // thread sleeping, a wake marks it running, schedule() waits while it
    // is marked sleeping. A wake between prepare and schedule is not lost.
    std::mutex sleep_lock;
    std::condition_variable sleep_cv;
    bool sleeping = false;

    void wake() {
        {
            std::lock_guard hold{sleep_lock};
            sleeping = false;
        }
        sleep_cv.notify_all();
    }
};

// The calling thread's state (a platform thread's own, or a thread-local
// one for threads the platform did not create, such as the test's).
ThreadState& current_thread_state();

// Runs the thread's scheduled bottom halves; irq_restore calls it when it
// turns interrupts back on.
void run_bottom_halves(ThreadState& state);

} // namespace irqlab::hosted
