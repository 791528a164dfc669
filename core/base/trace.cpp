// The engine's tracer hook; see trace.h.
#include "core/base/trace.h"

namespace irqlab::base::trace {

cxxrt::atomic<irqlab_engine_tracer> tracer{nullptr};

} // namespace irqlab::base::trace

extern "C" void irqlab_engine_set_tracer(irqlab_engine_tracer listener) {
    irqlab::base::trace::tracer.store(listener, cxxrt::memory_order::release);
}
