// SPDX-License-Identifier: GPL-2.0
/*
 * Glue between claimed vectors and the C++ engine (irqlab/core.h): one
 * engine for the module, one engine domain per claimed device, and the
 * switch in each vector's native handler that feeds the engine.
 *
 * Attaching and detaching happen under dev->lock. A vector's handler reads
 * engine_attached without a lock: it is set only after the engine line is
 * complete, and cleared, followed by synchronize_irq(), before the engine
 * line is taken apart. A line belongs to the open file that attached it
 * (vec->owner) unless it was attached with IRQLAB_ATTACH_KEEP.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/bits.h>
#include <linux/cpu.h>
#include <linux/interrupt.h>
#include <linux/string.h>

#include "irqlab/core.h"
#include "device.h"
#include "uarray.h"

static struct irqlab_engine *irqlab_engine;

/* The ABI's action and flow numbers are the engine's. */
static_assert((int)IRQLAB_ACTION_COUNT == (int)IRQLAB_ENGINE_COUNT);
static_assert((int)IRQLAB_ACTION_NONE == (int)IRQLAB_ENGINE_NONE);
static_assert((int)IRQLAB_ACTION_SOFTIRQ == (int)IRQLAB_ENGINE_SOFTIRQ);
static_assert((int)IRQLAB_ACTION_TASKLET == (int)IRQLAB_ENGINE_TASKLET);
static_assert((int)IRQLAB_ACTION_TASKLET_HI == (int)IRQLAB_ENGINE_TASKLET_HI);
static_assert((int)IRQLAB_ACTION_WORK == (int)IRQLAB_ENGINE_WORK);
static_assert((int)IRQLAB_ACTION_THREAD == (int)IRQLAB_ENGINE_THREAD);
static_assert((int)IRQLAB_ACTION_NAPI == (int)IRQLAB_ENGINE_NAPI);
static_assert((int)IRQLAB_WORK_PERCPU == (int)IRQLAB_ENGINE_WORK_PERCPU);
static_assert((int)IRQLAB_WORK_UNBOUND == (int)IRQLAB_ENGINE_WORK_UNBOUND);
static_assert((int)IRQLAB_WORK_HIGHPRI == (int)IRQLAB_ENGINE_WORK_HIGHPRI);
static_assert((int)IRQLAB_WORK_ORDERED == (int)IRQLAB_ENGINE_WORK_ORDERED);
static_assert((int)IRQLAB_WORK_BH == (int)IRQLAB_ENGINE_WORK_BH);
static_assert((int)IRQLAB_WORK_DELAYED == (int)IRQLAB_ENGINE_WORK_DELAYED);
static_assert((int)IRQLAB_HOLD_NONE == (int)IRQLAB_ENGINE_HOLD_NONE);
static_assert((int)IRQLAB_HOLD_SLEEP == (int)IRQLAB_ENGINE_HOLD_SLEEP);
static_assert((int)IRQLAB_HOLD_SPIN == (int)IRQLAB_ENGINE_HOLD_SPIN);
static_assert(IRQLAB_ATTACH_ONESHOT == IRQLAB_ENGINE_ONESHOT);
static_assert(IRQLAB_ATTACH_MEM_RECLAIM == IRQLAB_ENGINE_MEM_RECLAIM);
static_assert(IRQLAB_NAPI_HIST == IRQLAB_ENGINE_NAPI_HIST);
static_assert(IRQLAB_NAME_LEN == IRQLAB_ENGINE_NAME_LEN);
static_assert((int)IRQLAB_FLOW_FASTEOI == (int)IRQLAB_ENGINE_FLOW_FASTEOI);
static_assert((int)IRQLAB_FLOW_EDGE == (int)IRQLAB_ENGINE_FLOW_EDGE);
static_assert((int)IRQLAB_FLOW_LEVEL == (int)IRQLAB_ENGINE_FLOW_LEVEL);
static_assert((int)IRQLAB_NR_SOFTIRQS == (int)IRQLAB_ENGINE_NR_SOFTIRQS);
static_assert((int)IRQLAB_MAX_SHARED == (int)IRQLAB_ENGINE_MAX_SHARED);

/*
 * Under the hotplug lock: the engine starts its per-CPU threads for the
 * CPUs online now, and its cpuhp states (hotplug.c) follow every change
 * after that, with none in between (Linux's smpboot registration does the
 * same).
 */
