// See irq_thread.h.
#include "core/irq/irq_thread.h"

#include "core/base/text.h"

namespace irqlab::irq {

bool IrqThread::start(irqlab_thread_fn fn, void* arg, unsigned virq, const char* name) {
    base::TextBuilder{name_}.text("irqlab-irq/").number(virq).text("-").text(name);
    // Linux moves the thread to the line's affinity (irq_thread_check_affinity);
    // the engine leaves its threads unbound: its lines have no effective
    // affinity of their own to follow.
    if (!thread_.reset(irqlab_plat_thread_create(fn, arg, IRQLAB_ANY_CPU, name_))) {
        name_[0] = '\0';
        return false;
    }
    irqlab_plat_thread_set_fifo(thread_.get());
    fifo_ = true;
    irqlab_plat_thread_wake(thread_.get());
    return true;
}

void IrqThread::stop() {
    if (irqlab_thread* thread = thread_.release())
        irqlab_plat_thread_stop(thread);
    fifo_ = false;
    name_[0] = '\0';
}

} // namespace irqlab::irq
