// The engine's set-up and its hardirq entry; see engine.h.
#include "core/engine/engine.h"

#include "core/base/cpu.h"

namespace irqlab::engine {

bool Engine::init() {
    if (!context_.init() || !irqs_.init() || !softirqs_.init() || !tasklets_.init() ||
        !backlog_.init())
        return false;
    irqs_.set_resend_hook(replay, this);
    return softirqs_.start_daemons();
}

int Engine::handle(irq::IrqDomain& domain, unsigned long hwirq) {
    int ret;
    {
        HardirqScope hardirq{context_};
        ret = irqs_.handle_domain_irq(domain, hwirq);
    }
    // irq_exit(): with the hardirq count dropped, pending softirqs run
    // here unless this interrupt arrived during softirq processing.
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

} // namespace irqlab::engine
