// SPDX-License-Identifier: GPL-2.0
/*
 * Glue between claimed vectors and the C++ engine (irqlab/core.h): one
 * engine for the module, one engine domain per claimed device, and the
 * switch in each vector's native handler that feeds the engine.
 *
 * Attaching and detaching happen under dev->lock. A vector's handler reads
 * engine_attached without a lock: it is set only after the engine line is
 * complete, and cleared, followed by synchronize_irq(), before the engine
 * line is taken apart.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/interrupt.h>
#include <linux/string.h>

#include "irqlab/core.h"
#include "device.h"

static struct irqlab_engine *irqlab_engine;

/* The ABI's action and flow numbers are the engine's. */
static_assert((int)IRQLAB_ACTION_COUNT == (int)IRQLAB_ENGINE_COUNT);
static_assert((int)IRQLAB_ACTION_NONE == (int)IRQLAB_ENGINE_NONE);
static_assert((int)IRQLAB_ACTION_SOFTIRQ == (int)IRQLAB_ENGINE_SOFTIRQ);
static_assert((int)IRQLAB_ACTION_TASKLET == (int)IRQLAB_ENGINE_TASKLET);
static_assert((int)IRQLAB_ACTION_TASKLET_HI == (int)IRQLAB_ENGINE_TASKLET_HI);
static_assert((int)IRQLAB_FLOW_FASTEOI == (int)IRQLAB_ENGINE_FLOW_FASTEOI);
static_assert((int)IRQLAB_FLOW_EDGE == (int)IRQLAB_ENGINE_FLOW_EDGE);
static_assert((int)IRQLAB_FLOW_LEVEL == (int)IRQLAB_ENGINE_FLOW_LEVEL);
static_assert((int)IRQLAB_NR_SOFTIRQS == (int)IRQLAB_ENGINE_NR_SOFTIRQS);
static_assert((int)IRQLAB_MAX_SHARED == (int)IRQLAB_ENGINE_MAX_SHARED);

int irqlab_engine_start(void)
{
	irqlab_engine = irqlab_engine_create();
	return irqlab_engine ? 0 : -ENOMEM;
}

void irqlab_engine_stop(void)
{
	irqlab_engine_destroy(irqlab_engine);
	irqlab_engine = NULL;
}

static int irqlab_vectors_valid(struct irqlab_device *dev, u64 vectors)
{
	if (!vectors)
		return -EINVAL;
	if (dev->nr_vectors < 64 && vectors >> dev->nr_vectors)
		return -ERANGE;
	return 0;
}

static void irqlab_engine_detach_one(struct irqlab_device *dev, struct irqlab_vector *vec)
{
	WRITE_ONCE(vec->engine_attached, false);
	synchronize_irq(vec->irq);
	irqlab_engine_detach(dev->engine_domain, vec->index);
	/* A line the engine left masked (disabled, spurious) works again. */
	irqlab_plat_line_unmask(&vec->line);
}

int irqlab_engine_attach_vectors(struct irqlab_device *dev,
				 const struct irqlab_engine_attach *req)
{
	struct irqlab_engine_attach_config config = {
		.action = req->action,
		.softirq = req->softirq,
		.softirq_rounds = req->softirq_rounds,
		.flow = req->flow,
		.shared_none = req->shared_none,
	};
	u64 done = 0;
	unsigned int i;
	int ret;

	if (req->pad || req->softirq_rounds > IRQLAB_MAX_SOFTIRQ_ROUNDS)
		return -EINVAL;
	ret = irqlab_vectors_valid(dev, req->vectors);
	if (ret)
		return ret;
	for (i = 0; i < dev->nr_vectors; i++) {
		if ((req->vectors & BIT_ULL(i)) && dev->vectors[i].engine_attached)
			return -EALREADY;
	}
	if (!dev->engine_domain) {
		dev->engine_domain = irqlab_engine_domain_create(irqlab_engine, dev->bdf,
								 dev->nr_vectors);
		if (!dev->engine_domain)
			return -ENOMEM;
	}
	for (i = 0; i < dev->nr_vectors; i++) {
		struct irqlab_vector *vec = &dev->vectors[i];

		if (!(req->vectors & BIT_ULL(i)))
			continue;
		ret = irqlab_engine_attach(dev->engine_domain, i, &vec->line, vec->name, &config);
		if (ret < 0)
			break;
		WRITE_ONCE(vec->engine_attached, true);
		done |= BIT_ULL(i);
		ret = 0;
	}
	if (ret)
		irqlab_engine_detach_vectors(dev, done);
	return ret;
}

