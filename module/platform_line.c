// SPDX-License-Identifier: GPL-2.0
/*
 * The platform interface's interrupt lines: the engine's MSI-X chip points
 * a claimed vector at a CPU through the kernel's own interrupt core. Its
 * mask and pending bits live in the engine (core/engine/msix_chip.h).
 */
#include <linux/cpumask.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/sched.h>

#include "irqlab/platform.h"
#include "device.h"

void irqlab_plat_thread_follow_line(struct irqlab_line *line)
{
	struct irq_data *data = irq_get_irq_data(line->irq);
	const struct cpumask *where;

	might_sleep();
	if (!data)
		return;
	where = irq_data_get_effective_affinity_mask(data);
	if (cpumask_empty(where))
		where = irq_data_get_affinity_mask(data);
	if (cpumask_equal(current->cpus_ptr, where) ||
	    !cpumask_intersects(where, cpu_online_mask))
		return;
	set_cpus_allowed_ptr(current, where);
}

int irqlab_plat_line_set_affinity(struct irqlab_line *line, unsigned int cpu)
{
	if (cpu >= nr_cpu_ids || !cpu_online(cpu))
		return -EINVAL;
	return irqlab_irq_set_affinity(line->irq, cpumask_of(cpu));
}
