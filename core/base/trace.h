// The engine's tracer hook (irqlab_engine_set_tracer in irqlab/core.h).
//
// One process-wide tracer, as Linux's tracepoints are global: the layers
// emit without knowing who listens. With no tracer, an event costs one
// relaxed load and a branch; the event is only built when someone listens.
#pragma once

#include "cxxrt/atomic.h"
#include "irqlab/core.h"

namespace irqlab::base::trace {

extern cxxrt::atomic<irqlab_engine_tracer> tracer;

template <typename Fill>
inline void emit(irqlab_engine_event_kind kind, Fill fill) {
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
