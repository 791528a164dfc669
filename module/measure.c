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
 * instructions of an update, and summed only when read. Each open
 * /dev/irqlab has its own set (struct irqlab_hist_set); a vector records
 * into the set of the file that attached it, found through m->hists.
 */
#include <linux/bitops.h>
#include <linux/cpumask.h>
#include <linux/interrupt.h>
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/slab.h>
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

/*
 * One open /dev/irqlab's histograms (see file.c): every vector it measures
 * records here, so compares of two files run side by side. The layout
 * changes only while none of them is measured; a vector stops recording
 * (irqlab_measure_stop) before its set may go.
 */
struct irqlab_hist_set {
	struct mutex lock;		/* layout, measured, and reads */
	unsigned int measured;		/* vectors recording into the set */
	struct irqlab_hist_config layout;
	struct irqlab_hist_cpu *cpus;	/* nr_cpu_ids of them */
};

static const struct irqlab_hist_config irqlab_default_layout = {
	.scale = IRQLAB_HIST_LOG2,
	.buckets = 32,
	.width_ns = 1000,
};

/* TASKLET_SOFTIRQ on one CPU, for the softirq mechanism of one path. */
struct irqlab_softirq_track {
	u64 entry_ns;			/* the running softirq's entry */
	/* The vectors whose tasklet it ran, linked by measure.served. */
	struct irqlab_vector *served;
};

static DEFINE_PER_CPU(struct irqlab_vector *, irqlab_current_vector);
static DEFINE_PER_CPU(struct irqlab_softirq_track[IRQLAB_NR_PATHS], irqlab_softirq_tracks);

struct irqlab_hist_set *irqlab_hist_set_create(void)
{
	struct irqlab_hist_set *set = kzalloc(sizeof(*set), GFP_KERNEL);

	if (!set)
		return NULL;
	set->cpus = vzalloc(array_size(nr_cpu_ids, sizeof(*set->cpus)));
	if (!set->cpus) {
		kfree(set);
		return NULL;
	}
	mutex_init(&set->lock);
	set->layout = irqlab_default_layout;
	return set;
}

/* Once no vector records into it any more. */
void irqlab_hist_set_destroy(struct irqlab_hist_set *set)
{
	if (!set)
		return;
	WARN_ON(set->measured);
	mutex_destroy(&set->lock);
	vfree(set->cpus);
	kfree(set);
}

static unsigned int irqlab_bucket_of(const struct irqlab_hist_config *layout, u64 ns)
{
	u64 units = div64_u64(ns, layout->width_ns);

	if (layout->scale == IRQLAB_HIST_LINEAR)
		return units < layout->buckets ? units : layout->buckets;
	/* Log2: [0, w) is bucket 0, [w << (i - 1), w << i) bucket i. */
	return min_t(unsigned int, units ? fls64(units) : 0, layout->buckets);
}

/*
 * This CPU's cell of the set, interrupts off. No lock: the layout cannot
 * change while the set has a measured vector.
 */
static void irqlab_hist_cell_add(struct irqlab_hist_set *set, const struct irqlab_measure *m,
				 unsigned int metric, u64 ns)
{
	struct irqlab_hist_cell *cell;
	unsigned int bucket = irqlab_bucket_of(&set->layout, ns);

	cell = &set->cpus[smp_processor_id()].cell[m->mech][m->path][metric];
	if (!cell->count || ns < cell->min)
		cell->min = ns;
	cell->max = max(cell->max, ns);
	cell->sum += ns;
	cell->count++;
	if (bucket < set->layout.buckets)
		cell->bucket[bucket]++;
	else
		cell->overflow++;
}

/* Called with m->lock held, which keeps m->hists alive (irqlab_measure_stop). */
static void irqlab_hist_record(struct irqlab_measure *m, unsigned int metric, u64 ns)
{
	if (!m->hists)
		return;
	irqlab_hist_cell_add(m->hists, m, metric, ns);
	m->stats.samples[metric]++;
}

static struct irqlab_measure *irqlab_measured(struct irqlab_vector *vec)
{
	return vec && READ_ONCE(vec->measure.attached) ? &vec->measure : NULL;
}

int irqlab_measure_init_vector(struct irqlab_vector *vec)
{
	raw_spin_lock_init(&vec->measure.lock);
	vec->measure.mech = IRQLAB_MECH_NONE;
	vec->measure.path = IRQLAB_PATH_ENGINE;
	vec->measure.served = alloc_percpu(struct irqlab_served_link);
	return vec->measure.served ? 0 : -ENOMEM;
}

