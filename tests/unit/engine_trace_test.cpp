// The engine's tracer (irqlab_engine_set_tracer): every event Linux's irq:*
// and workqueue:* tracepoints would show, and each attached line's own
// measuring points, once per occurrence, named after the line they serve.
#include "tests/unit/engine_facade_fixture.h"

#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace engine_trace_test {

using namespace irqlab::test;

struct Recorded {
    irqlab_engine_event event;
    std::thread::id thread;
    bool irqs_off;
    unsigned cpu;
};

std::mutex recorded_lock;
std::vector<Recorded> recorded;

void record(const irqlab_engine_event* event) {
    const std::lock_guard hold{recorded_lock};
    recorded.push_back(
        {*event, std::this_thread::get_id(), irqlab_plat_irqs_disabled(), irqlab_plat_cpu_id()});
}

class EngineTrace : public EngineFacade {
protected:
    void SetUp() override {
        EngineFacade::SetUp();
        recorded.clear();
        irqlab_engine_set_tracer(record);
    }
    void TearDown() override {
        irqlab_engine_set_tracer(nullptr);
        EngineFacade::TearDown();
    }

    // Events of one kind, of one line (or of any line: nullptr).
    static uint64_t count(irqlab_engine_event_kind kind, const irqlab_line* line = nullptr) {
        const std::lock_guard hold{recorded_lock};
        uint64_t n = 0;
        for (const Recorded& r : recorded)
            n += r.event.kind == kind && (!line || r.event.line == line);
        return n;
    }

    // On each thread, a line's bottom half starts and ends inside the
    // event that runs it ('outer_start' .. 'outer_end'), never nested.
    static void expect_nested(irqlab_engine_event_kind outer_start,
                              irqlab_engine_event_kind outer_end, const irqlab_line* line) {
        const std::lock_guard hold{recorded_lock};
        std::map<std::thread::id, int> depth;
        std::map<std::thread::id, bool> in_bottom_half;
        for (const Recorded& r : recorded) {
            if (r.event.line != line)
                continue;
            int& d = depth[r.thread];
            bool& bh = in_bottom_half[r.thread];
            if (r.event.kind == outer_start)
                ++d;
            else if (r.event.kind == outer_end)
                --d;
            else if (r.event.kind == IRQLAB_EV_LINE_BH_START) {
                EXPECT_EQ(d, 1) << "a bottom half outside its runner";
                EXPECT_FALSE(bh);
                bh = true;
            } else if (r.event.kind == IRQLAB_EV_LINE_BH_END) {
                EXPECT_TRUE(bh);
                bh = false;
            }
        }
    }

    irqlab_engine_line_stats read_line(unsigned hwirq) {
        irqlab_engine_line_stats stats{};
        EXPECT_EQ(irqlab_engine_line_read(domain_, hwirq, &stats), 0);
        return stats;
    }
};

TEST_F(EngineTrace, TaskletLineReportsEachPointOncePerOccurrence) {
    const auto c = config(IRQLAB_ENGINE_TASKLET, IRQLAB_ENGINE_FLOW_EDGE);
    ASSERT_GT(irqlab_engine_attach(domain_, 0, &lines_[0], "traced", &c), 0);
    fire_everywhere(domain_, 0, 300);
    ASSERT_TRUE(eventually([&] {
        const auto s = read_line(0);
        return s.tasklet_runs + s.tasklet_coalesced == s.tasklet_scheduled && s.tasklet_state == 0;
    }));
    const irqlab_engine_line_stats s = read_line(0);
    const irqlab_line* line = &lines_[0];
    EXPECT_EQ(count(IRQLAB_EV_HARDIRQ_ENTRY, line), line_hardirqs(domain_, 0));
    EXPECT_EQ(count(IRQLAB_EV_HARDIRQ_EXIT, line), line_hardirqs(domain_, 0));
    EXPECT_EQ(count(IRQLAB_EV_LINE_HANDLER, line), s.handled);
    EXPECT_EQ(count(IRQLAB_EV_TASKLET_ENTRY, line), s.tasklet_runs);
    EXPECT_EQ(count(IRQLAB_EV_TASKLET_EXIT, line), s.tasklet_runs);
    EXPECT_EQ(count(IRQLAB_EV_LINE_BH_START, line), s.tasklet_runs);
    EXPECT_EQ(count(IRQLAB_EV_LINE_BH_END, line), s.tasklet_runs);
    expect_nested(IRQLAB_EV_TASKLET_ENTRY, IRQLAB_EV_TASKLET_EXIT, line);
    // The TASKLET softirq: raised at least once per run, every entry left.
    EXPECT_GE(count(IRQLAB_EV_SOFTIRQ_RAISE), s.tasklet_runs);
    EXPECT_EQ(count(IRQLAB_EV_SOFTIRQ_ENTRY), count(IRQLAB_EV_SOFTIRQ_EXIT));
    const std::lock_guard hold{recorded_lock};
    for (const Recorded& r : recorded) {
        if (r.event.kind == IRQLAB_EV_SOFTIRQ_RAISE) {
            EXPECT_EQ(r.event.vec, unsigned{IRQLAB_ENGINE_TASKLET_SOFTIRQ});
        }
        if (r.event.kind == IRQLAB_EV_HARDIRQ_ENTRY) {
            EXPECT_STREQ(r.event.name, "traced");
        }
    }
}