int irqlab_engine_start(void)
{
	int ret = -ENOMEM;

	cpus_read_lock();
	irqlab_engine = irqlab_engine_create();
	/*
	 * PREEMPT_RT forces every handler that may be threaded into a thread
	 * (force_irqthreads() is always true there): the engine's twin of an
	 * RT kernel does the same. It can be turned off at run time.
	 */
	if (irqlab_engine && IS_ENABLED(CONFIG_PREEMPT_RT))
		irqlab_engine_set_forced_threading(irqlab_engine, true);
	if (irqlab_engine)
		ret = irqlab_hotplug_start(irqlab_engine);
	if (ret && irqlab_engine) {
		irqlab_engine_destroy(irqlab_engine);
		irqlab_engine = NULL;
	}
	cpus_read_unlock();
	return ret;
}

/* The states go first; no CPU comes or goes until the engine is gone. */
void irqlab_engine_stop(void)
{
	cpus_read_lock();
	irqlab_hotplug_stop();
	irqlab_engine_destroy(irqlab_engine);
	irqlab_engine = NULL;
	cpus_read_unlock();
}

static void irqlab_engine_detach_one(struct irqlab_device *dev, struct irqlab_vector *vec)
{
	vec->owner = NULL;
	WRITE_ONCE(vec->engine_attached, false);
	synchronize_irq(vec->irq);
	irqlab_engine_detach(dev->engine_domain, vec->index);
	/* A measured engine line (mech.c) ends its measuring with the line. */
	if (vec->measure.attached)
		irqlab_measure_stop(vec);
}

/* The ABI's bounds; the engine checks what the values mean. */
static bool irqlab_attach_in_range(const struct irqlab_engine_attach *req)
{
	return req->softirq_rounds <= IRQLAB_MAX_SOFTIRQ_ROUNDS &&
	       req->hold_us <= IRQLAB_MAX_HOLD_US &&
	       req->delay_us <= IRQLAB_MAX_DELAY_US &&
	       req->napi_weight <= IRQLAB_MAX_NAPI_WEIGHT &&
	       req->napi_events <= IRQLAB_MAX_NAPI_EVENTS &&
	       !(req->flags & ~IRQLAB_ATTACH_FLAGS);
}

int irqlab_engine_attach_vectors(struct irqlab_device *dev,
				 const struct irqlab_engine_attach *req,
				 const unsigned long *vectors, struct irqlab_file *owner)
{
	struct irqlab_engine_attach_config config = {
		.action = req->action,
		.softirq = req->softirq,
		.softirq_rounds = req->softirq_rounds,
		.flow = req->flow,
		.shared_none = req->shared_none,
		.work = req->work,
		.hold = req->hold,
		.hold_us = req->hold_us,
		.delay_us = req->delay_us,
		.napi_weight = req->napi_weight,
		.napi_events = req->napi_events,
		/* Ownership is the glue's business, not the engine's. */
		.flags = req->flags & ~IRQLAB_ATTACH_KEEP,
	};
	unsigned int i, j;
	int ret = 0;

	if (!irqlab_attach_in_range(req))
		return -EINVAL;
	for_each_set_bit(i, vectors, dev->nr_vectors) {
		if (dev->vectors[i].engine_attached)
			return -EALREADY;
		/* Deferred natively (mech.c). */
		if (dev->vectors[i].native.attached)
			return -EBUSY;
	}
	if (!dev->engine_domain) {
		dev->engine_domain = irqlab_engine_domain_create(irqlab_engine, dev->bdf,
								 dev->nr_vectors);
		if (!dev->engine_domain)
			return -ENOMEM;
	}
	for_each_set_bit(i, vectors, dev->nr_vectors) {
		struct irqlab_vector *vec = &dev->vectors[i];

		ret = irqlab_engine_attach(dev->engine_domain, i, &vec->line, vec->name, &config);
		if (ret < 0)
			break;
		vec->owner = req->flags & IRQLAB_ATTACH_KEEP ? NULL : owner;
		WRITE_ONCE(vec->engine_attached, true);
		ret = 0;
	}
	if (!ret)
		return 0;
	/* Undo the ones before 'i': none of them was attached before. */
	for_each_set_bit(j, vectors, i)
		irqlab_engine_detach_one(dev, &dev->vectors[j]);
	return ret;
}

/* 0 when every vector in the set is attached. */
static int irqlab_vectors_attached(struct irqlab_device *dev, const unsigned long *vectors)
{
	unsigned int i;

	for_each_set_bit(i, vectors, dev->nr_vectors) {
		if (!dev->vectors[i].engine_attached)
			return -ENOENT;
	}
	return 0;
}

