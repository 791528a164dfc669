// The engine's per-CPU context word; see context.h.
#include "core/engine/context.h"

#include "core/base/cpu.h"
#include "irqlab/platform.h"

namespace irqlab::engine {

uint32_t Context::word() const {
    return word_on(base::cpu_id());
}

uint32_t Context::word_on(unsigned cpu) const {
    return cpus_.on(cpu).word.load(cxxrt::memory_order::relaxed);
}

void Context::add(uint32_t amount) {
    cpus_.on(base::cpu_id()).word.fetch_add(amount, cxxrt::memory_order::relaxed);
}

void Context::sub(uint32_t amount) {
    cpus_.on(base::cpu_id()).word.fetch_sub(amount, cxxrt::memory_order::relaxed);
}

bool Context::might_sleep(const char* operation) {
    if (!in_interrupt())
        return true;
    atomic_sleep_reports_.fetch_add(1, cxxrt::memory_order::relaxed);
    irqlab_plat_log("irqlab engine: may-sleep operation in atomic engine context:");
    irqlab_plat_log(operation);
    return false;
}

} // namespace irqlab::engine
