// A vector attached to the engine; see attached_line.h.
#include "core/engine/attached_line.h"

#include "core/base/errno.h"
#include "core/base/text.h"
#include "core/engine/engine.h"
#include "core/engine/line_trace.h"
#include "cxxrt/utility.h"

namespace irqlab::engine {

using irq::IrqReturn;

namespace {

irq::FlowType flow_type(unsigned flow) {
    switch (flow) {
    case IRQLAB_ENGINE_FLOW_EDGE:
        return irq::FlowType::edge;
    case IRQLAB_ENGINE_FLOW_LEVEL:
        return irq::FlowType::level;
    default:
        return irq::FlowType::fasteoi;
    }
}

} // namespace

AttachedLine::AttachedLine(Engine& engine, irqlab_line* line,
                           const irqlab_engine_attach_config& config)
    : engine_{engine}, line_{line}, config_{config}, hold_{config.hold, config.hold_us * 1000ull},
      work_{engine.workqueues(), line, config}, poll_{engine.irqs(), engine.napi(), line, config} {
    if (config_.softirq_rounds == 0)
        config_.softirq_rounds = 1;
    softirq::tasklet_setup(tasklet_, tasklet_callback);
    tasklet_.data = this;
    tasklet_.trace_line = line;
    for (Sharer& sharer : sharers_)
        sharer.owner = this;
}

int AttachedLine::validate(const irqlab_engine_attach_config& config) {
    if (config.action < IRQLAB_ENGINE_COUNT || config.action > IRQLAB_ENGINE_NAPI)
        return -base::einval;
    if (config.flags & ~(IRQLAB_ENGINE_ONESHOT | IRQLAB_ENGINE_MEM_RECLAIM))
        return -base::einval;
    // Holding is for deferred handlers that may take their time.
    if (config.hold != IRQLAB_ENGINE_HOLD_NONE && config.action != IRQLAB_ENGINE_WORK &&
        config.action != IRQLAB_ENGINE_THREAD)
        return -base::einval;
    if (config.action == IRQLAB_ENGINE_WORK && !LineWork::valid(config))
        return -base::einval;
    if ((config.flags & IRQLAB_ENGINE_ONESHOT) && config.action != IRQLAB_ENGINE_THREAD)
        return -base::einval;
    if ((config.flags & IRQLAB_ENGINE_MEM_RECLAIM) && config.action != IRQLAB_ENGINE_WORK)
        return -base::einval;
    if (config.flow > IRQLAB_ENGINE_FLOW_LEVEL || config.shared_none > IRQLAB_ENGINE_MAX_SHARED)
        return -base::einval;
    if (config.action == IRQLAB_ENGINE_SOFTIRQ &&
        (config.softirq >= softirq::nr_softirqs ||
         !SoftirqBacklog::owns(static_cast<softirq::SoftirqNr>(config.softirq))))
        return -base::einval;
    return 0;
}

int AttachedLine::install(irq::IrqDomain& domain, unsigned long hwirq, const char* name) {
    const int virq = engine_.irqs().alloc_desc(domain, hwirq, engine_.msix_chip(), line_,
                                               flow_type(config_.flow), name);
    if (virq < 0)
        return virq;
    virq_ = static_cast<unsigned>(virq);
    engine_.msix_chip().reset(virq_);
    // A line with sharers is a shared line: every action says so.
    const unsigned flags = config_.shared_none ? irq::irqf_shared : 0;
    int ret = 0;
    for (; installed_sharers_ < config_.shared_none && ret == 0; ++installed_sharers_)
        ret = engine_.irqs().request_irq(virq_, idle_sharer, flags, name,
                                         &sharers_[installed_sharers_]);
    if (ret == 0)
        ret = request_main(name, flags);
    else
        --installed_sharers_; // the failed one is not installed
    main_installed_ = ret == 0;
    if (ret != 0)
        remove();
    return ret == 0 ? virq : ret;
}

// The deferred part comes first: the work's queue and the poll exist
// before an interrupt can reach them.
int AttachedLine::request_main(const char* name, unsigned flags) {
    switch (config_.action) {
    case IRQLAB_ENGINE_WORK:
        if (const int ret = work_.create(name))
            return ret;
        break;
    case IRQLAB_ENGINE_THREAD:
        if (config_.flags & IRQLAB_ENGINE_ONESHOT)
            flags |= irq::irqf_oneshot;
        return engine_.irqs().request_threaded_irq(virq_, main_action, thread_action, flags, name,
                                                   this);
    case IRQLAB_ENGINE_NAPI:
        poll_.install(virq_);
        break;
    default:
        break;
    }
    return engine_.irqs().request_irq(virq_, main_action, flags, name, this);
}

void AttachedLine::remove() {
    if (virq_ == 0)
        return;
    // The poll goes first: schedules are refused from then on, and the
    // poll no longer enables a line that free_irq() shuts down.
    poll_.remove();
    if (main_installed_)
        engine_.irqs().free_irq(virq_, this);
    while (installed_sharers_ > 0)
        engine_.irqs().free_irq(virq_, &sharers_[--installed_sharers_]);
    main_installed_ = false;
    // No handler runs any more, so nothing defers anything again.
    engine_.tasklets().kill(tasklet_);
    work_.destroy();
    engine_.msix_chip().forget(virq_);
    engine_.irqs().free_desc(cxxrt::exchange(virq_, 0u));
}

int AttachedLine::flush() {
    // Handlers and irq threads first: a forced-threaded handler may still
    // be about to defer more.
    engine_.irqs().synchronize_irq(virq_);
    switch (config_.action) {
    case IRQLAB_ENGINE_WORK:
        work_.flush();
        return 0;
    case IRQLAB_ENGINE_NAPI:
        return poll_.flush();
    default:
        return 0;
    }
}

IrqReturn AttachedLine::main_action(unsigned, void* dev_id) {
    auto* self = static_cast<AttachedLine*>(dev_id);
    trace_line(IRQLAB_EV_LINE_HANDLER, self->line_);
    switch (self->config_.action) {
    case IRQLAB_ENGINE_NONE:
        self->main_none_.fetch_add(1, cxxrt::memory_order::relaxed);
        return IrqReturn::none;
    case IRQLAB_ENGINE_SOFTIRQ:
        self->softirq_raised_.fetch_add(1, cxxrt::memory_order::relaxed);
        self->engine_.backlog().add(static_cast<softirq::SoftirqNr>(self->config_.softirq),
                                    self->config_.softirq_rounds);
        break;
    case IRQLAB_ENGINE_TASKLET:
        self->engine_.tasklets().schedule(self->tasklet_);
        break;
    case IRQLAB_ENGINE_TASKLET_HI:
        self->engine_.tasklets().hi_schedule(self->tasklet_);
        break;
    case IRQLAB_ENGINE_WORK:
        self->work_.queue();
        break;
    case IRQLAB_ENGINE_THREAD:
        self->main_handled_.fetch_add(1, cxxrt::memory_order::relaxed);
        return IrqReturn::wake_thread;
    case IRQLAB_ENGINE_NAPI:
        self->poll_.on_interrupt();
        break;
    default:
        break;
    }
    self->main_handled_.fetch_add(1, cxxrt::memory_order::relaxed);
    return IrqReturn::handled;
}

IrqReturn AttachedLine::thread_action(unsigned, void* dev_id) {
    auto* self = static_cast<AttachedLine*>(dev_id);
    const BottomHalfRun run{self->line_};
    const Hold& hold = self->hold_;
    if (hold.sleeps())
        base::Thread::sleep_ns(hold.ns);
    else if (hold.spins())
        spin_ns(hold.ns);
    return IrqReturn::handled;
}

IrqReturn AttachedLine::idle_sharer(unsigned, void* dev_id) {
    static_cast<Sharer*>(dev_id)->owner->sharer_calls_.fetch_add(1, cxxrt::memory_order::relaxed);
    return IrqReturn::none;
}

void AttachedLine::tasklet_callback(softirq::Tasklet* tasklet) {
    auto* self = static_cast<AttachedLine*>(tasklet->data);
    const BottomHalfRun run{self->line_};
    self->tasklet_runs_.fetch_add(1, cxxrt::memory_order::relaxed);
}

void AttachedLine::fill_stats(irqlab_engine_line_stats& stats) {
    const irq::IrqDesc* desc = engine_.irqs().desc(virq_);
    stats = {};
    stats.virq = virq_;
    stats.action = config_.action;
    stats.softirq = config_.softirq;
    stats.flow = config_.flow;
    stats.shared_none_actions = config_.shared_none;
    stats.softirq_rounds = config_.softirq_rounds;
    if (desc) {
        stats.depth = desc->depth();
        stats.spurious_disabled = desc->spurious_disabled();
        stats.masked = desc->masked();
        stats.unhandled = desc->unhandled();
    }
    stats.main_handled = main_handled_.load(cxxrt::memory_order::relaxed);
    stats.main_none = main_none_.load(cxxrt::memory_order::relaxed);
    stats.shared_none = sharer_calls_.load(cxxrt::memory_order::relaxed);
    stats.softirq_raised = softirq_raised_.load(cxxrt::memory_order::relaxed);
    stats.tasklet_scheduled = tasklet_.scheduled();
    stats.tasklet_coalesced = tasklet_.coalesced();
    stats.tasklet_runs = tasklet_runs_.load(cxxrt::memory_order::relaxed);
    stats.tasklet_state = tasklet_.state_bits();
    stats.work = config_.work;
    stats.hold = config_.hold;
    stats.hold_us = config_.hold_us;
    stats.delay_us = config_.delay_us;
    stats.napi_weight = config_.napi_weight ? config_.napi_weight : napi::default_weight;
    stats.napi_events = config_.napi_events ? config_.napi_events : 1;
    stats.flags = config_.flags;
    // Latched by the vector's pending bit, or kept pending by the flow.
    stats.pending_arrivals = engine_.msix_chip().latched(virq_);
    stats.replays = engine_.msix_chip().resent(virq_);
    if (desc) {
        stats.pending_arrivals += desc->pending_arrivals();
        stats.replays += desc->replays();
    }
    if (config_.action == IRQLAB_ENGINE_WORK)
        work_.fill_stats(stats);
    else if (config_.action == IRQLAB_ENGINE_NAPI)
        poll_.fill_stats(stats);
    // The thread action's, or one forced threading gave the main action.
    fill_thread_stats(stats);
}

void AttachedLine::fill_thread_stats(irqlab_engine_line_stats& stats) const {
    struct Visit {
        const AttachedLine* main;
        irqlab_engine_line_stats& out;
    } visit{this, stats};
    const auto fill = [](void* arg, const irq::IrqThreadStats& thread) {
        auto& [main, out] = *static_cast<Visit*>(arg);
        if (thread.dev_id != main) // a sharer, threaded by force
            return;
        base::TextBuilder{out.thread_name}.text(thread.thread_name);
        out.thread_fifo = thread.fifo;
        out.thread_oneshot = thread.oneshot;
        out.thread_forced = thread.forced;
        out.thread_wakeups = thread.wakeups;
        out.thread_merged = thread.wake_merged;
        out.thread_runs = thread.runs;
    };
    engine_.irqs().for_each_thread(virq_, fill, &visit);
}

} // namespace irqlab::engine
