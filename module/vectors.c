// SPDX-License-Identifier: GPL-2.0
/*
 * A claimed device's MSI-X vectors: allocation, the hardirq handler that
 * counts each arrival, affinity, and the per-CPU counters.
 */
#include <linux/cpumask.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/percpu.h>
#include <linux/slab.h>

#include "irqlab/core.h"
#include "device.h"
#include "irqlab_trace.h"

/*
 * Every claimed vector's handler: counts the arrival, then hands it to the
 * engine or to the native mechanism it is attached to. Its own duration is
 * the hardirq metric of both paths (docs/measuring.md).
 */
irqreturn_t irqlab_vector_irq(int irq, void *data)
{
	struct irqlab_vector *vec = data;
	bool engine = READ_ONCE(vec->engine_attached);
	/* Pairs with native.c's publishing store: its tasklet or work is ready. */
	bool native = smp_load_acquire(&vec->native.attached);
	/* Measured only while a path takes it: then every arrival reaches a t1. */
	bool measured = READ_ONCE(vec->measure.attached) &&
			(engine || native);
	u64 entry = measured ? irqlab_measure_now() : 0;
	u32 path = engine ? IRQLAB_PATH_ENGINE : IRQLAB_PATH_NATIVE;
	u32 mech = measured ? vec->measure.mech : IRQLAB_MECH_NONE;
	irqreturn_t ret = IRQ_HANDLED;

	trace_irqlab_hardirq_entry(irq, vec->name, path, mech, vec->index);
	irqlab_measure_set_current(vec);
	this_cpu_inc(vec->counters->received);
	this_cpu_inc(vec->counters->handled);
	if (engine) {
		irqlab_engine_handle(vec->dev->engine_domain, vec->index);
	} else if (native) {
		irqlab_measure_t1(vec);
		irqlab_native_hardirq(vec, vec->native.mech);
	}
	/*
	 * Delivered only now: the next trigger's t0 must not be stamped before
	 * this interrupt's t1 took its own.
	 */
	atomic_dec_if_positive(&vec->outstanding);
	irqlab_measure_set_current(NULL);
	if (measured)
		irqlab_measure_hardirq(vec, entry);
	trace_irqlab_hardirq_exit(irq, ret, path, mech, vec->index);
	return ret;
}

static int irqlab_alloc_vectors(struct pci_dev *pdev, int nr, bool spread)
{
	struct irq_affinity affinity = { };
	int cpus = num_online_cpus();

	if (!spread)
		return pci_alloc_irq_vectors(pdev, nr, nr, PCI_IRQ_MSIX);
	/*
	 * Spreading yields at most one vector per CPU; the rest become
	 * pre-vectors with default affinity, so that every vector is taken.
	 */
	affinity.pre_vectors = nr > cpus ? nr - cpus : 0;
	return pci_alloc_irq_vectors_affinity(pdev, nr, nr,
					      PCI_IRQ_MSIX | PCI_IRQ_AFFINITY,
					      &affinity);
}

int irqlab_vectors_setup(struct irqlab_device *dev, bool spread)
{
	struct pci_dev *pdev = dev->pdev;
	int nr = pci_msix_vec_count(pdev);
	int ret, i;

	if (nr <= 0)
		return -EOPNOTSUPP;
	nr = min(nr, IRQLAB_MAX_VECTORS);
	dev->vectors = kcalloc(nr, sizeof(*dev->vectors), GFP_KERNEL);
	if (!dev->vectors)
		return -ENOMEM;
	dev->nr_vectors = nr;
	for (i = 0; i < nr; i++) {
		struct irqlab_vector *vec = &dev->vectors[i];

		vec->dev = dev;
		vec->index = i;
		irqlab_measure_init_vector(vec);
		atomic_set(&vec->outstanding, 0);
		vec->counters = alloc_percpu(struct irqlab_counters);
		if (!vec->counters)
			return -ENOMEM;	/* freed with the device */
		snprintf(vec->name, sizeof(vec->name), "irqlab-%s-v%d", dev->bdf, i);
	}

	ret = irqlab_alloc_vectors(pdev, nr, spread);
	if (ret < 0)
		return ret;
	for (i = 0; i < nr; i++) {
		struct irqlab_vector *vec = &dev->vectors[i];

		vec->irq = pci_irq_vector(pdev, i);
		vec->line.irq = vec->irq;
		ret = request_irq(vec->irq, irqlab_vector_irq, 0, vec->name, vec);
		if (ret) {
			while (--i >= 0)
				free_irq(dev->vectors[i].irq, &dev->vectors[i]);
			pci_free_irq_vectors(pdev);
			return ret;
		}
	}
	dev->irqs_requested = true;
	return 0;
}

