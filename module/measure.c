// SPDX-License-Identifier: GPL-2.0
/*
 * The measuring points of docs/measuring.md and the in-module histograms.
 *
 * Per vector: a trigger stamps t0 before it fires; the handler's entry (t1)
 * takes it and records delivery. Interrupts not yet taken over by a bottom
 * half are 'pending'; the oldest one's t0 and t1 are kept, so that a bottom
 * half run (t2) that serves several interrupts records one deferral and one
 * end-to-end time, from the oldest interrupt it serves, as a latency tool
 * watching the queueing of work would. t3 ends the run (runtime).
 *
 * Every point takes the vector's lock and emits its tracepoint under it, so
 * a BPF probe on the tracepoints sees the points of a vector in the order
 * the module decided on them, and can count exactly what the module counts.
 *
 * Histograms are aggregated where the sample is taken, like rtla's
 * in-kernel histograms: per CPU, with interrupts off for the few
 * instructions of an update, and summed only when read.
 */
#include <linux/bitops.h>
#include <linux/cpumask.h>
#include <linux/interrupt.h>
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/vmalloc.h>

#include "device.h"
#include "irqlab_trace.h"
#include "measure.h"

struct irqlab_hist_cell {
	u64 count;
	u64 sum;
	u64 min;
	u64 max;
	u64 overflow;
	u64 bucket[IRQLAB_HIST_MAX_BUCKETS];
};

struct irqlab_hist_cpu {
	struct irqlab_hist_cell cell[IRQLAB_NR_MECHS][IRQLAB_NR_PATHS][IRQLAB_NR_METRICS];
};

/* The layout changes only while no vector is measured (measure_lock). */
static DEFINE_MUTEX(irqlab_measure_lock);
static unsigned int irqlab_measured_vectors;
static struct irqlab_hist_config irqlab_layout = {
	.scale = IRQLAB_HIST_LOG2,
	.buckets = 32,
	.width_ns = 1000,
};

static struct irqlab_hist_cpu *irqlab_hists;	/* nr_cpu_ids of them */

/* TASKLET_SOFTIRQ on one CPU, for the softirq mechanism of one path. */
struct irqlab_softirq_track {
	u64 entry_ns;			/* the running softirq's entry */
	struct irqlab_vector *served;	/* it ran the vector's tasklet */
};

static DEFINE_PER_CPU(struct irqlab_vector *, irqlab_current_vector);
static DEFINE_PER_CPU(struct irqlab_softirq_track[IRQLAB_NR_PATHS], irqlab_softirq_tracks);

int irqlab_measure_init(void)
{
	irqlab_hists = vzalloc(array_size(nr_cpu_ids, sizeof(*irqlab_hists)));
	return irqlab_hists ? 0 : -ENOMEM;
}

void irqlab_measure_exit(void)
{
	vfree(irqlab_hists);
	irqlab_hists = NULL;
}

static unsigned int irqlab_bucket_of(u64 ns)
{
	u64 units = div64_u64(ns, irqlab_layout.width_ns);

	if (irqlab_layout.scale == IRQLAB_HIST_LINEAR)
		return units < irqlab_layout.buckets ? units : irqlab_layout.buckets;
	/* Log2: [0, w) is bucket 0, [w << (i - 1), w << i) bucket i. */
	return min_t(unsigned int, units ? fls64(units) : 0, irqlab_layout.buckets);
}

/* This CPU's cell, interrupts off. */
static void irqlab_hist_cell_add(const struct irqlab_measure *m, unsigned int metric, u64 ns)
{
	struct irqlab_hist_cell *cell;
	unsigned int bucket = irqlab_bucket_of(ns);

	cell = &irqlab_hists[smp_processor_id()].cell[m->mech][m->path][metric];
	if (!cell->count || ns < cell->min)
		cell->min = ns;
	cell->max = max(cell->max, ns);
	cell->sum += ns;
	cell->count++;
	if (bucket < irqlab_layout.buckets)
		cell->bucket[bucket]++;
	else
		cell->overflow++;
}

/* Called with m->lock held. */
static void irqlab_hist_record(struct irqlab_measure *m, unsigned int metric, u64 ns)
{
	irqlab_hist_cell_add(m, metric, ns);
	m->stats.samples[metric]++;
}

static struct irqlab_measure *irqlab_measured(struct irqlab_vector *vec)
{
	return vec && READ_ONCE(vec->measure.attached) ? &vec->measure : NULL;
}

void irqlab_measure_init_vector(struct irqlab_vector *vec)
{
	raw_spin_lock_init(&vec->measure.lock);
	vec->measure.mech = IRQLAB_MECH_NONE;
	vec->measure.path = IRQLAB_PATH_ENGINE;
}

