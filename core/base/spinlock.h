// Spinlocks for the core, with a lockdep class per declaration site, and
// the guards that hold them: a held lock is a scope, never a pair of calls.
#pragma once

#include "core/base/handle.h"
#include "core/base/thread_safety.h"
#include "cxxrt/new.h"
#include "irqlab/platform.h"

namespace irqlab::base {

// One constinit LockClass per kind of lock, as C has one static
// lock_class_key per spin_lock_init() site: lockdep tells classes apart by
// the address of 'name', so two classes need two objects.
struct LockClass {
    const char* name;
};

class SpinGuard;
class SpinUnlocked;

// spinlock_t taken with spin_lock_irqsave(). The saved interrupt state
// lives in the lock while it is held (only the holder touches it), so the
// code between taking and releasing never carries a 'flags' word.
class CAPABILITY("spinlock") SpinLock {
public:
    // False when the lock could not be allocated.
    [[nodiscard]] bool init(const LockClass& lock_class, cxxrt::AllocContext ctx) {
        return lock_.reset(
            irqlab_plat_spin_create(lock_class.name, static_cast<irqlab_alloc_ctx>(ctx)));
    }

    // lockdep_assert_held(): the caller holds the lock. A call into the
    // glue, so built in only where something checks it: hosted (the owning
    // thread) and kernels with lockdep (IRQLAB_LOCKDEP, set by Kbuild).
    void assert_held() const ASSERT_CAPABILITY(this) {
#if defined(IRQLAB_HOSTED) || defined(IRQLAB_LOCKDEP)
        irqlab_plat_spin_assert_held(lock_.get());
#endif
    }

private:
    friend class SpinGuard;
    friend class SpinUnlocked;

    void acquire() ACQUIRE() {
        saved_flags_ = irqlab_plat_spin_lock_irqsave(lock_.get());
    }
    void release() RELEASE() {
        irqlab_plat_spin_unlock_irqrestore(lock_.get(), saved_flags_);
    }

    OwnedHandle<irqlab_spinlock, irqlab_plat_spin_destroy> lock_;
    unsigned long saved_flags_ = 0;
};

// Holds a SpinLock with interrupts off for its scope (spin_lock_irqsave).
class SCOPED_CAPABILITY SpinGuard {
public:
    explicit SpinGuard(SpinLock& lock) ACQUIRE(lock) : lock_{lock} { lock_.acquire(); }
    ~SpinGuard() RELEASE() { lock_.release(); }
    SpinGuard(const SpinGuard&) = delete;
    SpinGuard& operator=(const SpinGuard&) = delete;

private:
    SpinLock& lock_;
};

// The other way round: drops a lock the caller holds for its scope (to
// sleep, create a thread or call out) and takes it back at the end, as
// raw_spin_unlock_irq() ... raw_spin_lock_irq() pairs do in Linux. What
// the lock guards may have changed meanwhile: re-check after the scope.
class SCOPED_CAPABILITY SpinUnlocked {
public:
    explicit SpinUnlocked(SpinLock& lock) RELEASE(lock) : lock_{lock} {
        lock_.assert_held();
        lock_.release();
    }
    ~SpinUnlocked() RELEASE() { lock_.acquire(); }
    SpinUnlocked(const SpinUnlocked&) = delete;
    SpinUnlocked& operator=(const SpinUnlocked&) = delete;

private:
    SpinLock& lock_;
};

} // namespace irqlab::base
