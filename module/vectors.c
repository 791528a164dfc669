// SPDX-License-Identifier: GPL-2.0
/*
 * A claimed device's MSI-X vectors: allocation, the hardirq handler that
 * counts each arrival, affinity, and the per-CPU counters.
 */
#include <linux/bitmap.h>
#include <linux/cpumask.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/mm.h>
#include <linux/msi.h>
#include <linux/percpu.h>
#include <linux/slab.h>

#include "irqlab/core.h"
#include "device.h"
#include "irqlab_trace.h"
#include "uarray.h"

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
		ret = irqlab_native_hardirq(vec, vec->native.mech);
	}
	/*
	 * Delivered only now: the next trigger's t0 must not be stamped before
	 * this interrupt's t1 took its own. Nothing in flight: unexpected
	 * (uapi.h, irqlab_counters_missing()).
	 */
	if (atomic_dec_if_positive(&vec->outstanding) < 0)
		this_cpu_inc(vec->counters->unexpected);
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
	/* Every vector of the table (at most 2048, IRQLAB_MAX_VECTORS). */
	dev->table_size = nr;
	nr = min(nr, IRQLAB_MAX_VECTORS);
	dev->vectors = kvcalloc(nr, sizeof(*dev->vectors), GFP_KERNEL);
	if (!dev->vectors)
		return -ENOMEM;
	dev->nr_vectors = nr;
	for (i = 0; i < nr; i++) {
		struct irqlab_vector *vec = &dev->vectors[i];

		vec->dev = dev;
		vec->index = i;
		atomic_set(&vec->outstanding, 0);
		vec->counters = alloc_percpu(struct irqlab_counters);
		if (!vec->counters || irqlab_measure_init_vector(vec))
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
		ret = request_irq(vec->irq, irqlab_vector_irq, IRQLAB_VECTOR_IRQF, vec->name,
				  vec);
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

int irqlab_vectors_read(const struct irqlab_device *dev, const struct irqlab_array *arr,
			unsigned long **vectors)
{
	return irqlab_bitmap_read(arr, dev->nr_vectors, vectors);
}

int irqlab_vectors_apply(struct irqlab_device *dev, const struct irqlab_array *arr,
			 int (*op)(struct irqlab_device *dev, const unsigned long *vectors))
{
	unsigned long *vectors;
	int ret;

	ret = irqlab_vectors_read(dev, arr, &vectors);
	if (ret)
		return ret;
	ret = op(dev, vectors);
	bitmap_free(vectors);
	return ret;
}

int irqlab_vector_info(struct irqlab_device *dev, struct irqlab_vector_info *info)
{
	struct irqlab_vector *vec;
	struct irq_data *data;
	int ret, ret2;

	if (info->vector >= dev->nr_vectors)
		return -ERANGE;
	vec = &dev->vectors[info->vector];
	data = irq_get_irq_data(vec->irq);
	info->nr_vectors = dev->nr_vectors;
	info->irq = vec->irq;
	info->triggers = irqlab_triggers_supported(dev);
	if (!data) {
		/* No affinity known: empty answers. */
		info->affinity.nr = 0;
		info->effective_affinity.nr = 0;
		return 0;
	}
	ret = irqlab_bitmap_write(&info->affinity,
				  cpumask_bits(irq_data_get_affinity_mask(data)), nr_cpu_ids);
	ret2 = irqlab_bitmap_write(&info->effective_affinity,
				   cpumask_bits(irq_data_get_effective_affinity_mask(data)),
				   nr_cpu_ids);
	return ret ?: ret2;
}

#ifdef CONFIG_X86
/* The CPU whose local APIC has 'apic_id', or -1. */
static int irqlab_cpu_of_apic_id(u32 apic_id)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		if (cpu_physical_id(cpu) == apic_id)
			return cpu;
	return -1;
}

/* The vector domain's assignment: irqd_cfg() walks down to its irq_data. */
static void irqlab_route_x86(unsigned int irq, const struct msi_msg *msg,
			     struct irqlab_vector_route *route)
{
	struct irq_data *data = irq_get_irq_data(irq);
	struct irq_cfg *cfg = data ? irqd_cfg(data) : NULL;