int irqlab_engine_detach_vectors(struct irqlab_device *dev, const unsigned long *vectors)
{
	unsigned int i;
	int ret;

	ret = irqlab_vectors_attached(dev, vectors);
	if (ret)
		return ret;
	for_each_set_bit(i, vectors, dev->nr_vectors)
		irqlab_engine_detach_one(dev, &dev->vectors[i]);
	return 0;
}

void irqlab_engine_detach_vector(struct irqlab_device *dev, unsigned int vector)
{
	if (vector < dev->nr_vectors && dev->vectors[vector].engine_attached)
		irqlab_engine_detach_one(dev, &dev->vectors[vector]);
}

int irqlab_engine_flush_vectors(struct irqlab_device *dev, const unsigned long *vectors)
{
	unsigned int i;
	int ret;

	ret = irqlab_vectors_attached(dev, vectors);
	if (ret)
		return ret;
	for_each_set_bit(i, vectors, dev->nr_vectors) {
		ret = irqlab_engine_flush(dev->engine_domain, i);
		if (ret)
			return ret;
	}
	return 0;
}

void irqlab_engine_device_teardown(struct irqlab_device *dev)
{
	unsigned int i;

	if (!dev->engine_domain)
		return;
	for (i = 0; i < dev->nr_vectors; i++) {
		if (dev->vectors[i].engine_attached)
			irqlab_engine_detach_one(dev, &dev->vectors[i]);
	}
	irqlab_engine_domain_destroy(dev->engine_domain);
	dev->engine_domain = NULL;
}

int irqlab_engine_line_info(struct irqlab_device *dev, struct irqlab_engine_line *info)
{
	struct irqlab_engine_line_stats stats;
	const struct irqlab_engine_line_stats *src = &stats;
	struct irqlab_engine_line *dst = info;
	unsigned int cpu, vector = info->vector;
	int ret;

	if (vector >= dev->nr_vectors)
		return -ERANGE;
	if (!dev->vectors[vector].engine_attached)
		return -ENOENT;
	ret = irqlab_engine_line_read(dev->engine_domain, vector, &stats);
	if (ret)
		return ret;
	info->pad = 0;
	info->virq = stats.virq;
	info->action = stats.action;
	info->softirq = stats.softirq;
	info->flow = stats.flow;
	info->shared_none = stats.shared_none_actions;
	info->softirq_rounds = stats.softirq_rounds;
	info->depth = stats.depth;
	info->flags = (stats.spurious_disabled ? IRQLAB_LINE_SPURIOUS_DISABLED : 0) |
		      (stats.masked ? IRQLAB_LINE_MASKED : 0) |
		      (stats.tasklet_state & 1 ? IRQLAB_LINE_TASKLET_SCHED : 0) |
		      (stats.tasklet_state & 2 ? IRQLAB_LINE_TASKLET_RUN : 0) |
		      (stats.thread_fifo ? IRQLAB_LINE_THREAD_FIFO : 0) |
		      (stats.thread_oneshot ? IRQLAB_LINE_THREAD_ONESHOT : 0) |
		      (stats.thread_forced ? IRQLAB_LINE_THREAD_FORCED : 0) |
		      (stats.napi_scheduled_now ? IRQLAB_LINE_NAPI_SCHED : 0);
	IRQLAB_LINE_IRQ_FIELDS(IRQLAB_SCHEMA_COPY)
	info->work = stats.work;
	info->hold = stats.hold;
	info->hold_us = stats.hold_us;
	info->delay_us = stats.delay_us;
	info->napi_weight = stats.napi_weight;
	info->napi_events = stats.napi_events;
	info->attach_flags = stats.flags;
	/* Not owned by a file: it stays until detached by hand. */
	if (!dev->vectors[vector].owner)
		info->attach_flags |= IRQLAB_ATTACH_KEEP;
	info->pad2 = 0;
	strscpy(info->workqueue_name, stats.workqueue_name, sizeof(info->workqueue_name));
	strscpy(info->thread_name, stats.thread_name, sizeof(info->thread_name));
	IRQLAB_LINE_DEFERRED_FIELDS(IRQLAB_SCHEMA_COPY)
	memcpy(info->napi_hist, stats.napi_hist, sizeof(info->napi_hist));
	/* One count per CPU id, straight to the caller's array. */
	ret = irqlab_array_fits(&info->count, nr_cpu_ids);
	for (cpu = 0; !ret && cpu < nr_cpu_ids; cpu++) {
		u64 count = cpu_possible(cpu) ?
			    irqlab_engine_line_count(dev->engine_domain, vector, cpu) : 0;

		ret = irqlab_array_put(&info->count, cpu, &count, sizeof(count));
	}
	return ret;
}

