// Per-thread state of the hosted platform: which simulated CPU a thread is
// on, its interrupt/preemption state, and its sleep/wake handshake.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <vector>

struct irqlab_bottom_half;

namespace irqlab::hosted {

struct ThreadState {
    std::atomic<unsigned> cpu{0};
    // Where irqlab_plat_thread_bind() or a simulated CPU going offline
    // moves the thread; it moves itself at its next point where it could
    // be preempted (move_if_bound()), -1 when staying.
    std::atomic<int> pending_cpu{-1};
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

// Applies a pending move of the calling thread, if it may be moved now
// (interrupts on, preemption on).
void move_if_bound(ThreadState& state);

// Waits until no thread has interrupts off on 'cpu' and keeps it so while
// the lock is held (hosted/cpu.cpp).
std::unique_lock<std::mutex> stop_cpu(unsigned cpu);

// Moves every platform thread on 'cpu' elsewhere, as the scheduler
// migrates tasks off a dead CPU (hosted/thread.cpp).
void migrate_threads_off(unsigned cpu);

// Runs the thread's scheduled bottom halves; irq_restore calls it when it
// turns interrupts back on.
void run_bottom_halves(ThreadState& state);

} // namespace irqlab::hosted
