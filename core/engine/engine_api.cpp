// The engine's C entry points for the glue (irqlab/core.h).
#include "core/base/errno.h"
#include "core/base/text.h"
#include "core/engine/attached_line.h"
#include "core/engine/engine.h"
#include "cxxrt/new.h"
#include "cxxrt/unique_ptr.h"
#include "irqlab/core.h"

using irqlab::engine::AttachedLine;
using irqlab::engine::Engine;

struct irqlab_engine {
    Engine engine;
};

struct irqlab_engine_domain {
    irqlab_engine_domain(Engine& owner, const char* name, unsigned nr_hwirqs)
        : engine{owner}, domain{name, nr_hwirqs, nullptr}, nr_lines{nr_hwirqs} {}
    ~irqlab_engine_domain() { delete[] lines; }

    AttachedLine* line(unsigned hwirq) { return hwirq < nr_lines ? lines[hwirq] : nullptr; }

    Engine& engine;
    irqlab::irq::IrqDomain domain;
    unsigned nr_lines;
    AttachedLine** lines = nullptr;
};

extern "C" irqlab_engine* irqlab_engine_create(void) {
    cxxrt::unique_ptr<irqlab_engine> engine{new (cxxrt::may_sleep_ctx) irqlab_engine};
    if (!engine || !engine->engine.init())
        return nullptr;
    return engine.release();
}

extern "C" void irqlab_engine_destroy(irqlab_engine* engine) {
    delete engine;
}

extern "C" irqlab_engine_domain* irqlab_engine_domain_create(irqlab_engine* engine,
                                                             const char* name, unsigned nr_hwirqs) {
    cxxrt::unique_ptr<irqlab_engine_domain> domain{
        new (cxxrt::may_sleep_ctx) irqlab_engine_domain{engine->engine, name, nr_hwirqs}};
    if (!domain || !domain->domain.init())
        return nullptr;
    domain->lines = new (cxxrt::may_sleep_ctx) AttachedLine* [nr_hwirqs] {};
    return domain->lines ? domain.release() : nullptr;
}

extern "C" void irqlab_engine_domain_destroy(irqlab_engine_domain* domain) {
    delete domain;
}

extern "C" int irqlab_engine_attach(irqlab_engine_domain* domain, unsigned hwirq, irqlab_line* line,
                                    const char* name, const irqlab_engine_attach_config* config) {
    if (hwirq >= domain->nr_lines)
        return -irqlab::base::erange;
    if (domain->lines[hwirq])
        return -irqlab::base::ealready;
    if (const int invalid = AttachedLine::validate(*config))
        return invalid;
    cxxrt::unique_ptr<AttachedLine> attached{new (cxxrt::may_sleep_ctx)
                                                 AttachedLine{domain->engine, line, *config}};
    if (!attached)
        return -irqlab::base::enomem;
    const int virq = attached->install(domain->domain, hwirq, name);
    if (virq > 0)
        domain->lines[hwirq] = attached.release();
    return virq;
}

extern "C" int irqlab_engine_detach(irqlab_engine_domain* domain, unsigned hwirq) {
    AttachedLine* attached = domain->line(hwirq);
    if (!attached)
        return -irqlab::base::enoent;
    domain->lines[hwirq] = nullptr;
    attached->remove();
    delete attached;
    return 0;
}

extern "C" int irqlab_engine_flush(irqlab_engine_domain* domain, unsigned hwirq) {
    AttachedLine* attached = domain->line(hwirq);
    return attached ? attached->flush() : -irqlab::base::enoent;
}

extern "C" int irqlab_engine_handle(irqlab_engine_domain* domain, unsigned hwirq) {
    return domain->engine.handle(domain->domain, hwirq);
}

extern "C" int irqlab_engine_line_read(irqlab_engine_domain* domain, unsigned hwirq,
                                       irqlab_engine_line_stats* stats) {
    AttachedLine* attached = domain->line(hwirq);
    if (!attached)
        return -irqlab::base::enoent;
    attached->fill_stats(*stats);
    return 0;
}

extern "C" unsigned long long irqlab_engine_line_count(irqlab_engine_domain* domain, unsigned hwirq,
                                                       unsigned cpu) {
    AttachedLine* attached = domain->line(hwirq);
    return attached ? domain->engine.irqs().kstat(attached->virq(), cpu) : 0;
}

