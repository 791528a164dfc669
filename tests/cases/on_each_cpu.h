// Test helper: run a function once on every online CPU, each in a thread
// bound to that CPU, and wait for all of them.
#pragma once

#include "core/base/completion.h"
#include "core/base/cpu.h"
#include "core/base/thread.h"

namespace ktest {

struct CpuJob {
    void (*work)(void* arg, unsigned cpu);
    void* arg;
    unsigned cpu;
    irqlab::base::Completion done;
};

inline int run_cpu_job(void* raw) {
    auto* job = static_cast<CpuJob*>(raw);
    job->work(job->arg, job->cpu);
    job->done.complete();
    // Stay until stopped: kthread_stop() expects the thread to be there.
    while (!irqlab::base::Thread::should_stop())
        irqlab::base::Thread::sleep_until([] { return false; });
    return 0;
}

// Returns the number of CPUs that ran 'work', or 0 when a thread could not
// be started or did not finish within 10 s.
inline unsigned on_each_cpu(void (*work)(void* arg, unsigned cpu), void* arg) {
    constexpr uint64_t ten_seconds = 10'000'000'000ull;
    const unsigned slots = irqlab::base::nr_cpu_ids();
    // On the heap: a kernel stack frame of one job per CPU would be too big.
    CpuJob* jobs = new (cxxrt::may_sleep_ctx) CpuJob[slots];
    irqlab::base::Thread* threads = new (cxxrt::may_sleep_ctx) irqlab::base::Thread[slots];
    unsigned started = 0;
    bool ok = jobs && threads;
    for (unsigned cpu = 0; ok && cpu < slots; ++cpu) {
        if (!irqlab::base::cpu_online(cpu))
            continue;
        CpuJob& job = jobs[started];
        job.work = work;
        job.arg = arg;
        job.cpu = cpu;
        ok = job.done.init(cxxrt::may_sleep_ctx) &&
             threads[started].start(run_cpu_job, &job, cpu, "irqlab-test");
        started += ok ? 1 : 0;
    }
    for (unsigned i = 0; i < started; ++i)
        ok = jobs[i].done.wait(ten_seconds) == irqlab::base::WaitResult::completed && ok;
    for (unsigned i = 0; i < started; ++i)
        threads[i].stop();
    delete[] threads;
    delete[] jobs;
    return ok ? started : 0;
}

} // namespace ktest
