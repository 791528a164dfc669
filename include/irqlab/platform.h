/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The platform interface: everything the C++ core may ask of the world.
 *
 * The core (core/, cxxrt/) includes no kernel header; it calls only these
 * functions. module/platform_*.c implements them with kernel APIs, and
 * hosted/ implements them for the unit tests. Each call is coarse on
 * purpose: gcc has no LTO across this boundary, so every call is real.
 *
 * This header is valid C (kernel glue) and C++ (core, both modes).
 */
#ifndef IRQLAB_PLATFORM_H
#define IRQLAB_PLATFORM_H

#if defined(__KERNEL__) && !defined(__cplusplus)
#include <linux/types.h>
#else
#include <stddef.h>
#include <stdint.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Whether an allocation may sleep. Mirrors GFP_ATOMIC vs GFP_KERNEL; the
 * C++ side never names GFP bits, the glue maps this to them.
 */
enum irqlab_alloc_ctx {
	IRQLAB_ALLOC_ATOMIC = 0,
	IRQLAB_ALLOC_MAY_SLEEP = 1,
};

/* Returns NULL on failure; the memory is suitably aligned for any object. */
void *irqlab_plat_alloc(size_t size, enum irqlab_alloc_ctx ctx);
void irqlab_plat_free(void *ptr);

/*
 * Reports a broken invariant. Callers follow it with __builtin_trap(),
 * which the kernel turns into an oops (as BUG() does); glue functions are
 * never declared noreturn, because objtool cannot see through them.
 */
void irqlab_plat_bug(const char *what);

/* An informational line in the host's log (printk / stderr). */
void irqlab_plat_log(const char *msg);

/* --- CPUs and execution state ------------------------------------------ */

/* The CPU this code runs on; stable only while preemption is disabled. */
unsigned int irqlab_plat_cpu_id(void);
/* One past the highest possible CPU id (nr_cpu_ids). */
unsigned int irqlab_plat_nr_cpu_ids(void);
bool irqlab_plat_cpu_online(unsigned int cpu);
/*
 * Whether the CPU is up and not going down (cpu_active, and not
 * cpu_dying): false from the first step of taking the CPU down, when the
 * scheduler starts moving threads bound with kthread_bind() off it and
 * before any hotplug callback of the engine runs, until it is fully up
 * again.
 */
bool irqlab_plat_cpu_active(unsigned int cpu);

unsigned long irqlab_plat_irq_save(void);
void irqlab_plat_irq_restore(unsigned long flags);
bool irqlab_plat_irqs_disabled(void);
void irqlab_plat_preempt_disable(void);
void irqlab_plat_preempt_enable(void);
/* Reports (debug kernels: splats) a sleep from atomic context. */
void irqlab_plat_might_sleep(void);
bool irqlab_plat_need_resched(void);
void irqlab_plat_cond_resched(void);

/* Monotonic clock (CLOCK_MONOTONIC), nanoseconds. */
uint64_t irqlab_plat_clock_ns(void);

/* --- Per-CPU storage ----------------------------------------------------- */

/*
 * One zeroed object of 'size' bytes per possible CPU. The handle is not a
 * pointer to any CPU's copy: always go through the accessors.
 */
void *irqlab_plat_percpu_alloc(size_t size, size_t align);
void irqlab_plat_percpu_free(void *handle);
void *irqlab_plat_percpu_ptr(void *handle, unsigned int cpu);
/* This CPU's copy (this_cpu_ptr): one call on the hot paths. */
void *irqlab_plat_percpu_this(void *handle);

/* --- Spinlocks ------------------------------------------------------------ */

/*
 * Opaque, allocated by the platform (a kernel spinlock_t's size depends on
 * the debug options). 'lock_class' names the lockdep class: pass the same
 * string object (not merely equal text) for every lock of one class, as a
 * static lock_class_key per init site does in C.
 */
struct irqlab_spinlock;
struct irqlab_spinlock *irqlab_plat_spin_create(const char *lock_class,
						enum irqlab_alloc_ctx ctx);
void irqlab_plat_spin_destroy(struct irqlab_spinlock *lock);
unsigned long irqlab_plat_spin_lock_irqsave(struct irqlab_spinlock *lock);
void irqlab_plat_spin_unlock_irqrestore(struct irqlab_spinlock *lock,
					unsigned long flags);
/* Reports (lockdep; hosted: aborts) unless the caller holds the lock. */
void irqlab_plat_spin_assert_held(struct irqlab_spinlock *lock);

/* --- Completions -------------------------------------------------------- */

struct irqlab_completion;
struct irqlab_completion *irqlab_plat_completion_create(enum irqlab_alloc_ctx ctx);
void irqlab_plat_completion_destroy(struct irqlab_completion *done);
void irqlab_plat_complete(struct irqlab_completion *done);
void irqlab_plat_complete_all(struct irqlab_completion *done);
void irqlab_plat_reinit_completion(struct irqlab_completion *done);
/*
 * Waits until completed or 'timeout_ns' passed (killable: a fatal signal
 * ends the wait too). Returns 1 when completed, 0 on timeout, negative
 * when interrupted.
 */
int irqlab_plat_wait_for_completion(struct irqlab_completion *done,
				    uint64_t timeout_ns);

/* --- Threads ---------------------------------------------------------------- */

/*
 * A kernel thread (hosted: a std::thread). Created stopped; bound to 'cpu'
 * unless cpu is IRQLAB_ANY_CPU. The function runs until
 * irqlab_plat_thread_should_stop() is true and returns its result to
 * irqlab_plat_thread_stop(), which also frees the thread.
 */
