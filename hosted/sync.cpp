// Hosted platform: spinlocks (a mutex plus the simulated interrupt state),
// completions, and per-CPU storage for the simulated CPUs.
#include "irqlab/platform.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

struct irqlab_spinlock {
    std::mutex mutex;
    std::atomic<std::thread::id> owner{};
    const char* lock_class;
};

struct irqlab_completion {
    std::mutex lock;
    std::condition_variable cv;
    unsigned long done = 0;
};

namespace {

// complete_all() leaves this many, as the kernel's UINT_MAX "done".
constexpr unsigned long all_done = ~0ul;

struct PerCpuArea {
    size_t stride;
    unsigned cpus;
    unsigned char* base;
};

} // namespace

extern "C" irqlab_spinlock* irqlab_plat_spin_create(const char* lock_class, irqlab_alloc_ctx) {
    auto* lock = new irqlab_spinlock;
    lock->lock_class = lock_class;
    return lock;
}

extern "C" void irqlab_plat_spin_destroy(irqlab_spinlock* lock) {
    delete lock;
}

extern "C" unsigned long irqlab_plat_spin_lock_irqsave(irqlab_spinlock* lock) {
    const unsigned long flags = irqlab_plat_irq_save();
    lock->mutex.lock();
    lock->owner.store(std::this_thread::get_id());
    return flags;
}

extern "C" void irqlab_plat_spin_unlock_irqrestore(irqlab_spinlock* lock, unsigned long flags) {
    lock->owner.store(std::thread::id{});
    lock->mutex.unlock();
    irqlab_plat_irq_restore(flags);
}

extern "C" void irqlab_plat_spin_assert_held(irqlab_spinlock* lock) {
    if (lock->owner.load() != std::this_thread::get_id())
        irqlab_plat_bug("spinlock not held by this thread");
}

extern "C" irqlab_completion* irqlab_plat_completion_create(irqlab_alloc_ctx) {
    return new irqlab_completion;
}

extern "C" void irqlab_plat_completion_destroy(irqlab_completion* done) {
    delete done;
}

extern "C" void irqlab_plat_complete(irqlab_completion* done) {
    {
        std::lock_guard hold{done->lock};
        if (done->done != all_done)
            ++done->done;
    }
    done->cv.notify_one();
}

extern "C" void irqlab_plat_complete_all(irqlab_completion* done) {
    {
        std::lock_guard hold{done->lock};
        done->done = all_done;
    }
    done->cv.notify_all();
}

extern "C" void irqlab_plat_reinit_completion(irqlab_completion* done) {
    std::lock_guard hold{done->lock};
    done->done = 0;
}

extern "C" int irqlab_plat_wait_for_completion(irqlab_completion* done, uint64_t timeout_ns) {
    irqlab_plat_might_sleep();
    std::unique_lock hold{done->lock};
    // Clamp: a "forever" timeout would overflow the clock's time_point.
    const auto timeout =
        std::chrono::nanoseconds{timeout_ns > (1ull << 62) ? 1ull << 62 : timeout_ns};
    if (!done->cv.wait_for(hold, timeout, [&] { return done->done > 0; }))
        return 0;
    if (done->done != all_done)
        --done->done;
    return 1;
}

extern "C" void* irqlab_plat_percpu_alloc(size_t size, size_t align) {
    if (align < alignof(PerCpuArea))
        align = alignof(PerCpuArea);
    const size_t stride = (size + align - 1) / align * align;
    const unsigned cpus = irqlab_plat_nr_cpu_ids();
    auto* area = new PerCpuArea{stride, cpus, nullptr};
    area->base = static_cast<unsigned char*>(std::aligned_alloc(align, stride * cpus));
    if (!area->base) {
        delete area;
        return nullptr;
    }
    std::memset(area->base, 0, stride * cpus);
    return area;
}

extern "C" void irqlab_plat_percpu_free(void* handle) {
    auto* area = static_cast<PerCpuArea*>(handle);
    std::free(area->base);
    delete area;
}

extern "C" void* irqlab_plat_percpu_this(void* handle) {
    return irqlab_plat_percpu_ptr(handle, irqlab_plat_cpu_id());
}

extern "C" void* irqlab_plat_percpu_ptr(void* handle, unsigned cpu) {
    auto* area = static_cast<PerCpuArea*>(handle);
    return area->base + area->stride * cpu;
}