TEST_F(EngineTrace, WorkLineReportsQueueActivateAndExecution) {
    auto c = config(IRQLAB_ENGINE_WORK, IRQLAB_ENGINE_FLOW_EDGE);
    c.work = IRQLAB_ENGINE_WORK_PERCPU;
    ASSERT_GT(irqlab_engine_attach(domain_, 1, &lines_[1], "traced-work", &c), 0);
    fire_everywhere(domain_, 1, 300);
    ASSERT_EQ(irqlab_engine_flush(domain_, 1), 0);
    const irqlab_engine_line_stats s = read_line(1);
    const irqlab_line* line = &lines_[1];
    EXPECT_EQ(count(IRQLAB_EV_LINE_HANDLER, line), s.handled);
    EXPECT_EQ(count(IRQLAB_EV_WORK_QUEUE, line), s.work_queued);
    EXPECT_EQ(count(IRQLAB_EV_WORK_ACTIVATE, line), s.work_queued);
    EXPECT_EQ(count(IRQLAB_EV_WORK_START, line), s.work_runs);
    EXPECT_EQ(count(IRQLAB_EV_WORK_END, line), s.work_runs);
    EXPECT_EQ(count(IRQLAB_EV_LINE_BH_START, line), s.work_runs);
    EXPECT_EQ(count(IRQLAB_EV_LINE_BH_END, line), s.work_runs);
    expect_nested(IRQLAB_EV_WORK_START, IRQLAB_EV_WORK_END, line);
    const std::lock_guard hold{recorded_lock};
    for (const Recorded& r : recorded) {
        if (r.event.kind == IRQLAB_EV_WORK_QUEUE && r.event.line == line) {
            EXPECT_STREQ(r.event.name, "traced-work");
        }
    }
}

TEST_F(EngineTrace, ThreadedLineReportsWakeAndThreadRuns) {
    const auto c = config(IRQLAB_ENGINE_THREAD, IRQLAB_ENGINE_FLOW_EDGE);
    ASSERT_GT(irqlab_engine_attach(domain_, 2, &lines_[2], "traced-thread", &c), 0);
    fire_everywhere(domain_, 2, 300);
    ASSERT_EQ(irqlab_engine_flush(domain_, 2), 0);
    const irqlab_engine_line_stats s = read_line(2);
    const irqlab_line* line = &lines_[2];
    EXPECT_EQ(count(IRQLAB_EV_THREAD_WAKE, line), s.thread_wakeups);
    EXPECT_EQ(count(IRQLAB_EV_THREAD_START, line), s.thread_runs);
    EXPECT_EQ(count(IRQLAB_EV_THREAD_END, line), s.thread_runs);
    EXPECT_EQ(count(IRQLAB_EV_LINE_BH_START, line), s.thread_runs);
    expect_nested(IRQLAB_EV_THREAD_START, IRQLAB_EV_THREAD_END, line);
}

