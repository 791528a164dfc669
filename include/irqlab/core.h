/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry points of the C++ core that the kernel glue calls. Valid C and C++;
 * the platform interface (platform.h) is the other direction.
 */
#ifndef IRQLAB_CORE_H
#define IRQLAB_CORE_H

#include "irqlab/platform.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Proves at module load that the C++ runtime works in this kernel: a virtual
 * call, a template instantiation, an allocation and free through cxxrt.
 * Returns 0, or a negative errno-style code naming the first failed step.
 */
int irqlab_core_selfcheck(void);

/*
 * The engine: irqlab's own interrupt subsystem (core/engine/, docs/engine.md).
 *
 * The glue creates one engine per module, one domain per claimed device
 * (hwirq = MSI-X index) and attaches vectors to it; each attached vector's
 * native hardirq handler then calls irqlab_engine_handle(). Functions that
 * may sleep say so; all return 0 or a negative errno.
 */
struct irqlab_engine;
struct irqlab_engine_domain;
struct irqlab_line;		/* the glue's handle of a real vector */

/* May sleep. Starts the per-CPU softirq daemons. NULL on failure. */
struct irqlab_engine *irqlab_engine_create(void);
/* May sleep. Every domain must be destroyed first. */
void irqlab_engine_destroy(struct irqlab_engine *engine);

/* May sleep. 'name' must outlive the domain. NULL on failure. */
struct irqlab_engine_domain *
irqlab_engine_domain_create(struct irqlab_engine *engine, const char *name,
			    unsigned int nr_hwirqs);
/* May sleep. Every hwirq of the domain must be detached first. */
void irqlab_engine_domain_destroy(struct irqlab_engine_domain *domain);

/* What an attached vector's engine handler does. */
enum irqlab_engine_action_kind {
	IRQLAB_ENGINE_COUNT = 1,	/* count, return IRQ_HANDLED */
	IRQLAB_ENGINE_NONE = 2,		/* count, return IRQ_NONE */
	IRQLAB_ENGINE_SOFTIRQ = 3,	/* raise softirq slot 'softirq' */
	IRQLAB_ENGINE_TASKLET = 4,	/* schedule the line's tasklet */
	IRQLAB_ENGINE_TASKLET_HI = 5,	/* tasklet_hi_schedule */
};

enum irqlab_engine_flow_kind {
	IRQLAB_ENGINE_FLOW_FASTEOI = 0,
	IRQLAB_ENGINE_FLOW_EDGE = 1,
	IRQLAB_ENGINE_FLOW_LEVEL = 2,
};

#define IRQLAB_ENGINE_NR_SOFTIRQS	10
#define IRQLAB_ENGINE_MAX_SHARED	8

struct irqlab_engine_attach_config {
	unsigned int action;	/* enum irqlab_engine_action_kind */
	unsigned int softirq;	/* slot, for IRQLAB_ENGINE_SOFTIRQ */
	/*
	 * Softirq work units per interrupt: the slot's handler does one per
	 * run and raises itself again while units are left, as NET_RX does
	 * when its budget runs out. 0 means 1.
	 */
	unsigned int softirq_rounds;
	unsigned int flow;	/* enum irqlab_engine_flow_kind */
	/*
	 * Extra actions on the same line, ahead of the main one, that
	 * return IRQ_NONE (a shared line whose other devices are idle).
	 */
	unsigned int shared_none;
};

/*
 * May sleep. Gives hwirq of 'domain' an engine descriptor whose chip masks
 * through 'line' (irqlab_plat_line_*), and installs the actions. 'name'
 * must outlive the attachment. Returns the engine virq (> 0) or -errno.
 */
int irqlab_engine_attach(struct irqlab_engine_domain *domain, unsigned int hwirq,
			 struct irqlab_line *line, const char *name,
			 const struct irqlab_engine_attach_config *config);
/* May sleep: waits for running handlers and tasklets of the line. */
int irqlab_engine_detach(struct irqlab_engine_domain *domain, unsigned int hwirq);

/*
 * The engine's hardirq entry, from a native hardirq handler (interrupts
 * off): irq_enter, domain lookup, flow handler, actions, irq_exit with
 * softirq processing. Returns 0, or -EINVAL when hwirq has no mapping.
 */
int irqlab_engine_handle(struct irqlab_engine_domain *domain, unsigned int hwirq);

/* One attached line, for /proc/interrupts-like tables. */
struct irqlab_engine_line_stats {
	unsigned int virq;
	unsigned int action;		/* as attached */
	unsigned int softirq;
	unsigned int flow;
	unsigned int shared_none_actions;
	unsigned int softirq_rounds;
	unsigned int depth;		/* disable nesting */
	bool spurious_disabled;
	bool masked;
	unsigned long long unhandled;		/* interrupts no action claimed */
	unsigned long long main_handled;		/* the main action's IRQ_HANDLED */
	unsigned long long main_none;		/* the main action's IRQ_NONE */
	unsigned long long shared_none;		/* calls of the extra IRQ_NONE actions */
	unsigned long long softirq_raised;
	unsigned long long tasklet_scheduled;
	unsigned long long tasklet_coalesced;	/* scheduled while still pending */
	unsigned long long tasklet_runs;
	unsigned int tasklet_state;	/* bit 0 SCHED, bit 1 RUN */
};

int irqlab_engine_line_read(struct irqlab_engine_domain *domain, unsigned int hwirq,
			    struct irqlab_engine_line_stats *stats);
/* Engine hardirqs of the line on 'cpu' (kstat_irqs_cpu). */
unsigned long long irqlab_engine_line_count(struct irqlab_engine_domain *domain,
					    unsigned int hwirq, unsigned int cpu);

/* One softirq slot on one CPU (a /proc/softirqs cell, and more). */
struct irqlab_engine_softirq_slot {
	unsigned long long raised;
	unsigned long long coalesced;	/* raised while already pending */
	unsigned long long runs;
	unsigned long long ns;		/* time in the handler */
	unsigned long long work;		/* units of attached lines done */
	unsigned long long idle_runs;	/* runs that found no unit left */
};

struct irqlab_engine_softirq_cpu {
	struct irqlab_engine_softirq_slot slot[IRQLAB_ENGINE_NR_SOFTIRQS];
	unsigned long long irq_exit_rounds;	/* processing started at irq_exit */
	unsigned long long bh_enable_rounds;	/* ... at local_bh_enable */
	unsigned long long daemon_rounds;		/* ... by irqlab-sirqd/N */
	unsigned long long restarts;
	unsigned long long handover_time;		/* budget: 2 ms used up */
	unsigned long long handover_restarts;	/* budget: 10 restarts used up */
	unsigned long long handover_resched;	/* budget: need_resched */
	unsigned int pending;
};

int irqlab_engine_softirq_read(struct irqlab_engine *engine, unsigned int cpu,
			       struct irqlab_engine_softirq_cpu *stats);
const char *irqlab_engine_softirq_name(unsigned int slot);

#ifdef __cplusplus
}
#endif

#endif /* IRQLAB_CORE_H */
