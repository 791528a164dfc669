// The NAPI-style poll of an attached line; see line_poll.h.
#include "core/engine/line_poll.h"

#include "core/base/cpu.h"
#include "core/base/errno.h"
#include "core/base/thread.h"

namespace irqlab::engine {

static_assert(IRQLAB_ENGINE_NAPI_HIST == napi::histogram_buckets);

namespace {

// How long a flush waits for polls that consume nothing.
constexpr uint64_t flush_timeout_ns = 10'000'000'000ull;
constexpr uint64_t flush_poll_ns = 100'000;

} // namespace

LinePoll::LinePoll(irq::IrqCore& irqs, napi::NapiPolls& polls, irqlab_line* line,
                   const irqlab_engine_attach_config& config)
    : irqs_{irqs}, polls_{polls}, events_per_irq_{config.napi_events ? config.napi_events : 1},
      weight_{config.napi_weight ? static_cast<int>(config.napi_weight) : napi::default_weight} {
    napi_.data = this;
    napi_.trace_line = line;
}

void LinePoll::install(unsigned virq) {
    virq_ = virq;
    polls_.add(napi_, poll, weight_);
    polls_.enable(napi_);
    installed_ = true;
}

void LinePoll::remove() {
    if (!installed_)
        return;
    polls_.disable(napi_);
    polls_.del(napi_);
    installed_ = false;
}

void LinePoll::on_interrupt() {
    ring_.fetch_add(events_per_irq_, cxxrt::memory_order::relaxed);
    produced_.fetch_add(events_per_irq_, cxxrt::memory_order::relaxed);
    // The driver's "mask the device, then schedule": the line stays off
    // until the poll drained the ring. A poll already scheduled will see
    // these events too (MISSED), and enables the line itself: this
    // interrupt's disable is then taken back.
    irqs_.disable_irq_nosync(virq_);
    if (!polls_.schedule(napi_))
        irqs_.enable_irq(virq_);
}

int LinePoll::poll(napi::Napi* napi, int budget) {
    auto* self = static_cast<LinePoll*>(napi->data);
    uint64_t ring = self->ring_.load(cxxrt::memory_order::relaxed);
    uint64_t take;
    do {
        take = ring < static_cast<uint64_t>(budget) ? ring : static_cast<uint64_t>(budget);
    } while (take &&
             !self->ring_.compare_exchange_weak(ring, ring - take, cxxrt::memory_order::relaxed,
                                                cxxrt::memory_order::relaxed));
    self->consumed_.fetch_add(take, cxxrt::memory_order::relaxed);
    const int work_done = static_cast<int>(take);
    if (work_done < budget && self->polls_.complete_done(*napi, work_done))
        self->irqs_.enable_irq(self->virq_);
    return work_done;
}

int LinePoll::flush() {
    // Gives up only on polls that stopped making progress: a long ring
    // with a small weight drains for as long as it takes on a slow box (a
    // debug kernel under TCG took over 10 s in a soak).
    uint64_t seen = consumed_.load(cxxrt::memory_order::relaxed);
    uint64_t deadline = base::now_ns() + flush_timeout_ns;
    while (ring_.load(cxxrt::memory_order::relaxed) || (napi_.state_bits() & napi::napi_sched)) {
        const uint64_t consumed = consumed_.load(cxxrt::memory_order::relaxed);
        if (consumed != seen) {
            seen = consumed;
            deadline = base::now_ns() + flush_timeout_ns;
        } else if (base::now_ns() > deadline) {
            return -base::etimedout;
        }
        base::Thread::sleep_ns(flush_poll_ns);
    }
    return 0;
}

void LinePoll::fill_stats(irqlab_engine_line_stats& stats) const {
    const napi::NapiStats napi = napi_.stats();
    stats.napi_events_produced = produced_.load(cxxrt::memory_order::relaxed);
    stats.napi_events_consumed = consumed_.load(cxxrt::memory_order::relaxed);
    stats.napi_scheduled = napi.schedules - napi.coalesced - napi.refused;
    stats.napi_missed = napi.coalesced;
    stats.napi_polls = napi.polls;
    stats.napi_budget_exhausted = napi.budget_exhausted;
    stats.napi_completed = napi.completed;
    for (unsigned b = 0; b < IRQLAB_ENGINE_NAPI_HIST; ++b)
        stats.napi_hist[b] = napi.histogram[b];
    stats.napi_scheduled_now = (napi_.state_bits() & napi::napi_sched) != 0;
}

} // namespace irqlab::engine