void irqlab_measure_start(struct irqlab_vector *vec, u32 mech, u32 path)
{
	struct irqlab_measure *m = &vec->measure;

	mutex_lock(&irqlab_measure_lock);
	irqlab_measured_vectors++;
	mutex_unlock(&irqlab_measure_lock);
	raw_spin_lock_irq(&m->lock);
	m->mech = mech;
	m->path = path;
	m->t0 = 0;
	m->pending = 0;
	m->first_t0 = 0;
	m->first_t1 = 0;
	m->bh_start = 0;
	memset(&m->stats, 0, sizeof(m->stats));
	atomic64_set(&m->arrivals, 0);
	raw_spin_unlock_irq(&m->lock);
	/* Published last: the points look at nothing else before it. */
	smp_store_release(&m->attached, true);
}

/* After every handler and bottom half of the vector finished. */
void irqlab_measure_stop(struct irqlab_vector *vec)
{
	WRITE_ONCE(vec->measure.attached, false);
	mutex_lock(&irqlab_measure_lock);
	irqlab_measured_vectors--;
	mutex_unlock(&irqlab_measure_lock);
}

void irqlab_measure_trigger(struct irqlab_vector *vec, unsigned int trigger, bool issued)
{
	struct irqlab_measure *m = irqlab_measured(vec);
	unsigned long flags;

	if (!m)
		return;
	/* Before the trigger acts: the handler may run at once. */
	raw_spin_lock_irqsave(&m->lock, flags);
	m->t0 = issued ? irqlab_measure_now() : 0;
	if (issued)
		trace_irqlab_trigger(m->path, m->mech, vec->index, trigger, true);
	raw_spin_unlock_irqrestore(&m->lock, flags);
}

void irqlab_measure_t1(struct irqlab_vector *vec)
{
	struct irqlab_measure *m = irqlab_measured(vec);
	unsigned long flags;
	u64 now, t0;

	if (!m)
		return;
	raw_spin_lock_irqsave(&m->lock, flags);
	now = irqlab_measure_now();
	trace_irqlab_t1(m->path, m->mech, vec->index);
	t0 = m->t0;
	m->t0 = 0;
	m->stats.hardirqs++;
	if (t0) {
		m->stats.triggers++;
		irqlab_hist_record(m, IRQLAB_METRIC_DELIVERY, now - t0);
	}
	if (!m->pending++) {
		m->first_t0 = t0;
		m->first_t1 = now;
	}
	raw_spin_unlock_irqrestore(&m->lock, flags);
}

/* Since 'from', or 0 when 'from' came later. */
static u64 irqlab_since(u64 start, u64 from)
{
	return start > from ? start - from : 0;
}

/* t2, when the bottom half that serves the pending interrupts started at 'start'. */
static void irqlab_measure_t2_at(struct irqlab_measure *m, int index, u64 *start)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&m->lock, flags);
	if (!*start)
		*start = irqlab_measure_now();
	trace_irqlab_t2(m->path, m->mech, index);
	m->stats.runs++;
	m->stats.served += m->pending;
	if (m->pending) {
		irqlab_hist_record(m, IRQLAB_METRIC_DEFERRAL, irqlab_since(*start, m->first_t1));
		if (m->first_t0)
			irqlab_hist_record(m, IRQLAB_METRIC_END_TO_END,
					   irqlab_since(*start, m->first_t0));
	}
	m->pending = 0;
	m->bh_start = *start;
	raw_spin_unlock_irqrestore(&m->lock, flags);
}

void irqlab_measure_t2(struct irqlab_vector *vec)
{
	struct irqlab_measure *m = irqlab_measured(vec);
	u64 now = 0;

	if (m)
		irqlab_measure_t2_at(m, vec->index, &now);
}

void irqlab_measure_t3(struct irqlab_vector *vec)
{
	struct irqlab_measure *m = irqlab_measured(vec);
	unsigned long flags;
	u64 now;

	if (!m)
		return;
	raw_spin_lock_irqsave(&m->lock, flags);
	now = irqlab_measure_now();
	trace_irqlab_t3(m->path, m->mech, vec->index);
	m->stats.ends++;
	if (m->bh_start)
		irqlab_hist_record(m, IRQLAB_METRIC_RUNTIME, now - m->bh_start);
	m->bh_start = 0;
	raw_spin_unlock_irqrestore(&m->lock, flags);
}

/*
 * In the hardirq, interrupts off. No lock: the time ends where the handler's
 * exit tracepoint begins, without waiting for a bottom half that holds the
 * vector's lock, and a vector's handler never runs twice at once.
 */
void irqlab_measure_hardirq(struct irqlab_vector *vec, u64 entry)
{
	struct irqlab_measure *m = irqlab_measured(vec);

	if (!m)
		return;
	irqlab_hist_cell_add(m, IRQLAB_METRIC_HARDIRQ, irqlab_measure_now() - entry);
	atomic64_inc(&m->arrivals);
}

void irqlab_measure_set_current(struct irqlab_vector *vec)
{
	this_cpu_write(irqlab_current_vector, vec);
}

struct irqlab_vector *irqlab_measure_current(void)
{
	return this_cpu_read(irqlab_current_vector);
}

