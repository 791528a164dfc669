/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry points of the C++ core that the kernel glue calls. Valid C and C++;
 * the platform interface (platform.h) is the other direction.
 */
#ifndef IRQLAB_CORE_H
#define IRQLAB_CORE_H

#include "irqlab/platform.h"
#include "irqlab/schema.h"

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

/*
 * CPU hotplug: the engine's three steps, as Linux's subsystems have theirs
 * (docs/engine.md, "CPU hotplug"). The glue calls them from cpuhp states
 * (module/hotplug.c), one at a time, never during create or destroy.
 *
 * cpu_online: the CPU is online (AP, CPUHP_AP_ONLINE_DYN startup, on the
 * CPU): its softirq daemon and timer thread are bound back and unparked
 * (or started), its worker pools bound again. 0 or -ENOMEM.
 * cpu_down_prep: the CPU is going (AP teardown, on the dying CPU): its
 * worker pools are unbound (their items go on running anywhere), its timer
 * thread and softirq daemon parked.
 * cpu_dead: the CPU is gone (BP teardown, CPUHP_BP_PREPARE_DYN, on a live
 * CPU): its timers, queued tasklets, NAPI polls, softirq work units and
 * pending softirqs move to the calling CPU, and its BH pools run there.
 * No work item is lost and none runs twice. All may sleep.
 */
int irqlab_engine_cpu_online(struct irqlab_engine *engine, unsigned int cpu);
void irqlab_engine_cpu_down_prep(struct irqlab_engine *engine, unsigned int cpu);
void irqlab_engine_cpu_dead(struct irqlab_engine *engine, unsigned int cpu);

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
	IRQLAB_ENGINE_WORK = 6,		/* queue the line's work item */
	IRQLAB_ENGINE_THREAD = 7,	/* return IRQ_WAKE_THREAD */
	IRQLAB_ENGINE_NAPI = 8,		/* disable the line, schedule its poll */
};

enum irqlab_engine_work_kind {
	IRQLAB_ENGINE_WORK_PERCPU = 0,
	IRQLAB_ENGINE_WORK_UNBOUND = 1,
	IRQLAB_ENGINE_WORK_HIGHPRI = 2,
	IRQLAB_ENGINE_WORK_ORDERED = 3,
	IRQLAB_ENGINE_WORK_BH = 4,
	IRQLAB_ENGINE_WORK_DELAYED = 5,
};

enum irqlab_engine_hold_kind {
	IRQLAB_ENGINE_HOLD_NONE = 0,
	IRQLAB_ENGINE_HOLD_SLEEP = 1,
	IRQLAB_ENGINE_HOLD_SPIN = 2,
};

#define IRQLAB_ENGINE_ONESHOT		0x1u
#define IRQLAB_ENGINE_MEM_RECLAIM	0x2u
#define IRQLAB_ENGINE_NAPI_HIST		8
#define IRQLAB_ENGINE_NAME_LEN		48

enum irqlab_engine_flow_kind {
	IRQLAB_ENGINE_FLOW_FASTEOI = 0,
	IRQLAB_ENGINE_FLOW_EDGE = 1,
	IRQLAB_ENGINE_FLOW_LEVEL = 2,
};

#define IRQLAB_ENGINE_NR_SOFTIRQS	10
/* Slots are numbered as Linux's: this is TASKLET_SOFTIRQ. */
#define IRQLAB_ENGINE_TASKLET_SOFTIRQ	6
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
	unsigned int work;	/* enum irqlab_engine_work_kind */
	unsigned int hold;	/* enum irqlab_engine_hold_kind, per deferred run */
	unsigned int hold_us;
	unsigned int delay_us;	/* IRQLAB_ENGINE_WORK_DELAYED */
	unsigned int napi_weight;	/* 0: 64 */
	unsigned int napi_events;	/* events per interrupt, 0: 1 */
	unsigned int flags;	/* IRQLAB_ENGINE_ONESHOT, _MEM_RECLAIM */
};

/*
 * May sleep. Gives hwirq of 'domain' an engine descriptor whose chip masks
 * through 'line' (irqlab_plat_line_*), and installs the actions. 'name'
 * must outlive the attachment. Returns the engine virq (> 0) or -errno.
 */
int irqlab_engine_attach(struct irqlab_engine_domain *domain, unsigned int hwirq,
			 struct irqlab_line *line, const char *name,
			 const struct irqlab_engine_attach_config *config);
