// The work item of an attached line; see line_work.h.
#include "core/engine/line_work.h"

#include "core/base/errno.h"
#include "core/base/text.h"
#include "core/engine/line_trace.h"
#include "cxxrt/utility.h"

namespace irqlab::engine {

namespace {

// The workqueue flags of each work kind (ordered is its own allocator).
unsigned wq_flags(unsigned kind) {
    switch (kind) {
    case IRQLAB_ENGINE_WORK_UNBOUND:
        return workqueue::wq_unbound;
    case IRQLAB_ENGINE_WORK_HIGHPRI:
        return workqueue::wq_highpri;
    case IRQLAB_ENGINE_WORK_BH:
        return workqueue::wq_bh;
    default:
        return 0;
    }
}

} // namespace

LineWork::LineWork(workqueue::Workqueues& workqueues, irqlab_line* line,
                   const irqlab_engine_attach_config& config)
    : workqueues_{workqueues}, line_{line}, kind_{config.work}, flags_{config.flags},
      hold_{hold_of(config)}, delay_ns_{config.delay_us * 1000ull} {
    workqueue::init_delayed_work(item_, run);
    item_.work.user = this;
    item_.work.trace_line = line;
}

bool LineWork::valid(const irqlab_engine_attach_config& config) {
    if (config.work > IRQLAB_ENGINE_WORK_DELAYED || config.hold > IRQLAB_ENGINE_HOLD_SPIN)
        return false;
    // BH work runs in softirq context, where nothing may sleep.
    if (config.work == IRQLAB_ENGINE_WORK_BH && config.hold == IRQLAB_ENGINE_HOLD_SLEEP)
        return false;
    // Linux: WQ_BH takes no other flag.
    return !(config.work == IRQLAB_ENGINE_WORK_BH && (config.flags & IRQLAB_ENGINE_MEM_RECLAIM));
}

int LineWork::create(const char* name) {
    name_ = name;
    const unsigned reclaim = (flags_ & IRQLAB_ENGINE_MEM_RECLAIM) ? workqueue::wq_mem_reclaim : 0;
    if (kind_ == IRQLAB_ENGINE_WORK_ORDERED)
        wq_ = workqueues_.alloc_ordered_workqueue(name, reclaim);
    else
        wq_ = workqueues_.alloc_workqueue(name, wq_flags(kind_) | reclaim, 0);
    return wq_ ? 0 : -base::enomem;
}

void LineWork::destroy() {
    if (!wq_)
        return;
    // A delayed item still waiting for its timer would be queued after
    // the workqueue is gone: queue it now, so that the drain runs it.
    if (kind_ == IRQLAB_ENGINE_WORK_DELAYED)
        workqueues_.flush_delayed_work(item_);
    workqueues_.destroy_workqueue(cxxrt::exchange(wq_, nullptr));
}

void LineWork::queue() {
    const bool queued = kind_ == IRQLAB_ENGINE_WORK_DELAYED
                            ? workqueues_.queue_delayed_work(wq_, item_, delay_ns_)
                            : workqueues_.queue_work(wq_, item_.work);
    (queued ? queued_ : coalesced_).fetch_add(1, cxxrt::memory_order::relaxed);
}

void LineWork::flush() {
    if (kind_ == IRQLAB_ENGINE_WORK_DELAYED)
        workqueues_.flush_delayed_work(item_);
    workqueues_.flush_workqueue(wq_);
}

void LineWork::run(workqueue::Work* work) {
    auto* self = static_cast<LineWork*>(work->user);
    const BottomHalfRun run{self->line_};
    if (self->hold_.sleeps())
        self->workqueues_.block_in_work(*work, self->hold_.ns);
    else if (self->hold_.spins())
        spin_ns(self->hold_.ns);
    self->runs_.fetch_add(1, cxxrt::memory_order::relaxed);
}

void LineWork::fill_stats(irqlab_engine_line_stats& stats) const {
    stats.work_queued = queued_.load(cxxrt::memory_order::relaxed);
    stats.work_coalesced = coalesced_.load(cxxrt::memory_order::relaxed);
    stats.work_runs = runs_.load(cxxrt::memory_order::relaxed);
    base::TextBuilder{stats.workqueue_name}.text(name_);
}

} // namespace irqlab::engine
