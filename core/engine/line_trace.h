// An attached line's measuring points (docs/measuring.md): its main
// handler starting (t1) and each run of its bottom half (t2, t3).
#pragma once

#include "core/base/trace.h"
#include "irqlab/core.h"

namespace irqlab::engine {

inline void trace_line(irqlab_engine_event_kind kind, irqlab_line* line) {
    base::trace::emit(kind, [line](irqlab_engine_event& ev) { ev.line = line; });
}

// One run of a line's bottom half, from its first to its last instruction.
class BottomHalfRun {
public:
    explicit BottomHalfRun(irqlab_line* line) : line_{line} {
        trace_line(IRQLAB_EV_LINE_BH_START, line_);
    }
    ~BottomHalfRun() { trace_line(IRQLAB_EV_LINE_BH_END, line_); }
    BottomHalfRun(const BottomHalfRun&) = delete;
    BottomHalfRun& operator=(const BottomHalfRun&) = delete;

private:
    irqlab_line* line_;
};

} // namespace irqlab::engine