int irqlab_engine_detach_vectors(struct irqlab_device *dev, u64 vectors)
{
	unsigned int i;
	int ret;

	ret = irqlab_vectors_valid(dev, vectors);
	if (ret)
		return ret;
	for (i = 0; i < dev->nr_vectors; i++) {
		if ((vectors & BIT_ULL(i)) && !dev->vectors[i].engine_attached)
			return -ENOENT;
	}
	for (i = 0; i < dev->nr_vectors; i++) {
		if (vectors & BIT_ULL(i))
			irqlab_engine_detach_one(dev, &dev->vectors[i]);
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
	unsigned int cpu, vector = info->vector;
	int ret;

	if (vector >= dev->nr_vectors)
		return -ERANGE;
	if (!dev->vectors[vector].engine_attached)
		return -ENOENT;
	ret = irqlab_engine_line_read(dev->engine_domain, vector, &stats);
	if (ret)
		return ret;
	memset(info->count, 0, sizeof(info->count));
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
		      (stats.tasklet_state & 2 ? IRQLAB_LINE_TASKLET_RUN : 0);
	info->unhandled = stats.unhandled;
	info->handled = stats.main_handled;
	info->none = stats.main_none;
	info->sharer_calls = stats.shared_none;
	info->softirq_raised = stats.softirq_raised;
	info->tasklet_scheduled = stats.tasklet_scheduled;
	info->tasklet_coalesced = stats.tasklet_coalesced;
	info->tasklet_runs = stats.tasklet_runs;
	for (cpu = 0; cpu < min_t(unsigned int, nr_cpu_ids, IRQLAB_MAX_CPUS); cpu++)
		info->count[cpu] = irqlab_engine_line_count(dev->engine_domain, vector, cpu);
	return 0;
}

int irqlab_engine_softirq_info(struct irqlab_engine_softirqs *info)
{
	struct irqlab_engine_softirq_cpu stats;
	unsigned int cpu = info->cpu, slot;
	int ret;

	if (cpu >= min_t(unsigned int, nr_cpu_ids, IRQLAB_MAX_CPUS))
		return -ERANGE;
	ret = irqlab_engine_softirq_read(irqlab_engine, cpu, &stats);
	if (ret)
		return ret;
	memset(info, 0, sizeof(*info));
	info->cpu = cpu;
	info->nr_cpus = min_t(unsigned int, nr_cpu_ids, IRQLAB_MAX_CPUS);
	info->pending = stats.pending;
	for (slot = 0; slot < IRQLAB_NR_SOFTIRQS; slot++) {
		struct irqlab_softirq_slot *out = &info->slot[slot];
		const struct irqlab_engine_softirq_slot *in = &stats.slot[slot];

		strscpy(out->name, irqlab_engine_softirq_name(slot), sizeof(out->name));
		out->raised = in->raised;
		out->coalesced = in->coalesced;
		out->runs = in->runs;
		out->ns = in->ns;
		out->work = in->work;
		out->idle_runs = in->idle_runs;
	}
	info->irq_exit_rounds = stats.irq_exit_rounds;
	info->bh_enable_rounds = stats.bh_enable_rounds;
	info->daemon_rounds = stats.daemon_rounds;
	info->restarts = stats.restarts;
	info->handover_time = stats.handover_time;
	info->handover_restarts = stats.handover_restarts;
	info->handover_resched = stats.handover_resched;
	return 0;
}
