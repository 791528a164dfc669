// The engine's tracer hook; see trace.h.
#include "core/base/trace.h"

namespace irqlab::base::trace {

cxxrt::atomic<irqlab_engine_tracer> tracer{nullptr};
cxxrt::atomic<unsigned> kinds{IRQLAB_ENGINE_ALL_EVENTS};

} // namespace irqlab::base::trace

extern "C" void irqlab_engine_set_trace_kinds(unsigned kinds) {
    irqlab::base::trace::kinds.store(kinds, cxxrt::memory_order::relaxed);
}

extern "C" void irqlab_engine_set_tracer(irqlab_engine_tracer listener) {
    irqlab::base::trace::tracer.store(listener, cxxrt::memory_order::release);
}
