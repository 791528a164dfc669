// A vector attached to the engine; see attached_line.h.
#include "core/engine/attached_line.h"

#include "core/base/errno.h"
#include "core/base/text.h"
#include "core/engine/engine.h"
#include "core/engine/line_trace.h"
#include "core/napi/napi.h"
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
    : engine_{engine}, line_{line}, config_{config} {
    // 0 means 1 (core.h): the statistics show, and the softirq action
    // adds, the rounds in effect.
    if (config_.softirq_rounds == 0)
        config_.softirq_rounds = 1;
    for (Sharer& sharer : sharers_)
        sharer.owner = this;
}

int AttachedLine::validate(const irqlab_engine_attach_config& config) {
    if (config.flags & ~(IRQLAB_ENGINE_ONESHOT | IRQLAB_ENGINE_MEM_RECLAIM))
        return -base::einval;
    if (config.flow > IRQLAB_ENGINE_FLOW_LEVEL || config.shared_none > IRQLAB_ENGINE_MAX_SHARED)
        return -base::einval;
    return validate_line_action(config);
}

int AttachedLine::install(irq::IrqDomain& domain, unsigned long hwirq, const char* name) {
    // Before anything is installed: out of memory leaves nothing to undo.
    action_ = create_line_action(engine_, line_, config_);
    if (!action_)
        return -base::enomem;
    name_ = name;
    const int virq = engine_.irqs().alloc_desc(domain, hwirq, engine_.msix_chip(), line_,
                                               flow_type(config_.flow), name);
    if (virq < 0)
        return virq;
    virq_ = static_cast<unsigned>(virq);
    engine_.msix_chip().reset(virq_);
    int ret = 0;
    for (; installed_sharers_ < config_.shared_none && ret == 0; ++installed_sharers_)
        ret = engine_.irqs().request_irq(virq_, idle_sharer, line_flags(), name,
                                         &sharers_[installed_sharers_]);
    if (ret == 0)
        ret = action_->install(*this);
    else
        --installed_sharers_; // the failed one is not installed
    if (ret != 0)
        remove();
    return ret == 0 ? virq : ret;
}

// A line with sharers is a shared line: every action says so.
unsigned AttachedLine::line_flags() const {
    return config_.shared_none ? irq::irqf_shared : 0;
}

int AttachedLine::request_main_action(irq::IrqHandler thread_fn, unsigned flags) {
    const int ret = engine_.irqs().request_threaded_irq(virq_, main_action, thread_fn,
                                                        line_flags() | flags, name_, this);
    main_installed_ = ret == 0;
    return ret;
}

void AttachedLine::free_handlers() {
    if (main_installed_)
        engine_.irqs().free_irq(virq_, this);
    main_installed_ = false;
    while (installed_sharers_ > 0)
        engine_.irqs().free_irq(virq_, &sharers_[--installed_sharers_]);
}

void AttachedLine::remove() {
    if (virq_ == 0)
        return;
    action_->remove(*this);
    engine_.msix_chip().forget(virq_);
    engine_.irqs().free_desc(cxxrt::exchange(virq_, 0u));
}

namespace {
// A line that keeps firing keeps replaying: a flush then ends after this
// many rounds, having waited for what arrived before it began.
constexpr unsigned flush_rounds = 16;
} // namespace

uint64_t AttachedLine::replays() {
    const irq::IrqDesc* desc = engine_.irqs().desc(virq_);
    return (desc ? desc->replays() : 0) + engine_.msix_chip().resent(virq_);
}

int AttachedLine::flush() {
    // Handlers and irq threads first: a forced-threaded handler may still
    // be about to defer more. Then again, until a round replayed nothing:
    // a NAPI poll that completes, or a ONESHOT thread that ends, unmasks
    // the line, and what arrived meanwhile is replayed (at once, or from
    // the chip's resend tasklet), which defers more.
    for (unsigned round = 0; round < flush_rounds; ++round) {
        const uint64_t before = replays();
        engine_.irqs().synchronize_irq(virq_);
        if (const int ret = action_->flush())
            return ret;
        if (!engine_.msix_chip().resend_in_flight(virq_) && replays() == before)
            break;
    }
    return 0;
}

IrqReturn AttachedLine::main_action(unsigned, void* dev_id) {
    auto* self = static_cast<AttachedLine*>(dev_id);
    trace_line(IRQLAB_EV_LINE_HANDLER, self->line_);
    const IrqReturn ret = self->action_->handle();
    // IRQ_WAKE_THREAD claims the interrupt as IRQ_HANDLED does.
    (ret == IrqReturn::none ? self->main_none_ : self->main_handled_)
        .fetch_add(1, cxxrt::memory_order::relaxed);
    return ret;
}

IrqReturn AttachedLine::thread_action(unsigned, void* dev_id) {
    return static_cast<AttachedLine*>(dev_id)->action_->handle_thread();
}

IrqReturn AttachedLine::idle_sharer(unsigned, void* dev_id) {
    static_cast<Sharer*>(dev_id)->owner->sharer_calls_.fetch_add(1, cxxrt::memory_order::relaxed);
    return IrqReturn::none;
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
    stats.handled = main_handled_.load(cxxrt::memory_order::relaxed);
    stats.none = main_none_.load(cxxrt::memory_order::relaxed);
    stats.sharer_calls = sharer_calls_.load(cxxrt::memory_order::relaxed);
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
    action_->fill_stats(stats);
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
