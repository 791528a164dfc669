// Google Benchmark, hosted: the engine's deferred-work paths against the
// host's own thread hand-off, measured in the same run on the same
// machine. "native" here is what the hosted platform stands on (a
// std::thread woken through a condition variable), so the ratio says what
// the engine's bookkeeping costs on top of a bare wake-up; the kernel
// comparison (engine vs Linux) is irqlab compare's job.
//
//   thread_wake   engine: hardirq entry -> IRQ_WAKE_THREAD -> irq thread ran
//                 native: notify a condition variable -> thread ran
//   work_execute  engine: queue_work on the system workqueue -> work ran
//                 native: push a job to a worker thread -> job ran
//   work_batch    engine: 64 distinct items queued, then flush_workqueue
//                 native: 64 jobs pushed, then wait for the last
//
// And, without a native twin (stage_* rows, docs/measuring.md), where one
// engine interrupt's own time goes: the hardirq of a line whose action
// returns IRQ_HANDLED (context word, domain lookup, flow, action chain,
// irq_exit's check) with no tracer, with a tracer taking every event, and
// with one taking only what the module's measurements need; the entry and
// exit alone (an unmapped hwirq); and a hardirq
// that raises a softirq, with the round irq_exit() leaves to the host's
// bottom half.
#include "core/base/cpu.h"
#include "core/engine/context.h"
#include "core/engine/engine.h"
#include "core/irq/domain.h"
#include "hosted/hosted_platform.h"
#include "irqlab/core.h"

#include <benchmark/benchmark.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace {

using irqlab::engine::Engine;
using irqlab::irq::IrqReturn;
namespace wq = irqlab::workqueue;

constexpr unsigned batch = 64;

void spin_until(const std::atomic<uint64_t>& counter, uint64_t value) {
    while (counter.load(std::memory_order_acquire) < value) {
    }
}

// One engine for the whole run: its threads live as long as the process.
struct EngineBench {
    Engine engine;
    irqlab::irq::IrqDomain domain{"bench", 4}; // hwirq 3: unmapped
    irqlab_line line{};
    unsigned virq = 0;
    std::atomic<uint64_t> thread_runs{0};
    std::atomic<uint64_t> work_runs{0};
    wq::Work work;
    wq::Work items[batch];

    EngineBench() {
        if (!engine.init() || !domain.init())
            std::abort();
        const int allocated = engine.irqs().alloc_desc(domain, 0, engine.msix_chip(), &line,
                                                       irqlab::irq::FlowType::fasteoi, "bench");
        if (allocated <= 0)
            std::abort();
        virq = static_cast<unsigned>(allocated);
        if (engine.irqs().request_threaded_irq(virq, primary, thread_fn, 0, "bench", this))
            std::abort();
        request_plain(1, handled, "bench-plain");
        request_plain(2, raise_block, "bench-raise");
        engine.softirqs().open(
            irqlab::softirq::SoftirqNr::block, [](void*) {}, nullptr);
        wq::init_work(work, count_work);
        work.user = this;
        for (wq::Work& item : items) {
            wq::init_work(item, count_work);
            item.user = this;
        }
    }

    void request_plain(unsigned long hwirq, irqlab::irq::IrqHandler handler, const char* name) {
        const int plain = engine.irqs().alloc_desc(domain, hwirq, engine.msix_chip(), &line,
                                                   irqlab::irq::FlowType::fasteoi, name);
        if (plain <= 0 || engine.irqs().request_threaded_irq(static_cast<unsigned>(plain), handler,
                                                             nullptr, 0, name, this))
            std::abort();
    }

    static IrqReturn primary(unsigned, void*) { return IrqReturn::wake_thread; }
    static IrqReturn handled(unsigned, void*) { return IrqReturn::handled; }
    static IrqReturn raise_block(unsigned, void* self) {
        static_cast<EngineBench*>(self)->engine.softirqs().raise_irqoff(
            irqlab::softirq::SoftirqNr::block);
        return IrqReturn::handled;
    }
    static IrqReturn thread_fn(unsigned, void* self) {
        static_cast<EngineBench*>(self)->thread_runs.fetch_add(1, std::memory_order_release);
        return IrqReturn::handled;
    }
    static void count_work(wq::Work* work) {
        static_cast<EngineBench*>(work->user)->work_runs.fetch_add(1, std::memory_order_release);
    }

    void interrupt(unsigned long hwirq = 0) {
        irqlab::base::IrqSaveGuard irqs_off;
        engine.handle(domain, hwirq);
    }
};

EngineBench& engine_bench() {
    static EngineBench* bench = new EngineBench; // never torn down: threads stay up
    return *bench;
}

