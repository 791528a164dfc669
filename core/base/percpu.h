// One T per possible CPU (alloc_percpu), constructed and destroyed in place.
#pragma once

#include "cxxrt/new.h"
#include "cxxrt/utility.h"
#include "irqlab/platform.h"

namespace irqlab::base {

template <typename T>
class PerCpu {
public:
    PerCpu() = default;
    ~PerCpu() { reset(); }
    PerCpu(const PerCpu&) = delete;
    PerCpu& operator=(const PerCpu&) = delete;

    // May sleep. False when the per-CPU area could not be allocated.
    [[nodiscard]] bool init() {
        reset();
        handle_ = irqlab_plat_percpu_alloc(sizeof(T), alignof(T));
        if (!handle_)
            return false;
        for (unsigned cpu = 0; cpu < irqlab_plat_nr_cpu_ids(); ++cpu)
            new (irqlab_plat_percpu_ptr(handle_, cpu)) T{};
        return true;
    }

    T& on(unsigned cpu) { return *static_cast<T*>(irqlab_plat_percpu_ptr(handle_, cpu)); }
    const T& on(unsigned cpu) const {
        return *static_cast<const T*>(irqlab_plat_percpu_ptr(handle_, cpu));
    }
    // This CPU's copy: the caller keeps preemption (or interrupts) off.
    T& local() { return *static_cast<T*>(irqlab_plat_percpu_this(handle_)); }

private:
    void reset() {
        if (!handle_)
            return;
        for (unsigned cpu = 0; cpu < irqlab_plat_nr_cpu_ids(); ++cpu)
            on(cpu).~T();
        irqlab_plat_percpu_free(cxxrt::exchange(handle_, nullptr));
    }

    void* handle_ = nullptr;
};

} // namespace irqlab::base