struct irqlab_vector *irqlab_measure_softirq(u32 path, enum irqlab_softirq_event event,
					     unsigned int softirq)
{
	struct irqlab_softirq_track *track;
	struct irqlab_vector *vec;
	struct irqlab_measure *m;

	if (softirq != TASKLET_SOFTIRQ)
		return NULL;
	track = this_cpu_ptr(&irqlab_softirq_tracks[path]);
	switch (event) {
	case IRQLAB_SOFTIRQ_RAISE:
		/* Only named: raised from a measured handler on this CPU. */
		vec = this_cpu_read(irqlab_current_vector);
		m = irqlab_measured(vec);
		return m && m->mech == IRQLAB_MECH_SOFTIRQ && m->path == path ? vec : NULL;
	case IRQLAB_SOFTIRQ_ENTRY:
		track->entry_ns = irqlab_measure_now();
		return NULL;
	case IRQLAB_SOFTIRQ_EXIT:
		vec = xchg(&track->served, NULL);
		irqlab_measure_t3(vec);
		return vec;
	}
	return NULL;
}

/*
 * The softirq mechanism's tasklet ran: the pending interrupts were served
 * by this TASKLET_SOFTIRQ run, whose entry is their t2. Serving here, and
 * not at the entry, also serves the interrupts whose tasklet_schedule()
 * raised nothing because the tasklet was still queued.
 */
void irqlab_measure_softirq_served(struct irqlab_vector *vec)
{
	struct irqlab_measure *m = irqlab_measured(vec);
	struct irqlab_softirq_track *track;
	u64 start;

	if (!m)
		return;
	track = this_cpu_ptr(&irqlab_softirq_tracks[m->path]);
	start = track->entry_ns;
	irqlab_measure_t2_at(m, vec->index, &start);
	track->served = vec;
}

int irqlab_measure_mech_stats(struct irqlab_vector *vec, struct irqlab_mech_stats *stats)
{
	struct irqlab_measure *m = &vec->measure;
	unsigned long flags;

	raw_spin_lock_irqsave(&m->lock, flags);
	memcpy(stats->samples, m->stats.samples, sizeof(stats->samples));
	stats->triggers = m->stats.triggers;
	stats->arrivals = atomic64_read(&m->arrivals);
	stats->samples[IRQLAB_METRIC_HARDIRQ] = stats->arrivals;
	stats->hardirqs = m->stats.hardirqs;
	stats->served = m->stats.served;
	stats->runs = m->stats.runs;
	stats->ends = m->stats.ends;
	raw_spin_unlock_irqrestore(&m->lock, flags);
	stats->attached = READ_ONCE(m->attached);
	stats->mechanism = m->mech;
	stats->path = m->path;
	return 0;
}

int irqlab_hist_configure(const struct irqlab_hist_config *config)
{
	int ret = 0;

	if (config->scale > IRQLAB_HIST_LOG2 || !config->buckets ||
	    config->buckets > IRQLAB_HIST_MAX_BUCKETS || !config->width_ns ||
	    config->width_ns > NSEC_PER_SEC)
		return -EINVAL;
	mutex_lock(&irqlab_measure_lock);
	if (irqlab_measured_vectors) {
		ret = -EBUSY;
	} else {
		irqlab_layout = *config;
		memset(irqlab_hists, 0, array_size(nr_cpu_ids, sizeof(*irqlab_hists)));
	}
	mutex_unlock(&irqlab_measure_lock);
	return ret;
}

static void irqlab_hist_add(struct irqlab_hist *hist, const struct irqlab_hist_cell *cell)
{
	unsigned int i;

	if (!cell->count)
		return;
	if (!hist->count || cell->min < hist->min_ns)
		hist->min_ns = cell->min;
	hist->max_ns = max(hist->max_ns, cell->max);
	hist->count += cell->count;
	hist->sum_ns += cell->sum;
	hist->overflow += cell->overflow;
	for (i = 0; i < IRQLAB_HIST_MAX_BUCKETS; i++)
		hist->bucket[i] += cell->bucket[i];
}

int irqlab_hist_read(struct irqlab_hist *hist)
{
	const struct irqlab_hist which = {
		.mechanism = hist->mechanism,
		.path = hist->path,
		.metric = hist->metric,
		.cpu = hist->cpu,
	};
	unsigned int cpu;

	if (which.mechanism >= IRQLAB_NR_MECHS || which.path >= IRQLAB_NR_PATHS ||
	    which.metric >= IRQLAB_NR_METRICS)
		return -EINVAL;
	if (which.cpu < -1 || (which.cpu >= 0 && which.cpu >= nr_cpu_ids))
		return -ERANGE;
	*hist = which;
	mutex_lock(&irqlab_measure_lock);
	hist->config = irqlab_layout;
	for_each_possible_cpu(cpu) {
		if (hist->cpu >= 0 && cpu != hist->cpu)
			continue;
		irqlab_hist_add(hist, &irqlab_hists[cpu].cell[hist->mechanism][hist->path]
							[hist->metric]);
	}
	mutex_unlock(&irqlab_measure_lock);
	return 0;
}
