// SPDX-License-Identifier: GPL-2.0
/*
 * The platform interface's interrupt lines: the engine's MSI-X chip masks
 * and points a claimed vector through the kernel's own interrupt core.
 *
 * Masking is disable_irq_nosync(): safe from the vector's own handler, and
 * the kernel masks the MSI-X entry at the next arrival (lazy disable) and
 * replays one that arrived meanwhile at enable_irq(), as an MSI-X pending
 * bit would. The engine's mask is a bit, the kernel's disable a count, so
 * only changes of the bit reach the kernel.
 */
#include <linux/bitops.h>
#include <linux/cpumask.h>
#include <linux/interrupt.h>

#include "irqlab/platform.h"
#include "device.h"

#define IRQLAB_LINE_MASKED_BIT	0

void irqlab_plat_line_mask(struct irqlab_line *line)
{
	if (!test_and_set_bit(IRQLAB_LINE_MASKED_BIT, &line->state))
		disable_irq_nosync(line->irq);
}

void irqlab_plat_line_unmask(struct irqlab_line *line)
{
	if (test_and_clear_bit(IRQLAB_LINE_MASKED_BIT, &line->state))
		enable_irq(line->irq);
}

int irqlab_plat_line_set_affinity(struct irqlab_line *line, unsigned int cpu)
{
	if (cpu >= nr_cpu_ids || !cpu_online(cpu))
		return -EINVAL;
	return irq_set_affinity(line->irq, cpumask_of(cpu));
}
