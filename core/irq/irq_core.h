// The engine's descriptor table and the entry points of the IRQ layer
// (kernel/irq/irqdesc.c, manage.c, the entry of handle.c).
//
// Lifetime rules for callers (Linux gets the first from RCU and
// sparse_irq_lock, the engine from these):
//  - generic_handle_irq()/handle_domain_irq() may race with free_desc():
//    free_desc() unpublishes the descriptor and waits for every entry that
//    may have seen it, so after it returns no CPU touches the descriptor
//    and later entries get -einval.
//  - Configuration calls for one virq (request_irq, free_irq, enable_irq,
//    disable_irq*, synchronize_irq, desc()) must not race with its
//    free_desc(): the caller serializes them, as using an irq number after
//    irq_free_desc() is a bug in Linux. The statistics readers (snapshot,
//    kstat, for_each_action) are safe against free_desc() at any time.
//  - Domains must outlive the descriptors allocated in them.
#pragma once

#include "core/base/spinlock.h"
#include "core/base/thread_safety.h"
#include "core/engine/context.h"
#include "core/irq/chip.h"
#include "core/irq/desc.h"
#include "core/irq/domain.h"
#include "core/irq/entry_tracker.h"
#include "core/irq/irq_stats.h"
#include "core/irq/irqreturn.h"
#include "cxxrt/atomic.h"

#include <stdint.h>

namespace irqlab::irq {

class IrqCore {
public:
    static constexpr unsigned max_irqs = 256;

    // Replays an interrupt that enable_irq() or request_irq() found
    // pending: it must call generic_handle_irq(virq) in engine hardirq
    // context with interrupts off, now or soon (Linux's resend tasklet).
    using ResendHook = void (*)(void* arg, unsigned virq);

    explicit IrqCore(engine::Context& context) : context_{context} {}
    // Frees what is left (descriptors, their actions) without touching the
    // domains; no CPU may be in the entry points any more.
    ~IrqCore();
    IrqCore(const IrqCore&) = delete;
    IrqCore& operator=(const IrqCore&) = delete;

    // May sleep. False when something could not be allocated.
    [[nodiscard]] bool init();

    // Without a hook, the replay runs inline in the caller of enable_irq()
    // or request_irq(): interrupts off, in an engine HardirqScope, with no
    // softirq processing afterwards. Set before any line is requested.
    void set_resend_hook(ResendHook hook, void* arg);

    // May sleep. Allocates a descriptor for 'hwirq' of 'domain' (a level
    // per ancestor domain with a chip, see IrqDomain) and maps it in each
    // level's domain. Returns the virq (> 0) or -einval (bad hwirq or
    // flow), -eexist (hwirq mapped), -enospc (table full), -enomem.
    int alloc_desc(IrqDomain& domain, unsigned long hwirq, IrqChip& chip, void* chip_data,
                   FlowType flow, const char* name);
    // May sleep: waits for entries that may still see the descriptor.
    // 0, -ebusy while actions are installed, -einval, -eperm (engine
    // atomic context: reported and refused).
    int free_desc(unsigned virq);
    IrqDesc* desc(unsigned virq);

    // May sleep. 0 or -einval (no descriptor, no handler, unknown flags,
    // shared without dev_id), -ebusy (line not shareable with this),
    // -enomem, -eperm (engine atomic context: reported and refused). The
    // first action starts the line (unmask, depth 0) and replays an
    // interrupt that was left pending, as __setup_irq() does.
    int request_irq(unsigned virq, IrqHandler handler, unsigned flags, const char* name,
                    void* dev_id);
    // May sleep. request_irq() with a thread: 'thread_fn' runs in a thread
    // of its own ("irqlab-irq/<virq>-<name>", SCHED_FIFO, created here)
    // each time 'handler' returns IrqReturn::wake_thread. A null 'handler'
    // with a thread_fn gets the default primary, which only wakes the
    // thread and needs irqf_oneshot (-einval without it, as in Linux).
    // Errors as request_irq(), plus -ebusy when a shared line has no
    // oneshot bit left, -enomem when the thread could not be created.
    int request_threaded_irq(unsigned virq, IrqHandler handler, IrqHandler thread_fn,
                             unsigned flags, const char* name, void* dev_id);
    // May sleep: waits for running handlers. 0, -enoent (no action with
    // dev_id), -einval (no descriptor), -eperm (called in engine atomic
    // context, reported and refused: it would wait for itself, where Linux
    // deadlocks). Linux returns the devname; the engine an errno. The last
    // action shuts the line down (masked, depth 1). The action's thread
    // runs a wake still pending, then stops, before this returns.
    int free_irq(unsigned virq, void* dev_id);
    // Any context.
    void disable_irq_nosync(unsigned virq);
    // May sleep.
    void disable_irq(unsigned virq);
    // Any context. An unbalanced enable is logged and counted.
    void enable_irq(unsigned virq);
    // May sleep: returns when no CPU runs the line's handlers (spinning)
    // and no thread of the line is woken or running (sleeping). In engine
    // atomic context it is reported and returns at once. Called from a
    // thread of the line it waits for itself, as in Linux.
    void synchronize_irq(unsigned virq);

