// SPDX-License-Identifier: GPL-2.0
/*
 * Platform interface: spinlocks for the C++ core.
 *
 * The core's locks are raw spinlocks, as Linux's irq_desc, timer base and
 * worker pool locks are: the engine's hardirq path takes them in a hard
 * interrupt (IRQLAB_VECTOR_IRQF), where PREEMPT_RT must not sleep, so the
 * core holds them only briefly and never calls anything that sleeps on RT
 * while it does (CONFIG_PROVE_RAW_LOCK_NESTING checks that on any kernel).
 *
 * Locks are allocated here because their size depends on the debug
 * options. Lockdep needs a statically allocated key per lock class; C code
 * gets one per spin_lock_init() call site. The core names its classes with
 * string objects instead, and each distinct string object gets its own key
 * from a fixed table.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/lockdep.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "irqlab/platform.h"

struct irqlab_spinlock {
	raw_spinlock_t lock;	/* the lock itself; nothing else lives here */
};

#define IRQLAB_LOCK_CLASSES 32

static struct lock_class_key irqlab_lock_keys[IRQLAB_LOCK_CLASSES];
static const char *irqlab_lock_names[IRQLAB_LOCK_CLASSES];
static struct lock_class_key irqlab_lock_overflow_key;
static DEFINE_SPINLOCK(irqlab_lock_classes);

static struct lock_class_key *irqlab_lock_key(const char *lock_class)
{
	struct lock_class_key *key = &irqlab_lock_overflow_key;
	unsigned long flags;
	int i;

	spin_lock_irqsave(&irqlab_lock_classes, flags);
	for (i = 0; i < IRQLAB_LOCK_CLASSES; i++) {
		if (!irqlab_lock_names[i])
			irqlab_lock_names[i] = lock_class;
		if (irqlab_lock_names[i] == lock_class) {
			key = &irqlab_lock_keys[i];
			break;
		}
	}
	spin_unlock_irqrestore(&irqlab_lock_classes, flags);

	if (key == &irqlab_lock_overflow_key)
		pr_warn_once("more than %d lock classes; %s shares a class\n",
			     IRQLAB_LOCK_CLASSES, lock_class);
	return key;
}

struct irqlab_spinlock *irqlab_plat_spin_create(const char *lock_class,
						enum irqlab_alloc_ctx ctx)
{
	gfp_t gfp = ctx == IRQLAB_ALLOC_MAY_SLEEP ? GFP_KERNEL : GFP_ATOMIC;
	struct irqlab_spinlock *lock = kmalloc(sizeof(*lock), gfp);

	if (!lock)
		return NULL;
	raw_spin_lock_init(&lock->lock);
	lockdep_set_class_and_name(&lock->lock, irqlab_lock_key(lock_class),
				   lock_class);
	return lock;
}

void irqlab_plat_spin_destroy(struct irqlab_spinlock *lock)
{
	kfree(lock);
}

unsigned long irqlab_plat_spin_lock_irqsave(struct irqlab_spinlock *lock)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&lock->lock, flags);
	return flags;
}

void irqlab_plat_spin_unlock_irqrestore(struct irqlab_spinlock *lock,
					unsigned long flags)
{
	raw_spin_unlock_irqrestore(&lock->lock, flags);
}

void irqlab_plat_spin_assert_held(struct irqlab_spinlock *lock)
{
	lockdep_assert_held(&lock->lock);
}