#define IRQLAB_ANY_CPU (~0u)
struct irqlab_thread;
typedef int (*irqlab_thread_fn)(void *arg);
struct irqlab_thread *irqlab_plat_thread_create(irqlab_thread_fn fn, void *arg,
						unsigned int cpu,
						const char *name);
void irqlab_plat_thread_wake(struct irqlab_thread *thread);
int irqlab_plat_thread_stop(struct irqlab_thread *thread);
/*
 * Parking stops a thread at its next irqlab_plat_thread_parkme() (as for
 * CPU hot-unplug); returns 0, or negative if the thread already exited.
 */
int irqlab_plat_thread_park(struct irqlab_thread *thread);
void irqlab_plat_thread_unpark(struct irqlab_thread *thread);
/*
 * Gives the thread the real-time policy Linux gives interrupt threads
 * (sched_set_fifo(): SCHED_FIFO at priority MAX_RT_PRIO / 2).
 */
void irqlab_plat_thread_set_fifo(struct irqlab_thread *thread);
/* The SCHED_OTHER nice level (set_user_nice()), -20 to 19. */
void irqlab_plat_thread_set_nice(struct irqlab_thread *thread, int nice);
/*
 * Lets the thread run only on 'cpu', or anywhere with IRQLAB_ANY_CPU
 * (set_cpus_allowed_ptr()), whatever state it is in: parked, sleeping or
 * running (it is moved). For CPU hotplug, which breaks a thread's binding
 * when its CPU goes; the engine binds again when the CPU is back. A CPU on
 * its way down is taken as IRQLAB_ANY_CPU. May sleep.
 */
void irqlab_plat_thread_bind(struct irqlab_thread *thread, unsigned int cpu);
/* Called from the thread itself. */
bool irqlab_plat_thread_should_stop(void);
bool irqlab_plat_thread_should_park(void);
void irqlab_plat_thread_parkme(void);

/*
 * Sleeping until woken, without lost wake-ups: the thread announces the
 * sleep, re-checks its condition, and only then schedules; a wake between
 * the two makes the schedule return at once.
 */
void irqlab_plat_prepare_to_sleep(void);
void irqlab_plat_schedule(void);
/*
 * As irqlab_plat_schedule(), but returns after 'timeout_ns' at the latest
 * (schedule_hrtimeout()); the caller re-checks what it waits for.
 */
void irqlab_plat_schedule_timeout(uint64_t timeout_ns);
void irqlab_plat_finish_sleep(void);

/* --- The host's bottom half --------------------------------------------- */

/*
 * Where the engine runs what its irq_exit() left pending, as Linux's
 * irq_exit() does through invoke_softirq(): on the same CPU, once the
 * host's own hardirq handler has returned, in the host's softirq context
 * with interrupts on. Kernel: one HI tasklet per CPU (on PREEMPT_RT the
 * host runs it in its softirq thread); hosted: when the scheduling thread
 * next enables interrupts, as a host's irq_exit follows its handler.
 *
 * Scheduling is idempotent until the function runs; it is called with
 * interrupts off and queues on the calling CPU. Create and destroy may
 * sleep; destroy waits for a scheduled or running call, and the caller
 * guarantees no schedule races with it.
 */
struct irqlab_bottom_half;
typedef void (*irqlab_bh_fn)(void *arg);
struct irqlab_bottom_half *irqlab_plat_bh_create(irqlab_bh_fn fn, void *arg);
void irqlab_plat_bh_destroy(struct irqlab_bottom_half *bh);
void irqlab_plat_bh_schedule_irqoff(struct irqlab_bottom_half *bh);

/* --- CPU hotplug (tests) ------------------------------------------------ */

/*
 * Takes 'cpu' offline and brings it back, calling 'ops' at the engine's
 * three hotplug steps (see irqlab_engine_cpu_* in irqlab/core.h):
 * down_prep on the dying CPU, dead on a live CPU once it is gone, and
 * online on the CPU when it is back. 'while_offline' runs in between.
 * Kernel: two dynamic cpuhp states registered for the call, remove_cpu()
 * and add_cpu(); hosted: the simulated CPU goes offline. For the shared
 * test cases; the module registers its engine's states itself
 * (module/hotplug.c). May sleep; 0 or a negative errno (the CPU cannot go
 * offline: the boot CPU, or the only one).
 */
struct irqlab_hotplug_ops {
	void (*online)(void *ctx, unsigned int cpu);
	void (*down_prep)(void *ctx, unsigned int cpu);
	void (*dead)(void *ctx, unsigned int cpu);
	void (*while_offline)(void *ctx, unsigned int cpu);
};

int irqlab_plat_cpu_cycle(unsigned int cpu, const struct irqlab_hotplug_ops *ops, void *ctx);

/* --- Interrupt lines ------------------------------------------------------ */

/*
 * A real interrupt vector the glue owns (hosted: a test double). The
 * engine's MSI-X chip keeps the vector's mask and pending bits itself (see
 * core/engine/msix_chip.h); what it asks of the real vector is where it
 * points.
 */
struct irqlab_line;
/* Points the line at one CPU; 0 or negative errno. */
int irqlab_plat_line_set_affinity(struct irqlab_line *line, unsigned int cpu);
/*
 * Moves the calling thread to the CPUs the line's interrupts are delivered
 * to (the vector's effective affinity), unless it is there already or none
 * of them is online. From a thread, interrupts on; may sleep.
 */
void irqlab_plat_thread_follow_line(struct irqlab_line *line);

#ifdef __cplusplus
}
#endif

#endif /* IRQLAB_PLATFORM_H */