	if (msg->arch_addr_lo.dmar_format)
		route->flags |= IRQLAB_ROUTE_REMAPPED;
	if (!cfg)
		return;
	route->flags |= IRQLAB_ROUTE_X86;
	route->host_vector = READ_ONCE(cfg->vector);
	route->apic_id = READ_ONCE(cfg->dest_apicid);
	if (!msg->arch_addr_lo.dmar_format && msg->arch_addr_lo.dest_mode_logical) {
		/* A logical ID names no one CPU: the target is the effective one. */
		const struct cpumask *target = irq_data_get_effective_affinity_mask(data);

		route->flags |= IRQLAB_ROUTE_LOGICAL;
		route->cpu = cpumask_weight(target) == 1 ? cpumask_first(target) : -1;
		return;
	}
	route->cpu = irqlab_cpu_of_apic_id(route->apic_id);
}
#else
static void irqlab_route_x86(unsigned int irq, const struct msi_msg *msg,
			     struct irqlab_vector_route *route)
{
}
#endif

int irqlab_vector_route(struct irqlab_device *dev, struct irqlab_vector_route *route)
{
	unsigned int irq;
	struct msi_msg msg;

	if (route->vector >= dev->nr_vectors)
		return -ERANGE;
	irq = dev->vectors[route->vector].irq;
	get_cached_msi_msg(irq, &msg);
	route->flags = 0;
	route->msi_address_lo = msg.address_lo;
	route->msi_address_hi = msg.address_hi;
	route->msi_data = msg.data;
	route->host_vector = 0;
	route->apic_id = 0;
	route->cpu = -1;
	irqlab_route_x86(irq, &msg, route);
	return 0;
}

/*
 * A managed interrupt (a --spread claim) keeps the affinity the kernel
 * gave it, as /proc/irq/N/smp_affinity does (irq_can_set_affinity_usr:
 * EIO). x86's vector matrix reserved it on those CPUs, and freeing it
 * returns the reservation on whatever the mask says then: moved, the
 * free warns in irq_matrix_remove_managed and the accounting is off (the
 * ioctl fuzzer's finding). Asking for the affinity it has is no change.
 */
int irqlab_irq_set_affinity(unsigned int irq, const struct cpumask *cpus)
{
	struct irq_data *data = irq_get_irq_data(irq);

	if (data && irqd_affinity_is_managed(data))
		return cpumask_equal(cpus, irq_data_get_affinity_mask(data)) ? 0 : -EIO;
	return irq_set_affinity(irq, cpus);
}

int irqlab_vector_set_affinity(struct irqlab_device *dev, unsigned int vector,
			       const struct cpumask *cpus)
{
	if (vector >= dev->nr_vectors)
		return -ERANGE;
	if (cpumask_empty(cpus) || !cpumask_subset(cpus, cpu_online_mask))
		return -ERANGE;
	return irqlab_irq_set_affinity(dev->vectors[vector].irq, cpus);
}

/*
 * One row per CPU id, straight to the caller's array: no buffer of
 * nr_cpu_ids rows in the kernel. A CPU that is not possible reads zero.
 */
int irqlab_vector_stats(struct irqlab_device *dev, struct irqlab_vector_stats *stats)
{
	struct irqlab_counters row;
	struct irqlab_vector *vec;
	unsigned int cpu;
	int ret;

	if (stats->vector >= dev->nr_vectors)
		return -ERANGE;
	if (stats->pad)
		return -EINVAL;
	vec = &dev->vectors[stats->vector];
	ret = irqlab_array_fits(&stats->cpus, nr_cpu_ids);
	if (ret)
		return ret;
	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		if (cpu_possible(cpu))
			row = *per_cpu_ptr(vec->counters, cpu);
		else
			memset(&row, 0, sizeof(row));
		ret = irqlab_array_put(&stats->cpus, cpu, &row, sizeof(row));
		if (ret)
			return ret;
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
