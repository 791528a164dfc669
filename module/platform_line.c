// SPDX-License-Identifier: GPL-2.0
/*
 * The platform interface's interrupt lines: the engine's MSI-X chip points
 * a claimed vector at a CPU through the kernel's own interrupt core. Its
 * mask and pending bits live in the engine (core/engine/msix_chip.h).
 */
#include <linux/cpumask.h>
#include <linux/interrupt.h>

#include "irqlab/platform.h"
#include "device.h"

int irqlab_plat_line_set_affinity(struct irqlab_line *line, unsigned int cpu)
{
	if (cpu >= nr_cpu_ids || !cpu_online(cpu))
		return -EINVAL;
	return irq_set_affinity(line->irq, cpumask_of(cpu));
}