extern "C" int irqlab_engine_softirq_read(irqlab_engine* engine, unsigned cpu,
                                          irqlab_engine_softirq_cpu* stats) {
    using irqlab::softirq::SoftirqNr;
    if (cpu >= irqlab_plat_nr_cpu_ids())
        return -irqlab::base::erange;
    Engine& e = engine->engine;
    *stats = {};
    for (unsigned i = 0; i < irqlab::softirq::nr_softirqs; ++i) {
        const auto nr = static_cast<SoftirqNr>(i);
        const auto slot = e.softirqs().slot_stats(nr, cpu);
        const auto backlog = e.backlog().counts(nr, cpu);
        stats->slot[i] = {slot.raised, slot.coalesced, slot.runs,
                          slot.ns,     backlog.done,   backlog.idle_runs};
    }
    const auto cpu_stats = e.softirqs().cpu_stats(cpu);
    stats->irq_exit_rounds = cpu_stats.irq_exit_rounds;
    stats->bh_enable_rounds = cpu_stats.bh_enable_rounds;
    stats->daemon_rounds = cpu_stats.daemon_rounds;
    stats->restarts = cpu_stats.restarts;
    stats->handover_time = cpu_stats.handover_time;
    stats->handover_restarts = cpu_stats.handover_restarts;
    stats->handover_resched = cpu_stats.handover_resched;
    const auto napi = e.napi().cpu_stats(cpu);
    stats->net_rx_rounds = napi.rounds;
    stats->time_squeeze = napi.time_squeeze;
    stats->pending = e.softirqs().pending_on(cpu);
    return 0;
}

extern "C" const char* irqlab_engine_softirq_name(unsigned slot) {
    if (slot >= irqlab::softirq::nr_softirqs)
        return "?";
    return irqlab::softirq::softirq_name(static_cast<irqlab::softirq::SoftirqNr>(slot));
}

extern "C" unsigned irqlab_engine_pool_read(irqlab_engine* engine, unsigned index,
                                            irqlab_engine_pool_stats* stats) {
    irqlab::workqueue::Workqueues& wqs = engine->engine.workqueues();
    irqlab::workqueue::PoolStats pool;
    if (stats && index < wqs.pool_count() && wqs.pool_stats(index, pool))
        *stats = {pool.id,
                  pool.cpu,
                  pool.highpri,
                  pool.bh,
                  pool.workers,
                  pool.idle,
                  pool.running > 0 ? static_cast<unsigned>(pool.running) : 0,
                  pool.queued,
                  pool.concurrency_wakeups,
                  pool.workers_created,
                  pool.workers_retired,
                  pool.creation_failures,
                  pool.maydays,
                  pool.executed};
    return wqs.pool_count();
}

extern "C" unsigned irqlab_engine_workqueue_read(irqlab_engine* engine, unsigned index,
                                                 irqlab_engine_workqueue_stats* stats) {
    namespace wqs = irqlab::workqueue;
    wqs::WorkqueueStats wq;
    const unsigned count = engine->engine.workqueues().workqueue_at(index, wq);
    if (!stats || index >= count)
        return count;
    irqlab::base::TextBuilder{stats->name}.text(wq.name);
    stats->unbound = wq.flags & wqs::wq_unbound;
    stats->highpri = wq.flags & wqs::wq_highpri;
    stats->cpu_intensive = wq.flags & wqs::wq_cpu_intensive;
    stats->mem_reclaim = wq.flags & wqs::wq_mem_reclaim;
    stats->bh = wq.flags & wqs::wq_bh;
    stats->ordered = wq.flags & wqs::wq_ordered;
    stats->max_active = static_cast<unsigned>(wq.max_active);
    stats->active = static_cast<unsigned>(wq.in_flight);
    stats->inactive = static_cast<unsigned>(wq.inactive);
    stats->executed = wq.executed;
    stats->rescued = wq.rescued;
    return count;
}

extern "C" void irqlab_engine_set_forced_threading(irqlab_engine* engine, bool on) {
    engine->engine.irqs().set_forced_threading(on);
}

extern "C" bool irqlab_engine_forced_threading(irqlab_engine* engine) {
    return engine->engine.irqs().forced_threading();
}

extern "C" void irqlab_engine_set_worker_fault(irqlab_engine* engine, bool on) {
    engine->engine.workqueues().set_worker_creation_fault(on);
}

extern "C" bool irqlab_engine_worker_fault(irqlab_engine* engine) {
    return engine->engine.workqueues().worker_creation_fault();
}

extern "C" int irqlab_engine_cpu_online(irqlab_engine* engine, unsigned cpu) {
    return engine->engine.cpu_online(cpu) ? 0 : -irqlab::base::enomem;
}

extern "C" void irqlab_engine_cpu_down_prep(irqlab_engine* engine, unsigned cpu) {
    engine->engine.cpu_down_prep(cpu);
}

extern "C" void irqlab_engine_cpu_dead(irqlab_engine* engine, unsigned cpu) {
    engine->engine.cpu_dead(cpu);
}