    // Forced threading (the threadirqs boot option): requests after this
    // without irqf_no_thread, irqf_oneshot or a thread_fn get their
    // handler run in a thread, with bottom halves off through the hooks
    // and interrupts off. The hooks are set before any line is requested;
    // forced threading applies to the requests made after it changed.
    void set_forced_threading(bool forced);
    bool forced_threading() const { return forced_threading_.load(cxxrt::memory_order::relaxed); }
    void set_bh_hooks(void (*disable)(void* arg), void (*enable)(void* arg), void* arg);

    // The hardirq entry: engine hardirq context, interrupts off. 0, or
    // -einval (counted as "no mapping") without a mapping or descriptor.
    int generic_handle_irq(unsigned virq);
    int handle_domain_irq(IrqDomain& domain, unsigned long hwirq);

    // Statistics. False / 0 when virq has no descriptor.
    bool snapshot(unsigned virq, IrqStatsSnapshot& out) const;
    uint64_t kstat(unsigned virq, unsigned cpu) const;
    // Returns the number of actions visited.
    unsigned for_each_action(unsigned virq, IrqActionVisitor visit, void* arg) const;
    // The threaded actions only; returns the number visited.
    unsigned for_each_thread(unsigned virq, IrqThreadVisitor visit, void* arg) const;
    // The first allocated virq after 'virq' (0 starts), or 0 when none.
    unsigned next_virq(unsigned virq) const;
    uint64_t no_mapping_count() const { return no_mapping_.load(cxxrt::memory_order::relaxed); }
    uint64_t unbalanced_enable_count() const {
        return unbalanced_enables_.load(cxxrt::memory_order::relaxed);
    }

private:
    IrqDesc* lookup(unsigned virq) const;
    IrqDesc* allocate_desc(IrqDomain& domain, unsigned long hwirq, IrqChip& chip, void* chip_data,
                           FlowType flow, const char* name);
    int associate_levels(IrqDesc& desc);
    static void disassociate_levels(IrqDesc& desc);
    void replay(unsigned virq);
    void setup_forced_threading(IrqAction& action) const;
    int setup_thread(IrqDesc& desc, IrqAction& action);
    // Checks and links a new action (__setup_irq()).
    int link_action(IrqDesc& desc, IrqAction& action, bool& replay_now) REQUIRES(desc.lock_);
    void run_flow(IrqDesc& desc);

    engine::Context& context_;
    // Serializes table changes, and the statistics readers against
    // free_desc().
    mutable base::SpinLock table_lock_;
    cxxrt::atomic<IrqDesc*> descs_[max_irqs];
    // Numbers in use, published or not yet / no longer.
    bool reserved_[max_irqs] GUARDED_BY(table_lock_) = {};
    EntryTracker entries_;
    // Read at each request; the glue may switch it between requests.
    cxxrt::atomic<bool> forced_threading_{false};
    BhHooks bh_hooks_;
    ResendHook resend_hook_ = nullptr;
    void* resend_arg_ = nullptr;
    cxxrt::atomic<uint64_t> no_mapping_{0};
    cxxrt::atomic<uint64_t> unbalanced_enables_{0};
};

} // namespace irqlab::irq
