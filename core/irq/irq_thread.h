// The kernel thread of one threaded action (action->thread in Linux):
// created at request time, SCHED_FIFO, named irqlab-irq/<virq>-<name>.
//
// Not base::Thread: the statistics and the tests need the platform handle
// (hosted::thread_is_fifo()), which base::Thread keeps to itself.
#pragma once

#include "core/base/handle.h"
#include "irqlab/platform.h"

namespace irqlab::irq {

class IrqThread {
public:
    IrqThread() = default;
    IrqThread(const IrqThread&) = delete;
    IrqThread& operator=(const IrqThread&) = delete;

    // May sleep. Creates the thread unbound (see irq_thread.cpp), makes it
    // SCHED_FIFO and lets it run 'fn(arg)'. False when it could not be
    // created.
    [[nodiscard]] bool start(irqlab_thread_fn fn, void* arg, unsigned virq, const char* name);
    // Any context, once started.
    void wake() { irqlab_plat_thread_wake(thread_.get()); }
    // May sleep: tells the thread to stop and waits until it has.
    void stop();

    bool running() const { return static_cast<bool>(thread_); }
    bool fifo() const { return fifo_; }
    // The name the thread got, "" before start().
    const char* name() const { return name_; }
    const irqlab_thread* platform_thread() const { return thread_.get(); }

private:
    static void stop_and_free(irqlab_thread* thread) { irqlab_plat_thread_stop(thread); }

    base::OwnedHandle<irqlab_thread, stop_and_free> thread_;
    bool fifo_ = false;
    // Linux's task name is 16 bytes; the engine keeps more for its own
    // statistics (the kernel platform still truncates the task's comm).
    char name_[48] = {};
};

} // namespace irqlab::irq