/*
 * May sleep: waits for running handlers, threads, tasklets, work and polls
 * of the line, and destroys its workqueue (which drains it).
 */
int irqlab_engine_detach(struct irqlab_engine_domain *domain, unsigned int hwirq);
/*
 * May sleep. Waits until what the line deferred so far has run: its
 * workqueue flushed, its thread idle, its poll complete. 0, -ENOENT (not
 * attached), -EINTR (fatal signal while waiting for a poll).
 */
int irqlab_engine_flush(struct irqlab_engine_domain *domain, unsigned int hwirq);

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
	IRQLAB_LINE_IRQ_FIELDS(IRQLAB_CORE_FIELD)
	unsigned int tasklet_state;	/* bit 0 SCHED, bit 1 RUN */
	unsigned int work;
	unsigned int hold;
	unsigned int hold_us;
	unsigned int delay_us;
	unsigned int napi_weight;
	unsigned int napi_events;
	unsigned int flags;
	bool thread_fifo;
	bool thread_oneshot;
	bool thread_forced;
	bool napi_scheduled_now;
	char workqueue_name[IRQLAB_ENGINE_NAME_LEN];
	char thread_name[IRQLAB_ENGINE_NAME_LEN];	/* also for forced threading */
	IRQLAB_LINE_DEFERRED_FIELDS(IRQLAB_CORE_FIELD)
	unsigned long long napi_hist[IRQLAB_ENGINE_NAPI_HIST];
};

int irqlab_engine_line_read(struct irqlab_engine_domain *domain, unsigned int hwirq,
			    struct irqlab_engine_line_stats *stats);
/* Engine hardirqs of the line on 'cpu' (kstat_irqs_cpu). */
unsigned long long irqlab_engine_line_count(struct irqlab_engine_domain *domain,
					    unsigned int hwirq, unsigned int cpu);

/* One softirq slot on one CPU (a /proc/softirqs cell, and more). */
struct irqlab_engine_softirq_slot {
	IRQLAB_SOFTIRQ_SLOT_FIELDS(IRQLAB_CORE_FIELD)
};

struct irqlab_engine_softirq_cpu {
	struct irqlab_engine_softirq_slot slot[IRQLAB_ENGINE_NR_SOFTIRQS];
	IRQLAB_SOFTIRQ_CPU_FIELDS(IRQLAB_CORE_FIELD)
	unsigned int pending;
};

int irqlab_engine_softirq_read(struct irqlab_engine *engine, unsigned int cpu,
			       struct irqlab_engine_softirq_cpu *stats);
const char *irqlab_engine_softirq_name(unsigned int slot);

/* One worker pool of the engine's workqueues. */
struct irqlab_engine_pool_stats {
	unsigned int id;
	int cpu;			/* -1: unbound */
	bool highpri;
	bool bh;
	IRQLAB_POOL_GAUGE_FIELDS(IRQLAB_CORE_FIELD)
	IRQLAB_POOL_COUNTER_FIELDS(IRQLAB_CORE_FIELD)
};

/* Returns the number of pools; fills 'stats' (if not NULL) when index is below it. */
unsigned int irqlab_engine_pool_read(struct irqlab_engine *engine, unsigned int index,
				     struct irqlab_engine_pool_stats *stats);

struct irqlab_engine_workqueue_stats {
	char name[IRQLAB_ENGINE_NAME_LEN];
	bool unbound;
	bool highpri;
	bool cpu_intensive;
	bool mem_reclaim;
	bool bh;
	bool ordered;
	IRQLAB_WQ_GAUGE_FIELDS(IRQLAB_CORE_FIELD)
	IRQLAB_WQ_COUNTER_FIELDS(IRQLAB_CORE_FIELD)
};

/*
 * Returns the number of workqueues; fills 'stats' (if not NULL) when index is
 * below it.
 */
unsigned int irqlab_engine_workqueue_read(struct irqlab_engine *engine, unsigned int index,
					  struct irqlab_engine_workqueue_stats *stats);

/*
 * Tracing: the engine reports its events to one tracer (the glue turns them
 * into the irqlab:* tracepoints and measurements, docs/measuring.md). The
 * generic events mirror Linux's irq:* and workqueue:* tracepoints; the
 * LINE_* events are an attached line's own measuring points.
 */
