// The engine: one instance of irqlab's interrupt subsystem. It owns the
// context words, the IRQ layer, the softirqs with their daemons and the
// tasklets, and is the hardirq entry for every attached line.
#pragma once

#include "core/engine/context.h"
#include "core/engine/msix_chip.h"
#include "core/engine/softirq_backlog.h"
#include "core/irq/domain.h"
#include "core/irq/irq_core.h"
#include "core/softirq/softirqs.h"
#include "core/softirq/tasklet.h"

namespace irqlab::engine {

class Engine {
public:
    Engine() = default;
    ~Engine() { softirqs_.stop_daemons(); }
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // May sleep. False when something could not be allocated or started.
    [[nodiscard]] bool init();

    // The hardirq entry (irq_enter ... irq_exit); the caller has
    // interrupts off, as a native hardirq handler does.
    int handle(irq::IrqDomain& domain, unsigned long hwirq);

    Context& context() { return context_; }
    irq::IrqCore& irqs() { return irqs_; }
    softirq::Softirqs& softirqs() { return softirqs_; }
    softirq::Tasklets& tasklets() { return tasklets_; }
    SoftirqBacklog& backlog() { return backlog_; }
    MsixChip& msix_chip() { return msix_chip_; }

private:
    // Where the IRQ layer replays an interrupt that enable_irq() found
    // pending (Linux's resend): a full hardirq entry of its own.
    static void replay(void* engine, unsigned virq);

    Context context_;
    irq::IrqCore irqs_{context_};
    softirq::Softirqs softirqs_{context_};
    softirq::Tasklets tasklets_{softirqs_};
    SoftirqBacklog backlog_{softirqs_};
    MsixChip msix_chip_;
};

} // namespace irqlab::engine
