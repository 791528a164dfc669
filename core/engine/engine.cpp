// The engine's set-up and its hardirq entry; see engine.h.
#include "core/engine/engine.h"

#include "core/base/cpu.h"

namespace irqlab::engine {

Engine::~Engine() {
    msix_chip_.shutdown();
    // No line is left to enter the engine; a round its last interrupt left
    // to the host's bottom half runs now, while what it serves still exists.
    softirqs_.stop_bottom_half();
    workqueues_.shutdown();
    timers_.stop();
    softirqs_.stop_daemons();
}

bool Engine::init() {
    if (!context_.init() || !irqs_.init() || !softirqs_.init() || !tasklets_.init() ||
        !backlog_.init() || !napi_.init())
        return false;
    backlog_.share(softirq::SoftirqNr::net_rx, net_rx_action, this);
    irqs_.set_resend_hook(replay, this);
    msix_chip_.set_resend(replay, this);
    irqs_.set_bh_hooks(bh_disable, bh_enable, this);
    // The daemons first: timers and workers may raise softirqs from
    // process context, which wakes them.
    return softirqs_.start_daemons() && timers_.init() && workqueues_.init();
}

int Engine::handle(irq::IrqDomain& domain, unsigned long hwirq) {
    int ret = 0;
    {
        HardirqScope hardirq{context_};
        // A masked vector's message waits in its pending bit (msix_chip.h).
        if (!msix_chip_.latch_if_masked(domain.find_mapping(hwirq)))
            ret = irqs_.handle_domain_irq(domain, hwirq);
    }
    // irq_exit(): with the hardirq count dropped, pending softirqs run in
    // the host's bottom half next, unless this interrupt arrived during
    // softirq processing (softirqs.h).
    softirqs_.irq_exit();
    return ret;
}

void Engine::replay(void* engine, unsigned virq) {
    auto* self = static_cast<Engine*>(engine);
    base::IrqSaveGuard irqs_off;
    {
        HardirqScope hardirq{self->context_};
        self->irqs_.generic_handle_irq(virq);
    }
    self->softirqs_.irq_exit();
}

void Engine::bh_disable(void* engine) {
    static_cast<Engine*>(engine)->softirqs_.local_bh_disable();
}

void Engine::bh_enable(void* engine) {
    static_cast<Engine*>(engine)->softirqs_.local_bh_enable();
}

void Engine::net_rx_action(void* engine) {
    static_cast<Engine*>(engine)->napi_.net_rx_action();
}

} // namespace irqlab::engine
