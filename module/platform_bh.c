// SPDX-License-Identifier: GPL-2.0
/*
 * Platform interface: the host's bottom half, one HI tasklet per CPU.
 *
 * The engine's irq_exit() runs inside irqlab's hardirq handler; what it
 * would process there runs here instead, after the host's irq_exit() has
 * re-enabled interrupts (HI_SOFTIRQ, the first slot of the host's round).
 * A tasklet runs on the CPU that scheduled it; a CPU going offline hands
 * its queued tasklets to a live one (takeover_tasklets), where the
 * function then serves that CPU.
 */
#include <linux/interrupt.h>
#include <linux/percpu.h>
#include <linux/slab.h>

#include "irqlab/platform.h"

struct irqlab_bh_cpu {
	struct tasklet_struct tasklet;
	struct irqlab_bottom_half *bh;
};

struct irqlab_bottom_half {
	irqlab_bh_fn fn;
	void *arg;
	struct irqlab_bh_cpu __percpu *cpus;
};

static void irqlab_bh_run(struct tasklet_struct *tasklet)
{
	struct irqlab_bh_cpu *cpu = from_tasklet(cpu, tasklet, tasklet);

	cpu->bh->fn(cpu->bh->arg);
}

struct irqlab_bottom_half *irqlab_plat_bh_create(irqlab_bh_fn fn, void *arg)
{
	struct irqlab_bottom_half *bh;
	unsigned int cpu;

	might_sleep();
	bh = kzalloc(sizeof(*bh), GFP_KERNEL);
	if (!bh)
		return NULL;
	bh->cpus = alloc_percpu(struct irqlab_bh_cpu);
	if (!bh->cpus) {
		kfree(bh);
		return NULL;
	}
	bh->fn = fn;
	bh->arg = arg;
	for_each_possible_cpu(cpu) {
		struct irqlab_bh_cpu *slot = per_cpu_ptr(bh->cpus, cpu);

		slot->bh = bh;
		tasklet_setup(&slot->tasklet, irqlab_bh_run);
	}
	return bh;
}

void irqlab_plat_bh_destroy(struct irqlab_bottom_half *bh)
{
	unsigned int cpu;

	if (!bh)
		return;
	for_each_possible_cpu(cpu)
		tasklet_kill(&per_cpu_ptr(bh->cpus, cpu)->tasklet);
	free_percpu(bh->cpus);
	kfree(bh);
}

void irqlab_plat_bh_schedule_irqoff(struct irqlab_bottom_half *bh)
{
	lockdep_assert_irqs_disabled();
	tasklet_hi_schedule(&this_cpu_ptr(bh->cpus)->tasklet);
}
