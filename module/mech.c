// SPDX-License-Identifier: GPL-2.0
/*
 * Measured mechanisms (IRQLAB_IOC_MECH_*): a vector's interrupts deferred
 * through one mechanism, by the engine (an engine line with the matching
 * action) or by the native kernel (native.c), and measured the same way,
 * into the histograms of the open file that attached them, which owns
 * them: its close detaches them (file.c). Called with dev->lock held.
 */
#include <linux/bitmap.h>

#include "device.h"

/* The engine action that is the mechanism's twin (docs/measuring.md). */
static void irqlab_engine_twin(u32 mech, struct irqlab_engine_attach *req)
{
	static const struct {
		u32 action;
		u32 work;
	} twins[IRQLAB_NR_MECHS] = {
		/* The tasklet raises the engine's TASKLET softirq. */
		[IRQLAB_MECH_SOFTIRQ] = { IRQLAB_ACTION_TASKLET },
		[IRQLAB_MECH_TASKLET] = { IRQLAB_ACTION_TASKLET },
		[IRQLAB_MECH_TASKLET_HI] = { IRQLAB_ACTION_TASKLET_HI },
		/* A line's workqueue of its own, per-CPU like system_wq. */
		[IRQLAB_MECH_WQ_SYSTEM] = { IRQLAB_ACTION_WORK, IRQLAB_WORK_PERCPU },
		[IRQLAB_MECH_WQ_HIGHPRI] = { IRQLAB_ACTION_WORK, IRQLAB_WORK_HIGHPRI },
		[IRQLAB_MECH_WQ_UNBOUND] = { IRQLAB_ACTION_WORK, IRQLAB_WORK_UNBOUND },
		[IRQLAB_MECH_WQ_PERCPU] = { IRQLAB_ACTION_WORK, IRQLAB_WORK_PERCPU },
		[IRQLAB_MECH_WQ_ORDERED] = { IRQLAB_ACTION_WORK, IRQLAB_WORK_ORDERED },
		[IRQLAB_MECH_WQ_BH] = { IRQLAB_ACTION_WORK, IRQLAB_WORK_BH },
		[IRQLAB_MECH_THREAD] = { IRQLAB_ACTION_THREAD },
		[IRQLAB_MECH_THREAD_ONESHOT] = { IRQLAB_ACTION_THREAD },
	};

	req->action = twins[mech].action;
	req->work = twins[mech].work;
	req->flow = IRQLAB_FLOW_EDGE;	/* MSI-X is edge */
	req->flags = mech == IRQLAB_MECH_THREAD_ONESHOT ? IRQLAB_ATTACH_ONESHOT : 0;
}

static int irqlab_mech_attach_engine(struct irqlab_device *dev,
				     const struct irqlab_mech_attach *req,
				     const unsigned long *vectors,
				     struct irqlab_file *owner, struct irqlab_hist_set *hists)
{
	struct irqlab_engine_attach engine = { };
	unsigned int i;
	int ret;

	irqlab_engine_twin(req->mechanism, &engine);
	/* Measured from the first interrupt the engine line sees. */
	for_each_set_bit(i, vectors, dev->nr_vectors)
		irqlab_measure_start(&dev->vectors[i], req->mechanism, IRQLAB_PATH_ENGINE, hists);
	ret = irqlab_engine_attach_vectors(dev, &engine, vectors, owner);
	if (!ret)
		return 0;
	for_each_set_bit(i, vectors, dev->nr_vectors)
		if (dev->vectors[i].measure.attached)
			irqlab_measure_stop(&dev->vectors[i]);
	return ret;
}

static int irqlab_mech_attach_native(struct irqlab_device *dev,
				     const struct irqlab_mech_attach *req,
				     const unsigned long *vectors,
				     struct irqlab_file *owner, struct irqlab_hist_set *hists)
{
	unsigned int i, j;
	int ret = 0;

	for_each_set_bit(i, vectors, dev->nr_vectors) {
		ret = irqlab_native_attach(&dev->vectors[i], req->mechanism, hists);
		if (ret)
			break;
		dev->vectors[i].owner = owner;
	}
	if (!ret)
		return 0;
	/* Undo the ones before 'i': none of them was attached before. */
	for_each_set_bit(j, vectors, i)
		irqlab_native_detach(&dev->vectors[j]);
	return ret;
}

int irqlab_mech_attach(struct irqlab_device *dev, const struct irqlab_mech_attach *req,
		       const unsigned long *vectors, struct irqlab_file *owner,
		       struct irqlab_hist_set *hists)
{
	unsigned int i;

	if (req->flags || req->pad || req->mechanism >= IRQLAB_NR_MECHS ||
	    req->path >= IRQLAB_NR_PATHS)
		return -EINVAL;
	for_each_set_bit(i, vectors, dev->nr_vectors) {
		const struct irqlab_vector *vec = &dev->vectors[i];

		if (vec->engine_attached || vec->native.attached)
			return -EBUSY;
	}
	if (req->path == IRQLAB_PATH_ENGINE)
		return irqlab_mech_attach_engine(dev, req, vectors, owner, hists);
	return irqlab_mech_attach_native(dev, req, vectors, owner, hists);
}

int irqlab_mech_detach(struct irqlab_device *dev, const unsigned long *vectors)
{
	unsigned int i;

	for_each_set_bit(i, vectors, dev->nr_vectors) {
		if (!dev->vectors[i].measure.attached)
			return -ENOENT;
	}
	for_each_set_bit(i, vectors, dev->nr_vectors) {
		struct irqlab_vector *vec = &dev->vectors[i];

		if (vec->engine_attached)
			irqlab_engine_detach_vector(dev, i);
		else
			irqlab_native_detach(vec);
	}
	return 0;
}

int irqlab_mech_stats_read(struct irqlab_device *dev, struct irqlab_mech_stats *stats)
{
	if (stats->vector >= dev->nr_vectors)
		return -ERANGE;
	return irqlab_measure_mech_stats(&dev->vectors[stats->vector], stats);
}

void irqlab_mech_device_teardown(struct irqlab_device *dev)
{
	unsigned int i;

	for (i = 0; i < dev->nr_vectors; i++)
		irqlab_native_detach(&dev->vectors[i]);
}
