// Spinlocks for the core, with a lockdep class per declaration site.
#pragma once

#include "core/base/handle.h"
#include "cxxrt/new.h"
#include "irqlab/platform.h"

namespace irqlab::base {

// One constinit LockClass per kind of lock, as C has one static
// lock_class_key per spin_lock_init() site: lockdep tells classes apart by
// the address of 'name', so two classes need two objects.
struct LockClass {
    const char* name;
};

class SpinLock {
public:
    // False when the lock could not be allocated.
    [[nodiscard]] bool init(const LockClass& lock_class, cxxrt::AllocContext ctx) {
        return lock_.reset(
            irqlab_plat_spin_create(lock_class.name, static_cast<irqlab_alloc_ctx>(ctx)));
    }

    unsigned long lock_irqsave() { return irqlab_plat_spin_lock_irqsave(lock_.get()); }
    void unlock_irqrestore(unsigned long flags) {
        irqlab_plat_spin_unlock_irqrestore(lock_.get(), flags);
    }
    // Lockdep's "held by the caller" check (hosted: the owning thread).
    void assert_held() const { irqlab_plat_spin_assert_held(lock_.get()); }

private:
    OwnedHandle<irqlab_spinlock, irqlab_plat_spin_destroy> lock_;
};

// Holds a SpinLock with interrupts off for its scope (spin_lock_irqsave).
class SpinGuard {
public:
    explicit SpinGuard(SpinLock& lock) : lock_{lock}, flags_{lock.lock_irqsave()} {}
    ~SpinGuard() { lock_.unlock_irqrestore(flags_); }
    SpinGuard(const SpinGuard&) = delete;
    SpinGuard& operator=(const SpinGuard&) = delete;

private:
    SpinLock& lock_;
    unsigned long flags_;
};

} // namespace irqlab::base
