// SPDX-License-Identifier: GPL-2.0
/*
 * The irqlab:* tracepoints (irqlab_trace.h) and the engine's tracer: every
 * engine event becomes the tracepoint Linux would emit for its native twin,
 * labelled with the engine path, and an attached line's own points feed
 * the measurements (measure.c).
 */
#include <linux/interrupt.h>

#include "irqlab/core.h"
#include "device.h"
#include "measure.h"

#define CREATE_TRACE_POINTS
#include "irqlab_trace.h"

static_assert(IRQLAB_ENGINE_TASKLET_SOFTIRQ == TASKLET_SOFTIRQ);

/* The measured line an engine event belongs to, or NULL. */
static struct irqlab_vector *irqlab_event_vector(const struct irqlab_engine_event *ev)
{
	return ev->line ? container_of(ev->line, struct irqlab_vector, line) : NULL;
}

static u32 irqlab_mech_of(const struct irqlab_vector *vec)
{
	return vec && READ_ONCE(vec->measure.attached) ? vec->measure.mech : IRQLAB_MECH_NONE;
}

static int irqlab_index_of(const struct irqlab_vector *vec)
{
	return vec ? vec->index : -1;
}

static void irqlab_trace_softirq(const struct irqlab_engine_event *ev,
				 enum irqlab_softirq_event event)
{
	struct irqlab_vector *vec = irqlab_measure_softirq(IRQLAB_PATH_ENGINE, event, ev->vec);
	u32 mech = irqlab_mech_of(vec);
	int index = irqlab_index_of(vec);

	switch (event) {
	case IRQLAB_SOFTIRQ_RAISE:
		trace_irqlab_softirq_raise(ev->vec, IRQLAB_PATH_ENGINE, mech, index);
		break;
	case IRQLAB_SOFTIRQ_ENTRY:
		trace_irqlab_softirq_entry(ev->vec, IRQLAB_PATH_ENGINE, mech, index);
		break;
	case IRQLAB_SOFTIRQ_EXIT:
		trace_irqlab_softirq_exit(ev->vec, IRQLAB_PATH_ENGINE, mech, index);
		break;
	}
}

static bool irqlab_softirq_mechanism(const struct irqlab_vector *vec)
{
	return vec && vec->measure.mech == IRQLAB_MECH_SOFTIRQ;
}

static void irqlab_engine_event(const struct irqlab_engine_event *ev)
{
	struct irqlab_vector *vec = irqlab_event_vector(ev);
	const u32 engine = IRQLAB_PATH_ENGINE;
	u32 mech = irqlab_mech_of(vec);
	int index = irqlab_index_of(vec);

	switch (ev->kind) {
	case IRQLAB_EV_HARDIRQ_ENTRY:
		trace_irqlab_hardirq_entry(ev->irq, ev->name, engine, mech, index);
		break;
	case IRQLAB_EV_HARDIRQ_EXIT:
		trace_irqlab_hardirq_exit(ev->irq, ev->ret, engine, mech, index);
		break;
	case IRQLAB_EV_SOFTIRQ_RAISE:
		irqlab_trace_softirq(ev, IRQLAB_SOFTIRQ_RAISE);
		break;
	case IRQLAB_EV_SOFTIRQ_ENTRY:
		irqlab_trace_softirq(ev, IRQLAB_SOFTIRQ_ENTRY);
		break;
	case IRQLAB_EV_SOFTIRQ_EXIT:
		irqlab_trace_softirq(ev, IRQLAB_SOFTIRQ_EXIT);
		break;
	case IRQLAB_EV_TASKLET_ENTRY:
		trace_irqlab_tasklet_entry(ev->object, ev->function, engine, mech, index);
		break;
	case IRQLAB_EV_TASKLET_EXIT:
		trace_irqlab_tasklet_exit(ev->object, ev->function, engine, mech, index);
		break;
	case IRQLAB_EV_WORK_QUEUE:
		trace_irqlab_work_queue(ev->object, ev->function, ev->name, WORK_CPU_UNBOUND,
					ev->cpu, engine, mech, index);
		break;
	case IRQLAB_EV_WORK_ACTIVATE:
		trace_irqlab_work_activate(ev->object, ev->function, engine, mech, index);
		break;
	case IRQLAB_EV_WORK_START:
		trace_irqlab_work_execute_start(ev->object, ev->function, engine, mech, index);
		break;
	case IRQLAB_EV_WORK_END:
		trace_irqlab_work_execute_end(ev->object, ev->function, engine, mech, index);
		break;
	case IRQLAB_EV_THREAD_WAKE:
		trace_irqlab_thread_wake(ev->irq, engine, mech, index);
		break;
	case IRQLAB_EV_THREAD_START:
		trace_irqlab_thread_start(ev->irq, engine, mech, index);
		break;
	case IRQLAB_EV_THREAD_END:
		trace_irqlab_thread_end(ev->irq, engine, mech, index);
		break;
	case IRQLAB_EV_POLL_START:
		trace_irqlab_poll_start(ev->object, 0, ev->budget, engine, mech, index);
		break;
	case IRQLAB_EV_POLL_END:
		trace_irqlab_poll_end(ev->object, ev->ret, ev->budget, engine, mech, index);
		break;
	case IRQLAB_EV_LINE_HANDLER:
		irqlab_measure_t1(vec);
		break;
	/* The softirq mechanism's bottom half is the whole softirq run. */
	case IRQLAB_EV_LINE_BH_START:
		if (irqlab_softirq_mechanism(vec))
			irqlab_measure_softirq_served(vec);
		else
			irqlab_measure_t2(vec);
		break;
	case IRQLAB_EV_LINE_BH_END:
		if (!irqlab_softirq_mechanism(vec))
			irqlab_measure_t3(vec);
		break;
	}
}

/*
 * Beyond what measuring needs, the engine's events reach the glue only
 * while an event showing them is enabled (ftrace, perf or a BPF program).
 */
static atomic_t irqlab_trace_listeners = ATOMIC_INIT(0);

/* Registration of a probe on one of the engine's events (tracepoint regfunc). */
int irqlab_trace_listen(void)
{
	if (atomic_inc_return(&irqlab_trace_listeners) == 1)
		irqlab_engine_set_trace_kinds(IRQLAB_ENGINE_ALL_EVENTS);
	return 0;
}

void irqlab_trace_unlisten(void)
{
	if (atomic_dec_and_test(&irqlab_trace_listeners))
		irqlab_engine_set_trace_kinds(IRQLAB_ENGINE_MEASURING_EVENTS);
}

void irqlab_trace_start(void)
{
	if (!atomic_read(&irqlab_trace_listeners))
		irqlab_engine_set_trace_kinds(IRQLAB_ENGINE_MEASURING_EVENTS);
	irqlab_engine_set_tracer(irqlab_engine_event);
}

void irqlab_trace_stop(void)
{
	irqlab_engine_set_tracer(NULL);
}