// The native hand-off: one worker thread running pushed jobs.
class NativeWorker {
public:
    NativeWorker() : thread_{[this] { loop(); }} {}
    ~NativeWorker() {
        {
            std::lock_guard hold{lock_};
            stop_ = true;
        }
        wake_.notify_one();
        thread_.join();
    }
    void push(std::function<void()> job) {
        {
            std::lock_guard hold{lock_};
            jobs_.push_back(std::move(job));
        }
        wake_.notify_one();
    }

private:
    void loop() {
        std::unique_lock hold{lock_};
        for (;;) {
            wake_.wait(hold, [&] { return stop_ || !jobs_.empty(); });
            if (stop_)
                return;
            auto job = std::move(jobs_.front());
            jobs_.pop_front();
            hold.unlock();
            job();
            hold.lock();
        }
    }

    std::mutex lock_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> jobs_;
    bool stop_ = false;
    std::thread thread_;
};

void thread_wake_engine(benchmark::State& state) {
    EngineBench& bench = engine_bench();
    uint64_t want = bench.thread_runs.load();
    for (auto _ : state) {
        bench.interrupt();
        spin_until(bench.thread_runs, ++want);
    }
}

// The native side of both single hand-offs: push a job, spin until it ran.
void handoff_native(benchmark::State& state) {
    NativeWorker worker;
    std::atomic<uint64_t> runs{0};
    uint64_t want = 0;
    for (auto _ : state) {
        worker.push([&] { runs.fetch_add(1, std::memory_order_release); });
        spin_until(runs, ++want);
    }
}

void work_execute_engine(benchmark::State& state) {
    EngineBench& bench = engine_bench();
    wq::Workqueues& wqs = bench.engine.workqueues();
    uint64_t want = bench.work_runs.load();
    for (auto _ : state) {
        wqs.queue_work(wqs.system_wq(), bench.work);
        spin_until(bench.work_runs, ++want);
    }
}

void work_batch_engine(benchmark::State& state) {
    EngineBench& bench = engine_bench();
    wq::Workqueues& wqs = bench.engine.workqueues();
    for (auto _ : state) {
        for (wq::Work& item : bench.items)
            wqs.queue_work(wqs.system_unbound_wq(), item);
        wqs.flush_workqueue(wqs.system_unbound_wq());
    }
    state.SetItemsProcessed(state.iterations() * batch);
}

void work_batch_native(benchmark::State& state) {
    NativeWorker worker;
    std::atomic<uint64_t> runs{0};
    uint64_t want = 0;
    for (auto _ : state) {
        for (unsigned i = 0; i < batch; ++i)
            worker.push([&] { runs.fetch_add(1, std::memory_order_release); });
        want += batch;
        spin_until(runs, want);
    }
    state.SetItemsProcessed(state.iterations() * batch);
}

void ignore_event(const irqlab_engine_event*) {}

// state.range(0): 0 no tracer, 1 a tracer of every event, 2 a tracer of
// the measured kinds only (module/trace.c's default).
void stage_hardirq(benchmark::State& state) {
    EngineBench& bench = engine_bench();
    if (state.range(0) > 0)
        irqlab_engine_set_tracer(ignore_event);
    irqlab_engine_set_trace_kinds(state.range(0) == 2 ? IRQLAB_ENGINE_MEASURING_EVENTS
                                                      : IRQLAB_ENGINE_ALL_EVENTS);
    for (auto _ : state)
        bench.interrupt(1);
    irqlab_engine_set_tracer(nullptr);
    irqlab_engine_set_trace_kinds(IRQLAB_ENGINE_ALL_EVENTS);
}

// The engine's entry and exit alone: an hwirq with no mapping.
void stage_entry_exit(benchmark::State& state) {
    EngineBench& bench = engine_bench();
    for (auto _ : state)
        bench.interrupt(3);
}

void stage_softirq_round(benchmark::State& state) {
    EngineBench& bench = engine_bench();
    for (auto _ : state)
        bench.interrupt(2);
}

BENCHMARK(stage_hardirq)->Arg(0)->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(stage_entry_exit)->UseRealTime();
BENCHMARK(stage_softirq_round)->UseRealTime();
BENCHMARK(thread_wake_engine)->UseRealTime();
BENCHMARK(handoff_native)->Name("thread_wake_native")->UseRealTime();
BENCHMARK(work_execute_engine)->UseRealTime();
BENCHMARK(handoff_native)->Name("work_execute_native")->UseRealTime();
BENCHMARK(work_batch_engine)->UseRealTime();
BENCHMARK(work_batch_native)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
