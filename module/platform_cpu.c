// SPDX-License-Identifier: GPL-2.0
/*
 * Platform interface: CPUs, interrupt and preemption state, sleeping, and
 * the clock. Each function wraps one kernel macro or inline.
 */
#include <linux/cpumask.h>
#include <linux/hrtimer.h>
#include <linux/irqflags.h>
#include <linux/kernel.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/timekeeping.h>

#include "irqlab/platform.h"

unsigned int irqlab_plat_cpu_id(void)
{
	/* Callers that need stability disable preemption first. */
	return raw_smp_processor_id();
}

unsigned int irqlab_plat_nr_cpu_ids(void)
{
	return nr_cpu_ids;
}

bool irqlab_plat_cpu_online(unsigned int cpu)
{
	return cpu < nr_cpu_ids && cpu_online(cpu);
}

/*
 * Not on its way down either: the scheduler starts moving threads that
 * are not the kernel's per-CPU kthreads off a CPU once it is dying, which
 * is before sched_cpu_deactivate() clears its active bit.
 */
bool irqlab_plat_cpu_active(unsigned int cpu)
{
	return cpu < nr_cpu_ids && cpu_active(cpu) && !cpu_dying(cpu);
}

unsigned long irqlab_plat_irq_save(void)
{
	unsigned long flags;

	local_irq_save(flags);
	return flags;
}

void irqlab_plat_irq_restore(unsigned long flags)
{
	local_irq_restore(flags);
}

bool irqlab_plat_irqs_disabled(void)
{
	return irqs_disabled();
}

void irqlab_plat_preempt_disable(void)
{
	preempt_disable();
}

void irqlab_plat_preempt_enable(void)
{
	preempt_enable();
}

void irqlab_plat_might_sleep(void)
{
	might_sleep();
}

bool irqlab_plat_need_resched(void)
{
	return need_resched();
}

void irqlab_plat_cond_resched(void)
{
	cond_resched();
}

uint64_t irqlab_plat_clock_ns(void)
{
	return ktime_get_ns();
}

/*
 * TASK_INTERRUPTIBLE: these sleeps are waits for work, which the hung-task
 * detector must not report; kernel threads ignore signals anyway.
 */
void irqlab_plat_prepare_to_sleep(void)
{
	set_current_state(TASK_INTERRUPTIBLE);
}

void irqlab_plat_schedule(void)
{
	schedule();
}

void irqlab_plat_schedule_timeout(uint64_t timeout_ns)
{
	ktime_t expires = ns_to_ktime(timeout_ns);

	schedule_hrtimeout(&expires, HRTIMER_MODE_REL);
}

void irqlab_plat_finish_sleep(void)
{
	__set_current_state(TASK_RUNNING);
}
