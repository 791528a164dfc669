// A real vector attached to the engine: its descriptor, its actions, and
// what its main action defers to (a tasklet, a softirq's backlog, a work
// item, its irq thread or a NAPI poll).
#pragma once

#include "core/engine/hold.h"
#include "core/engine/line_poll.h"
#include "core/engine/line_work.h"
#include "core/irq/domain.h"
#include "core/irq/irqreturn.h"
#include "core/softirq/softirq_nr.h"
#include "core/softirq/tasklet.h"
#include "cxxrt/atomic.h"
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

    // May sleep. Allocates the descriptor in 'domain' and installs the
    // actions; on failure, nothing stays installed.
    int install(irq::IrqDomain& domain, unsigned long hwirq, const char* name);
    // May sleep. Frees the actions (waiting for running handlers and the
    // thread), kills the tasklet, takes the poll away, destroys the
    // workqueue (which drains it) and frees the descriptor.
    void remove();
    // May sleep. Waits until what the line deferred so far has run.
    int flush();

    unsigned virq() const { return virq_; }
    void fill_stats(irqlab_engine_line_stats& stats);

private:
    static irq::IrqReturn main_action(unsigned virq, void* dev_id);
    static irq::IrqReturn idle_sharer(unsigned virq, void* dev_id);
    static irq::IrqReturn thread_action(unsigned virq, void* dev_id);
    static void tasklet_callback(softirq::Tasklet* tasklet);
    int request_main(const char* name, unsigned flags);
    void fill_thread_stats(irqlab_engine_line_stats& stats) const;

    Engine& engine_;
    irqlab_line* line_;
    irqlab_engine_attach_config config_;
    unsigned virq_ = 0;
    unsigned installed_sharers_ = 0;
    bool main_installed_ = false;
    // The sharers' dev_ids: distinct, as free_irq tells the actions of
    // one line apart by dev_id, and each leads back here.
    struct Sharer {
        AttachedLine* owner;
    };
    Sharer sharers_[IRQLAB_ENGINE_MAX_SHARED] = {};
    softirq::Tasklet tasklet_;
    Hold hold_;
    LineWork work_;
    LinePoll poll_;
    cxxrt::atomic<uint64_t> main_handled_{0};
    cxxrt::atomic<uint64_t> main_none_{0};
    cxxrt::atomic<uint64_t> sharer_calls_{0};
    cxxrt::atomic<uint64_t> softirq_raised_{0};
    cxxrt::atomic<uint64_t> tasklet_runs_{0};
};

} // namespace irqlab::engine