void irqlab_vectors_teardown(struct irqlab_device *dev)
{
	unsigned int i;

	if (!dev->irqs_requested)
		return;
	irqlab_engine_device_teardown(dev);
	irqlab_mech_device_teardown(dev);
	for (i = 0; i < dev->nr_vectors; i++)
		if (!dev->vectors[i].irq_lost)
			free_irq(dev->vectors[i].irq, &dev->vectors[i]);
	pci_free_irq_vectors(dev->pdev);
	dev->irqs_requested = false;
}

/* Vectors are a u64 mask, so a device with 64 or more has no bit past it. */
int irqlab_vectors_valid(const struct irqlab_device *dev, u64 vectors)
{
	if (!vectors)
		return -EINVAL;
	if (dev->nr_vectors < 64 && vectors >> dev->nr_vectors)
		return -ERANGE;
	return 0;
}

static u64 irqlab_mask_bits(const struct cpumask *mask)
{
	u64 bits = 0;
	int cpu;

	for_each_cpu(cpu, mask) {
		if (cpu >= 64)
			break;
		bits |= BIT_ULL(cpu);
	}
	return bits;
}

int irqlab_vector_info(struct irqlab_device *dev, struct irqlab_vector_info *info)
{
	struct irqlab_vector *vec;
	struct irq_data *data;

	if (info->vector >= dev->nr_vectors)
		return -ERANGE;
	vec = &dev->vectors[info->vector];
	data = irq_get_irq_data(vec->irq);
	info->nr_vectors = dev->nr_vectors;
	info->irq = vec->irq;
	info->triggers = irqlab_triggers_supported(dev);
	if (data) {
		info->affinity = irqlab_mask_bits(irq_data_get_affinity_mask(data));
		info->effective_affinity =
			irqlab_mask_bits(irq_data_get_effective_affinity_mask(data));
	}
	return 0;
}

int irqlab_vector_set_affinity(struct irqlab_device *dev, unsigned int vector,
			       u64 cpus)
{
	cpumask_var_t mask;
	int cpu, ret;

	if (vector >= dev->nr_vectors)
		return -ERANGE;
	if (!zalloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	for (cpu = 0; cpu < min(64U, nr_cpu_ids); cpu++)
		if (cpus & BIT_ULL(cpu))
			cpumask_set_cpu(cpu, mask);
	if (cpumask_empty(mask) || !cpumask_subset(mask, cpu_online_mask) ||
	    (nr_cpu_ids < 64 && cpus >> nr_cpu_ids))
		ret = -ERANGE;
	else
		ret = irq_set_affinity(dev->vectors[vector].irq, mask);
	free_cpumask_var(mask);
	return ret;
}

int irqlab_vector_stats(struct irqlab_device *dev, struct irqlab_vector_stats *stats)
{
	struct irqlab_vector *vec;
	unsigned int cpu;

	if (stats->vector >= dev->nr_vectors)
		return -ERANGE;
	vec = &dev->vectors[stats->vector];
	stats->nr_cpus = min_t(unsigned int, nr_cpu_ids, IRQLAB_MAX_CPUS);
	for_each_possible_cpu(cpu) {
		if (cpu >= IRQLAB_MAX_CPUS)
			break;
		stats->cpu[cpu] = *per_cpu_ptr(vec->counters, cpu);
	}
	return 0;
}

void irqlab_vectors_reset(struct irqlab_device *dev)
{
	unsigned int i, cpu;

	for (i = 0; i < dev->nr_vectors; i++) {
		atomic_set(&dev->vectors[i].outstanding, 0);
		for_each_possible_cpu(cpu)
			memset(per_cpu_ptr(dev->vectors[i].counters, cpu), 0,
			       sizeof(struct irqlab_counters));
	}
}