void irqlab_measure_free_vector(struct irqlab_vector *vec)
{
	free_percpu(vec->measure.served);
	vec->measure.served = NULL;
}

void irqlab_measure_start(struct irqlab_vector *vec, u32 mech, u32 path,
			  struct irqlab_hist_set *hists)
{
	struct irqlab_measure *m = &vec->measure;

	mutex_lock(&hists->lock);
	hists->measured++;
	mutex_unlock(&hists->lock);
	raw_spin_lock_irq(&m->lock);
	m->hists = hists;
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

/*
 * After every handler and bottom half of the vector finished. A point that
 * still runs (the softirq exit probe after tasklet_kill()) finds no set
 * under m->lock, so the set may go once this returned.
 */
void irqlab_measure_stop(struct irqlab_vector *vec)
{
	struct irqlab_measure *m = &vec->measure;
	struct irqlab_hist_set *hists;

	WRITE_ONCE(m->attached, false);
	raw_spin_lock_irq(&m->lock);
	hists = m->hists;
	m->hists = NULL;
	raw_spin_unlock_irq(&m->lock);
	if (!hists)
		return;
	mutex_lock(&hists->lock);
	hists->measured--;
	mutex_unlock(&hists->lock);
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
	/*
	 * A handler forced into an irq thread: PREEMPT_RT's for a native one
	 * (native.c), the engine's forced threading for an engine one. A
	 * replay from the engine's resend tasklet is no thread: in_task().
	 */
	if (in_task())
		m->stats.forced_threaded++;
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
	struct irqlab_hist_set *hists;

	if (!m)
		return;
	/* Stopping waits for this handler (synchronize_irq) before the set goes. */
	hists = READ_ONCE(m->hists);
	if (!hists)
		return;
	irqlab_hist_cell_add(hists, m, IRQLAB_METRIC_HARDIRQ, irqlab_measure_now() - entry);
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
		/* Every vector this run served ends here; the first names it. */
		vec = track->served;
		track->served = NULL;
		for (m = vec ? &vec->measure : NULL; m;) {
			struct irqlab_served_link *link = this_cpu_ptr(m->served);
			struct irqlab_vector *next = link->next;

			link->next = NULL;
			link->queued = false;
			irqlab_measure_t3(container_of(m, struct irqlab_vector, measure));
			m = next ? &next->measure : NULL;
		}
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
	struct irqlab_served_link *link;
	u64 start;

	if (!m)
		return;
	track = this_cpu_ptr(&irqlab_softirq_tracks[m->path]);
	start = track->entry_ns;
	irqlab_measure_t2_at(m, vec->index, &start);
	/* Several vectors' tasklets may run in one softirq: each gets its end. */
	link = this_cpu_ptr(m->served);
	if (!link->queued) {
		link->queued = true;
		link->next = track->served;
		track->served = vec;
	}
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
	stats->forced_threaded = m->stats.forced_threaded;
	raw_spin_unlock_irqrestore(&m->lock, flags);
	stats->attached = READ_ONCE(m->attached);
	stats->mechanism = m->mech;
	stats->path = m->path;
	return 0;
}

int irqlab_hist_configure(struct irqlab_hist_set *set, const struct irqlab_hist_config *config)
{
	int ret = 0;

	if (config->scale > IRQLAB_HIST_LOG2 || !config->buckets ||
	    config->buckets > IRQLAB_HIST_MAX_BUCKETS || !config->width_ns ||
	    config->width_ns > NSEC_PER_SEC)
		return -EINVAL;
	mutex_lock(&set->lock);
	if (set->measured) {
		ret = -EBUSY;
	} else {
		set->layout = *config;
		memset(set->cpus, 0, array_size(nr_cpu_ids, sizeof(*set->cpus)));
	}
	mutex_unlock(&set->lock);
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

/* 'set' NULL: a file that measured nothing yet has empty histograms. */
int irqlab_hist_read(struct irqlab_hist_set *set, struct irqlab_hist *hist)
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
	if (!set) {
		hist->config = irqlab_default_layout;
		return 0;
	}
	mutex_lock(&set->lock);
	hist->config = set->layout;
	for_each_possible_cpu(cpu) {
		if (hist->cpu >= 0 && cpu != hist->cpu)
			continue;
		irqlab_hist_add(hist, &set->cpus[cpu].cell[hist->mechanism][hist->path]
						  [hist->metric]);
	}
	mutex_unlock(&set->lock);
	return 0;
}
