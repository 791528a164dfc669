/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Measuring (docs/measuring.md): the timestamps t0..t3 of a vector's
 * interrupts, the same for the engine and the native path, and the
 * in-module histograms they feed, per mechanism, path, metric and CPU.
 */
#ifndef IRQLAB_MEASURE_H
#define IRQLAB_MEASURE_H

#include <linux/atomic.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/types.h>

#include "irqlab/uapi.h"

struct irqlab_vector;
/* The histograms of one open /dev/irqlab (measure.c). */
struct irqlab_hist_set;

/* One vector's measuring state; see irqlab_measure_t1() for the rules. */
/*
 * A vector's place in one CPU's list of the vectors whose tasklet the
 * running TASKLET_SOFTIRQ served (the native softirq mechanism): that
 * softirq's exit is the end (t3) of each. Only that CPU touches it.
 */
struct irqlab_served_link {
	struct irqlab_vector *next;
	bool queued;
};

struct irqlab_measure {
	/* Set while attached, kept after detach for MECH_STATS. */
	u32 mech;			/* enum irqlab_mechanism */
	u32 path;			/* enum irqlab_path */
	bool attached;
	raw_spinlock_t lock;		/* everything below */
	/* The attaching file's histograms; NULL once stopped. */
	struct irqlab_hist_set *hists;
	u64 t0;				/* the trigger's, taken by t1 */
	u64 pending;			/* interrupts no bottom half took yet */
	u64 first_t0;			/* ... the oldest one's t0 (0: unknown) */
	u64 first_t1;			/* ... and t1 */
	u64 bh_start;			/* t2 of the run in progress */
	struct irqlab_mech_stats stats;	/* but arrivals, samples[HARDIRQ] */
	atomic64_t arrivals;		/* the hardirq metric's, lock-free */
	struct irqlab_served_link __percpu *served;
};

static inline u64 irqlab_measure_now(void)
{
	/* One clock for every CPU: t0 and t1 are often taken on different ones. */
	return ktime_get_ns();
}

struct irqlab_hist_set *irqlab_hist_set_create(void);
void irqlab_hist_set_destroy(struct irqlab_hist_set *set);

int irqlab_measure_init_vector(struct irqlab_vector *vec);
void irqlab_measure_free_vector(struct irqlab_vector *vec);
/*
 * Under the device lock, nothing in flight on the vector; it records into
 * 'hists' until irqlab_measure_stop().
 */
void irqlab_measure_start(struct irqlab_vector *vec, u32 mech, u32 path,
			  struct irqlab_hist_set *hists);
void irqlab_measure_stop(struct irqlab_vector *vec);

/* The measuring points. Callable from any context. */
/* t0: before a trigger acts ('issued'), or after it failed (not issued). */
void irqlab_measure_trigger(struct irqlab_vector *vec, unsigned int trigger, bool issued);
void irqlab_measure_t1(struct irqlab_vector *vec);
void irqlab_measure_t2(struct irqlab_vector *vec);
void irqlab_measure_t3(struct irqlab_vector *vec);
void irqlab_measure_hardirq(struct irqlab_vector *vec, u64 entry);

/*
 * The softirq mechanism: its t2 is the entry of the TASKLET_SOFTIRQ run in
 * which its tasklet runs, t3 that run's exit. 'current' is the vector whose
 * handler runs on this CPU (or NULL), which names a raise.
 */
void irqlab_measure_set_current(struct irqlab_vector *vec);
struct irqlab_vector *irqlab_measure_current(void);
enum irqlab_softirq_event {
	IRQLAB_SOFTIRQ_RAISE,
	IRQLAB_SOFTIRQ_ENTRY,
	IRQLAB_SOFTIRQ_EXIT,
};

/*
 * TASKLET_SOFTIRQ events of a path: the entry is remembered, the exit is
 * t3 of the vector whose tasklet ran in between. Returns the measured
 * vector the event belongs to, as far as known, or NULL.
 */
struct irqlab_vector *irqlab_measure_softirq(u32 path, enum irqlab_softirq_event event,
					     unsigned int softirq);
/* From the softirq mechanism's tasklet: t2 at that softirq's entry. */
void irqlab_measure_softirq_served(struct irqlab_vector *vec);

int irqlab_measure_mech_stats(struct irqlab_vector *vec, struct irqlab_mech_stats *stats);
int irqlab_hist_configure(struct irqlab_hist_set *set, const struct irqlab_hist_config *config);
int irqlab_hist_read(struct irqlab_hist_set *set, struct irqlab_hist *hist);

#endif /* IRQLAB_MEASURE_H */