enum irqlab_engine_event_kind {
	IRQLAB_EV_HARDIRQ_ENTRY,	/* irq, name, object = dev_id */
	IRQLAB_EV_HARDIRQ_EXIT,		/* irq, ret, object = dev_id */
	IRQLAB_EV_SOFTIRQ_RAISE,	/* vec */
	IRQLAB_EV_SOFTIRQ_ENTRY,	/* vec */
	IRQLAB_EV_SOFTIRQ_EXIT,		/* vec */
	IRQLAB_EV_TASKLET_ENTRY,	/* object = tasklet, function */
	IRQLAB_EV_TASKLET_EXIT,
	IRQLAB_EV_WORK_QUEUE,		/* object = work, function, name = wq, cpu */
	IRQLAB_EV_WORK_ACTIVATE,	/* object = work, function */
	IRQLAB_EV_WORK_START,		/* object = work, function */
	IRQLAB_EV_WORK_END,		/* object = work, function */
	IRQLAB_EV_THREAD_WAKE,		/* irq, name, object = dev_id */
	IRQLAB_EV_THREAD_START,
	IRQLAB_EV_THREAD_END,
	IRQLAB_EV_POLL_START,		/* object = napi, budget */
	IRQLAB_EV_POLL_END,		/* object = napi, budget, ret = work done */
	IRQLAB_EV_LINE_HANDLER,		/* line: its main handler starts (t1) */
	IRQLAB_EV_LINE_BH_START,	/* line: its bottom half starts (t2) */
	IRQLAB_EV_LINE_BH_END,		/* line: its bottom half ends (t3) */
	IRQLAB_NR_ENGINE_EVENTS
};

struct irqlab_engine_event {
	unsigned int kind;		/* enum irqlab_engine_event_kind */
	unsigned int irq;		/* engine virq */
	unsigned int vec;		/* softirq slot */
	int ret;
	int cpu;			/* work: the CPU asked for, -1 any */
	unsigned int budget;
	const void *object;
	const void *function;
	const char *name;
	struct irqlab_line *line;	/* LINE_* events */
};

typedef void (*irqlab_engine_tracer)(const struct irqlab_engine_event *event);

/*
 * One tracer for every engine; NULL turns tracing off. The tracer runs in
 * the context of the event (hardirq, softirq, threads) and must not sleep.
 * After setting NULL, a tracer still running may finish: the glue waits
 * for that by destroying its engines first.
 */
void irqlab_engine_set_tracer(irqlab_engine_tracer tracer);

/*
 * Which kinds reach the tracer (bit 1 << kind; all by default). An event
 * of another kind costs one load and a branch, as a disabled tracepoint's
 * static branch does little more: the glue passes on only what somebody
 * listens to.
 */
#define IRQLAB_ENGINE_EVENT_BIT(kind)	(1u << (kind))
#define IRQLAB_ENGINE_ALL_EVENTS	(IRQLAB_ENGINE_EVENT_BIT(IRQLAB_NR_ENGINE_EVENTS) - 1)
void irqlab_engine_set_trace_kinds(unsigned int kinds);
/*
 * What measuring needs when nobody else listens: the lines' points and the
 * TASKLET softirq's entry and exit, which time the softirq mechanism.
 */
#define IRQLAB_ENGINE_MEASURING_EVENTS					\
	(IRQLAB_ENGINE_EVENT_BIT(IRQLAB_EV_LINE_HANDLER) |		\
	 IRQLAB_ENGINE_EVENT_BIT(IRQLAB_EV_LINE_BH_START) |		\
	 IRQLAB_ENGINE_EVENT_BIT(IRQLAB_EV_LINE_BH_END) |		\
	 IRQLAB_ENGINE_EVENT_BIT(IRQLAB_EV_SOFTIRQ_ENTRY) |		\
	 IRQLAB_ENGINE_EVENT_BIT(IRQLAB_EV_SOFTIRQ_EXIT))

/* Engine options (see struct irqlab_engine_config in uapi.h). */
void irqlab_engine_set_forced_threading(struct irqlab_engine *engine, bool on);
bool irqlab_engine_forced_threading(struct irqlab_engine *engine);
void irqlab_engine_set_worker_fault(struct irqlab_engine *engine, bool on);
bool irqlab_engine_worker_fault(struct irqlab_engine *engine);

#ifdef __cplusplus
}
#endif

#endif /* IRQLAB_CORE_H */