int irqlab_engine_softirq_info(struct irqlab_engine_softirqs *info)
{
	struct irqlab_engine_softirq_cpu stats;
	const struct irqlab_engine_softirq_cpu *src = &stats;
	struct irqlab_engine_softirqs *dst = info;
	unsigned int cpu = info->cpu, slot;
	int ret;

	if (cpu >= nr_cpu_ids)
		return -ERANGE;
	ret = irqlab_engine_softirq_read(irqlab_engine, cpu, &stats);
	if (ret)
		return ret;
	memset(info, 0, sizeof(*info));
	info->cpu = cpu;
	info->nr_cpus = nr_cpu_ids;
	info->pending = stats.pending;
	for (slot = 0; slot < IRQLAB_NR_SOFTIRQS; slot++) {
		struct irqlab_softirq_slot *dst = &info->slot[slot];
		const struct irqlab_engine_softirq_slot *src = &stats.slot[slot];

		strscpy(dst->name, irqlab_engine_softirq_name(slot), sizeof(dst->name));
		IRQLAB_SOFTIRQ_SLOT_FIELDS(IRQLAB_SCHEMA_COPY)
	}
	IRQLAB_SOFTIRQ_CPU_FIELDS(IRQLAB_SCHEMA_COPY)
	return 0;
}

int irqlab_engine_pool_info(struct irqlab_engine_pool *info)
{
	struct irqlab_engine_pool_stats stats;
	const struct irqlab_engine_pool_stats *src = &stats;
	struct irqlab_engine_pool *dst = info;
	unsigned int index = info->index;

	memset(info, 0, sizeof(*info));
	info->index = index;
	info->nr_pools = irqlab_engine_pool_read(irqlab_engine, index, &stats);
	if (index >= info->nr_pools)
		return -ERANGE;
	info->id = stats.id;
	info->cpu = stats.cpu;
	info->flags = (stats.highpri ? IRQLAB_POOL_HIGHPRI : 0) |
		      (stats.bh ? IRQLAB_POOL_BH : 0) |
		      (stats.cpu < 0 ? IRQLAB_POOL_UNBOUND : 0);
	IRQLAB_POOL_GAUGE_FIELDS(IRQLAB_SCHEMA_COPY)
	IRQLAB_POOL_COUNTER_FIELDS(IRQLAB_SCHEMA_COPY)
	return 0;
}

int irqlab_engine_workqueue_info(struct irqlab_engine_workqueue *info)
{
	struct irqlab_engine_workqueue_stats stats;
	const struct irqlab_engine_workqueue_stats *src = &stats;
	struct irqlab_engine_workqueue *dst = info;
	unsigned int index = info->index;

	memset(info, 0, sizeof(*info));
	info->index = index;
	info->nr_workqueues = irqlab_engine_workqueue_read(irqlab_engine, index, &stats);
	if (index >= info->nr_workqueues)
		return -ERANGE;
	strscpy(info->name, stats.name, sizeof(info->name));
	info->flags = (stats.unbound ? IRQLAB_WQ_UNBOUND : 0) |
		      (stats.highpri ? IRQLAB_WQ_HIGHPRI : 0) |
		      (stats.cpu_intensive ? IRQLAB_WQ_CPU_INTENSIVE : 0) |
		      (stats.mem_reclaim ? IRQLAB_WQ_MEM_RECLAIM : 0) |
		      (stats.bh ? IRQLAB_WQ_BH : 0) |
		      (stats.ordered ? IRQLAB_WQ_ORDERED : 0);
	IRQLAB_WQ_GAUGE_FIELDS(IRQLAB_SCHEMA_COPY)
	IRQLAB_WQ_COUNTER_FIELDS(IRQLAB_SCHEMA_COPY)
	return 0;
}

int irqlab_engine_config(struct irqlab_engine_config *config)
{
	if (config->pad || (config->set & ~(IRQLAB_CONFIG_FORCED_THREADING |
					    IRQLAB_CONFIG_WORKER_FAULT)))
		return -EINVAL;
	if (config->set & IRQLAB_CONFIG_FORCED_THREADING)
		irqlab_engine_set_forced_threading(irqlab_engine, config->forced_threading);
	if (config->set & IRQLAB_CONFIG_WORKER_FAULT)
		irqlab_engine_set_worker_fault(irqlab_engine, config->worker_fault);
	config->forced_threading = irqlab_engine_forced_threading(irqlab_engine);
	config->worker_fault = irqlab_engine_worker_fault(irqlab_engine);
	return 0;
}