TEST_F(EngineTrace, NapiLineReportsEachPoll) {
    auto c = config(IRQLAB_ENGINE_NAPI, IRQLAB_ENGINE_FLOW_EDGE);
    c.napi_events = 10;
    c.napi_weight = 4;
    ASSERT_GT(irqlab_engine_attach(domain_, 3, &lines_[3], "traced-napi", &c), 0);
    fire_everywhere(domain_, 3, 100);
    ASSERT_EQ(irqlab_engine_flush(domain_, 3), 0);
    const irqlab_engine_line_stats s = read_line(3);
    EXPECT_EQ(count(IRQLAB_EV_POLL_START, &lines_[3]), s.napi_polls);
    EXPECT_EQ(count(IRQLAB_EV_POLL_END, &lines_[3]), s.napi_polls);
    uint64_t work = 0;
    const std::lock_guard hold{recorded_lock};
    for (const Recorded& r : recorded)
        if (r.event.kind == IRQLAB_EV_POLL_END && r.event.line == &lines_[3])
            work += static_cast<uint64_t>(r.event.ret);
    EXPECT_EQ(work, s.napi_events_consumed);
}

TEST_F(EngineTrace, NoTracerNoEvents) {
    irqlab_engine_set_tracer(nullptr);
    const auto c = config(IRQLAB_ENGINE_TASKLET);
    ASSERT_GT(irqlab_engine_attach(domain_, 0, &lines_[0], "quiet", &c), 0);
    fire_everywhere(domain_, 0, 50);
    const std::lock_guard hold{recorded_lock};
    EXPECT_TRUE(recorded.empty());
}

TEST_F(EngineTrace, SoftirqStormRunsNoHandlerInsideTheHostHardirq) {
    // Linux runs softirqs at irq_exit with interrupts on; so does the
    // engine, in the host's bottom half: the host's interrupts-off time
    // holds the engine's hardirq only, however much the softirqs do.
    auto storm = config(IRQLAB_ENGINE_SOFTIRQ);
    storm.softirq = softirq_block;
    storm.softirq_rounds = 1000;
    ASSERT_GT(irqlab_engine_attach(domain_, 0, &lines_[0], "storm", &storm), 0);
    const uint64_t fired = fire_everywhere(domain_, 0, 10);
    EXPECT_TRUE(eventually([&] {
        return softirq_total(softirq_block, &irqlab_engine_softirq_slot::work) == 1000 * fired;
    }));
    irqlab_engine_set_tracer(nullptr);
    uint64_t entries = 0, irqs_off = 0;
    {
        const std::lock_guard hold{recorded_lock};
        for (const Recorded& r : recorded) {
            if (r.event.kind != IRQLAB_EV_SOFTIRQ_ENTRY)
                continue;
            ++entries;
            irqs_off += r.irqs_off;
        }
    }
    EXPECT_GE(entries, 1000 * fired);
    EXPECT_EQ(irqs_off, 0u);
    EXPECT_GT(cpu_total(&irqlab_engine_softirq_cpu::irq_exit_rounds), 0u);
}

TEST_F(EngineTrace, IrqThreadRunsWhereItsLineIsDelivered) {
    // Linux moves an irq thread to its line's effective affinity before
    // the next run (irq_thread_check_affinity); the engine's follow the
    // real vector's, whoever moved it (here: the host, on the test double).
    auto thread = config(IRQLAB_ENGINE_THREAD);
    ASSERT_GT(irqlab_engine_attach(domain_, 0, &lines_[0], "thr", &thread), 0);
    for (int cpu : {2, 3, 1}) {
        lines_[0].affinity_cpu = cpu;
        {
            const std::lock_guard hold{recorded_lock};
            recorded.clear();
        }
        fire_everywhere(domain_, 0, 20);
        ASSERT_EQ(irqlab_engine_flush(domain_, 0), 0);
        const std::lock_guard hold{recorded_lock};
        uint64_t starts = 0, elsewhere = 0;
        for (const Recorded& r : recorded) {
            if (r.event.kind != IRQLAB_EV_THREAD_START)
                continue;
            ++starts;
            elsewhere += r.cpu != static_cast<unsigned>(cpu);
        }
        EXPECT_GT(starts, 0u) << "CPU " << cpu;
        EXPECT_EQ(elsewhere, 0u) << "CPU " << cpu;
    }
}

} // namespace engine_trace_test
