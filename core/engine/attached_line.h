// A real vector attached to the engine: its descriptor, the idle sharers
// ahead of its main action, and the main action, whose hardirq handler
// counts and traces here and delegates the rest to the line's action
// (line_action.h): a tasklet, a softirq's backlog, a work item, its irq
// thread or a NAPI poll.
#pragma once

#include "core/engine/line_action.h"
#include "core/irq/domain.h"
#include "core/irq/irqreturn.h"
#include "cxxrt/atomic.h"
#include "cxxrt/unique_ptr.h"
#include "irqlab/core.h"

#include <stdint.h>

namespace irqlab::engine {

class Engine;

class AttachedLine {
public:
    AttachedLine(Engine& engine, irqlab_line* line, const irqlab_engine_attach_config& config);
    AttachedLine(const AttachedLine&) = delete;
    AttachedLine& operator=(const AttachedLine&) = delete;

    // Rejects a configuration the engine cannot run: 0 or -einval.
    static int validate(const irqlab_engine_attach_config& config);

    // May sleep. Creates the action, allocates the descriptor in 'domain'
    // and installs the sharers and the action; on failure (-enomem when
    // the action could not be allocated), nothing stays installed.
    int install(irq::IrqDomain& domain, unsigned long hwirq, const char* name);
    // May sleep. Removes the action (its handlers freed, waiting for
    // running ones and the thread, and what it deferred to taken down),
    // then frees the descriptor.
    void remove();
    // May sleep. Waits until what the line deferred so far has run, and
    // what that let in (a replay) as well.
    int flush();

    unsigned virq() const { return virq_; }
    void fill_stats(irqlab_engine_line_stats& stats);

    // The action's side of install and remove (LineAction).
    const char* name() const { return name_; }
    // May sleep. request_irq() of the main action, with the line's flags
    // and 'flags': its handler traces, calls the action's handle() and
    // counts what it returned.
    int request_main(unsigned flags = 0) { return request_main_action(nullptr, flags); }
    // The same with an irq thread that runs the action's handle_thread().
    int request_main_threaded(unsigned flags = 0) {
        return request_main_action(thread_action, flags);
    }
    // May sleep. free_irq() of the main action, then of the sharers: no
    // handler of the line runs once it returns.
    void free_handlers();

private:
    static irq::IrqReturn main_action(unsigned virq, void* dev_id);
    static irq::IrqReturn idle_sharer(unsigned virq, void* dev_id);
    static irq::IrqReturn thread_action(unsigned virq, void* dev_id);
    int request_main_action(irq::IrqHandler thread_fn, unsigned flags);
    unsigned line_flags() const;
    // Interrupts replayed on the line so far, by the flow or the chip.
    uint64_t replays();
    void fill_thread_stats(irqlab_engine_line_stats& stats) const;

    Engine& engine_;
    irqlab_line* line_;
    irqlab_engine_attach_config config_;
    cxxrt::unique_ptr<LineAction> action_;
    const char* name_ = "";
    unsigned virq_ = 0;
    unsigned installed_sharers_ = 0;
    bool main_installed_ = false;
    // The sharers' dev_ids: distinct, as free_irq tells the actions of
    // one line apart by dev_id, and each leads back here.
    struct Sharer {
        AttachedLine* owner;
    };
    Sharer sharers_[IRQLAB_ENGINE_MAX_SHARED] = {};
    cxxrt::atomic<uint64_t> main_handled_{0};
    cxxrt::atomic<uint64_t> main_none_{0};
    cxxrt::atomic<uint64_t> sharer_calls_{0};
};

} // namespace irqlab::engine
