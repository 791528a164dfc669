// The engine: one instance of irqlab's interrupt subsystem. It owns the
// context words, the IRQ layer, the softirqs with their daemons, the
// tasklets, the timers, the NAPI polls and the workqueues, and is the
// hardirq entry for every attached line.
#pragma once

#include "core/engine/context.h"
#include "core/engine/msix_chip.h"
#include "core/engine/softirq_backlog.h"
#include "core/irq/domain.h"
#include "core/irq/irq_core.h"
#include "core/napi/napi_polls.h"
#include "core/softirq/softirqs.h"
#include "core/softirq/tasklet.h"
#include "core/timer/timers.h"
#include "core/workqueue/workqueues.h"

namespace irqlab::engine {

class Engine {
public:
    Engine() = default;
    // Workers and rescuers stop first (they use timers and tasklets), then
    // the timer threads and the softirq daemons.
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // May sleep. False when something could not be allocated or started.
    [[nodiscard]] bool init();

    // CPU hotplug (engine_hotplug.cpp; irqlab/core.h says when each runs).
    // cpu_online() is false when a thread could not be started.
    [[nodiscard]] bool cpu_online(unsigned cpu);
    void cpu_down_prep(unsigned cpu);
    void cpu_dead(unsigned cpu);

    // The hardirq entry (irq_enter ... irq_exit); the caller has
    // interrupts off, as a native hardirq handler does.
    int handle(irq::IrqDomain& domain, unsigned long hwirq);

    Context& context() { return context_; }
    irq::IrqCore& irqs() { return irqs_; }
    softirq::Softirqs& softirqs() { return softirqs_; }
    softirq::Tasklets& tasklets() { return tasklets_; }
    SoftirqBacklog& backlog() { return backlog_; }
    timer::Timers& timers() { return timers_; }
    napi::NapiPolls& napi() { return napi_; }
    workqueue::Workqueues& workqueues() { return workqueues_; }
    MsixChip& msix_chip() { return msix_chip_; }

private:
    // Where the IRQ layer replays an interrupt that enable_irq() found
    // pending (Linux's resend): a full hardirq entry of its own.
    static void replay(void* engine, unsigned virq);
    // Forced threading's bottom-half switch for the IRQ layer.
    static void bh_disable(void* engine);
    static void bh_enable(void* engine);
    // The NAPI polls share NET_RX with the softirq backlog.
    static void net_rx_action(void* engine);

    Context context_;
    irq::IrqCore irqs_{context_};
    softirq::Softirqs softirqs_{context_};
    softirq::Tasklets tasklets_{softirqs_};
    SoftirqBacklog backlog_{softirqs_};
    timer::Timers timers_{softirqs_};
    napi::NapiPolls napi_{softirqs_};
    workqueue::Workqueues workqueues_{context_, softirqs_, tasklets_, timers_};
    MsixChip msix_chip_{tasklets_};
};

} // namespace irqlab::engine
