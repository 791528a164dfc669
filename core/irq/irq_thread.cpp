// See irq_thread.h.
#include "core/irq/irq_thread.h"

namespace irqlab::irq {

namespace {

// Appends 'text' to 'out' at 'len', leaving room for the terminator.
void append(char* out, unsigned size, unsigned& len, const char* text) {
    for (; *text && len + 1 < size; ++text)
        out[len++] = *text;
    out[len] = '\0';
}

void append_number(char* out, unsigned size, unsigned& len, unsigned value) {
    char digits[10];
    unsigned ndigits = 0;
    do {
        digits[ndigits++] = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (ndigits > 0 && len + 1 < size)
        out[len++] = digits[--ndigits];
    out[len] = '\0';
}

} // namespace

bool IrqThread::start(irqlab_thread_fn fn, void* arg, unsigned virq, const char* name) {
    unsigned len = 0;
    name_[0] = '\0';
    append(name_, sizeof(name_), len, "irqlab-irq/");
    append_number(name_, sizeof(name_), len, virq);
    append(name_, sizeof(name_), len, "-");
    append(name_, sizeof(name_), len, name ? name : "");
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
