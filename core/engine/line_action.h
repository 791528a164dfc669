// What an attached line's main action does (irqlab_engine_action_kind),
// one type per kind behind one interface. AttachedLine keeps what every
// line has (the descriptor, the sharers, the main action's counts and its
// measuring point) and delegates the rest, so that each action owns only
// what it defers to. A new kind is a type of its own (action_*.{h,cpp}),
// a line in line_action_factory.cpp and its value in irqlab/core.h.
#pragma once

#include "core/irq/irqreturn.h"
#include "cxxrt/unique_ptr.h"
#include "irqlab/core.h"

namespace irqlab::engine {

class AttachedLine;
class Engine;

class LineAction {
public:
    LineAction() = default;
    LineAction(const LineAction&) = delete;
    LineAction& operator=(const LineAction&) = delete;
    virtual ~LineAction();

    // Each type also has a static validate(config), which the factory asks
    // before creating one: 0 or -einval. This one fits a type that takes
    // none of the options below.
    static int validate(const irqlab_engine_attach_config& config);

    // May sleep. Sets up what the hardirq part defers to, then requests
    // the line's main action (AttachedLine::request_main), so that no
    // interrupt finds the action half made. 0 or -errno. After a failure,
    // here or before (a sharer's request), the line calls remove(), which
    // undoes only what was done.
    virtual int install(AttachedLine& line);
    // May sleep. Frees the line's handlers (AttachedLine::free_handlers)
    // and takes down what they deferred to, in the order the action needs.
    virtual void remove(AttachedLine& line);

    // The hardirq part: interrupts off, engine hardirq context (or the
    // line's irq thread under forced threading). The line counts what it
    // returns.
    virtual irq::IrqReturn handle() = 0;
    // The threaded part, in the line's irq thread; only an action that
    // requested a thread (AttachedLine::request_main_threaded) has one.
    virtual irq::IrqReturn handle_thread();

    // May sleep, after the line's handlers and threads are idle: waits
    // until what the action deferred so far has run. 0 or -errno.
    virtual int flush();
    // Its own fields of the line's statistics, which the line zeroed.
    virtual void fill_stats(irqlab_engine_line_stats& stats) const;
};

// The parts of a config that only some actions use. An action accepts its
// own and rejects the others: a config asking an action for something it
// would ignore is a mistake, and attaching it fails.
struct ActionOptions {
    bool hold = false;
    bool oneshot = false;
    bool mem_reclaim = false;
};
int validate_options(const irqlab_engine_attach_config& config, ActionOptions accepted);

// The factory (line_action_factory.cpp), by config.action: -einval for an
// unknown action or a config that action cannot run.
int validate_line_action(const irqlab_engine_attach_config& config);
// May sleep. The action of a validated config; empty when out of memory.
cxxrt::unique_ptr<LineAction> create_line_action(Engine& engine, irqlab_line* line,
                                                 const irqlab_engine_attach_config& config);

} // namespace irqlab::engine
