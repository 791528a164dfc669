// The engine's tracer hook (irqlab_engine_set_tracer in irqlab/core.h).
//
// One process-wide tracer, as Linux's tracepoints are global: the layers
// emit without knowing who listens. An event of a kind nobody listens to
// (irqlab_engine_set_trace_kinds) or with no tracer costs one relaxed load
// and a branch; the event is only built, and the tracer only called
// (an indirect call), when someone listens.
#pragma once

#include "cxxrt/atomic.h"
#include "irqlab/core.h"

namespace irqlab::base::trace {

extern cxxrt::atomic<irqlab_engine_tracer> tracer;
extern cxxrt::atomic<unsigned> kinds;

static_assert(IRQLAB_NR_ENGINE_EVENTS <= 32);

template <typename Fill>
inline void emit(irqlab_engine_event_kind kind, Fill fill) {
    if (!(kinds.load(cxxrt::memory_order::relaxed) & IRQLAB_ENGINE_EVENT_BIT(kind)))
        return;
    if (const irqlab_engine_tracer listener = tracer.load(cxxrt::memory_order::acquire)) {
        irqlab_engine_event event{};
        event.kind = kind;
        fill(event);
        listener(&event);
    }
}

inline void emit(irqlab_engine_event_kind kind) {
    emit(kind, [](irqlab_engine_event&) {});
}

} // namespace irqlab::base::trace
