/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The irqlab:* tracepoints (docs/measuring.md). The engine's events and the
 * native paths' own points carry the fields of Linux's irq:* and
 * workqueue:* events where they overlap, plus three labels, so that one
 * probe reads both paths:
 *   path    enum irqlab_path (0 engine, 1 native)
 *   mech    enum irqlab_mechanism, IRQLAB_MECH_NONE when not measured
 *   vector  the MSI-X index of the line, or -1 when not known
 * irq is the engine's virq for engine events and Linux's irq for native ones.
 */
#undef TRACE_SYSTEM
#ifdef IRQLAB_TRACE_KUNIT
/* irqlab_kunit.ko's copies: both modules may be loaded at once. */
#define TRACE_SYSTEM irqlab_kunit
#else
#define TRACE_SYSTEM irqlab
#endif

#if !defined(IRQLAB_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define IRQLAB_TRACE_H

#include <linux/tracepoint.h>

/*
 * The engine passes its events to the glue only while one of the events
 * that show them is enabled (trace.c): a disabled engine event costs a
 * load and a branch, as a disabled tracepoint does.
 */
int irqlab_trace_listen(void);
void irqlab_trace_unlisten(void);

/* Linux 6.10 dropped __assign_str()'s source: __string() names it already. */
#ifdef IRQLAB_ASSIGN_STR_FROM_STRING
#define irqlab_assign_str(field, src) __assign_str(field)
#else
#define irqlab_assign_str(field, src) __assign_str(field, src)
#endif

DECLARE_EVENT_CLASS(irqlab_label,
	TP_PROTO(unsigned int path, unsigned int mech, int vector),
	TP_ARGS(path, mech, vector),
	TP_STRUCT__entry(
		__field(unsigned int, path)
		__field(unsigned int, mech)
		__field(int, vector)
	),
	TP_fast_assign(
		__entry->path = path;
		__entry->mech = mech;
		__entry->vector = vector;
	),
	TP_printk("path=%u mech=%u vector=%d", __entry->path, __entry->mech, __entry->vector)
);

/* A trigger issued; t0 when 'stamped' (nothing else was in flight). */
TRACE_EVENT(irqlab_trigger,
	TP_PROTO(unsigned int path, unsigned int mech, int vector, unsigned int trigger,
		 bool stamped),
	TP_ARGS(path, mech, vector, trigger, stamped),
	TP_STRUCT__entry(
		__field(unsigned int, path)
		__field(unsigned int, mech)
		__field(int, vector)
		__field(unsigned int, trigger)
		__field(unsigned int, stamped)
	),
	TP_fast_assign(
		__entry->path = path;
		__entry->mech = mech;
		__entry->vector = vector;
		__entry->trigger = trigger;
		__entry->stamped = stamped;
	),
	TP_printk("path=%u mech=%u vector=%d trigger=%u stamped=%u", __entry->path,
		  __entry->mech, __entry->vector, __entry->trigger, __entry->stamped)
);

/* irq:irq_handler_entry */
TRACE_EVENT_FN(irqlab_hardirq_entry,
	TP_PROTO(int irq, const char *name, unsigned int path, unsigned int mech, int vector),
	TP_ARGS(irq, name, path, mech, vector),
	TP_STRUCT__entry(
		__field(int, irq)
		__string(name, name)
		__field(unsigned int, path)
		__field(unsigned int, mech)
		__field(int, vector)
	),
	TP_fast_assign(
		__entry->irq = irq;
		irqlab_assign_str(name, name);
		__entry->path = path;
		__entry->mech = mech;
		__entry->vector = vector;
	),
	TP_printk("irq=%d name=%s path=%u mech=%u vector=%d", __entry->irq, __get_str(name),
		  __entry->path, __entry->mech, __entry->vector),
	irqlab_trace_listen, irqlab_trace_unlisten
);

/* irq:irq_handler_exit */
TRACE_EVENT_FN(irqlab_hardirq_exit,
	TP_PROTO(int irq, int ret, unsigned int path, unsigned int mech, int vector),
	TP_ARGS(irq, ret, path, mech, vector),
	TP_STRUCT__entry(
		__field(int, irq)
		__field(int, ret)
		__field(unsigned int, path)
		__field(unsigned int, mech)
		__field(int, vector)
	),
	TP_fast_assign(
		__entry->irq = irq;
		__entry->ret = ret;
		__entry->path = path;
		__entry->mech = mech;
		__entry->vector = vector;
	),
	TP_printk("irq=%d ret=%d path=%u mech=%u vector=%d", __entry->irq, __entry->ret,
		  __entry->path, __entry->mech, __entry->vector),
	irqlab_trace_listen, irqlab_trace_unlisten
);

/* irq:softirq_raise, softirq_entry, softirq_exit */
DECLARE_EVENT_CLASS(irqlab_softirq,
	TP_PROTO(unsigned int vec, unsigned int path, unsigned int mech, int vector),
	TP_ARGS(vec, path, mech, vector),
	TP_STRUCT__entry(
		__field(unsigned int, vec)
		__field(unsigned int, path)
		__field(unsigned int, mech)
		__field(int, vector)
	),
	TP_fast_assign(
		__entry->vec = vec;
		__entry->path = path;
		__entry->mech = mech;
		__entry->vector = vector;
	),
	TP_printk("vec=%u path=%u mech=%u vector=%d", __entry->vec, __entry->path,
		  __entry->mech, __entry->vector)
);

DEFINE_EVENT_FN(irqlab_softirq, irqlab_softirq_raise,
	TP_PROTO(unsigned int vec, unsigned int path, unsigned int mech, int vector),
	TP_ARGS(vec, path, mech, vector),
	irqlab_trace_listen, irqlab_trace_unlisten);
DEFINE_EVENT_FN(irqlab_softirq, irqlab_softirq_entry,
	TP_PROTO(unsigned int vec, unsigned int path, unsigned int mech, int vector),
	TP_ARGS(vec, path, mech, vector),
	irqlab_trace_listen, irqlab_trace_unlisten);
DEFINE_EVENT_FN(irqlab_softirq, irqlab_softirq_exit,
	TP_PROTO(unsigned int vec, unsigned int path, unsigned int mech, int vector),
	TP_ARGS(vec, path, mech, vector),
	irqlab_trace_listen, irqlab_trace_unlisten);

/* irq:tasklet_entry, tasklet_exit */
DECLARE_EVENT_CLASS(irqlab_tasklet,
	TP_PROTO(const void *tasklet, const void *func, unsigned int path, unsigned int mech,
		 int vector),
	TP_ARGS(tasklet, func, path, mech, vector),
	TP_STRUCT__entry(
		__field(const void *, tasklet)
		__field(const void *, func)
		__field(unsigned int, path)
		__field(unsigned int, mech)
		__field(int, vector)
	),
	TP_fast_assign(
		__entry->tasklet = tasklet;
		__entry->func = func;
		__entry->path = path;
		__entry->mech = mech;
		__entry->vector = vector;
	),
	TP_printk("tasklet=%p function=%ps path=%u mech=%u vector=%d", __entry->tasklet,
		  __entry->func, __entry->path, __entry->mech, __entry->vector)
);

DEFINE_EVENT_FN(irqlab_tasklet, irqlab_tasklet_entry,
	TP_PROTO(const void *tasklet, const void *func, unsigned int path, unsigned int mech,
		 int vector),
	TP_ARGS(tasklet, func, path, mech, vector),
	irqlab_trace_listen, irqlab_trace_unlisten);
DEFINE_EVENT_FN(irqlab_tasklet, irqlab_tasklet_exit,
	TP_PROTO(const void *tasklet, const void *func, unsigned int path, unsigned int mech,
		 int vector),
	TP_ARGS(tasklet, func, path, mech, vector),
	irqlab_trace_listen, irqlab_trace_unlisten);

/* workqueue:workqueue_queue_work */
TRACE_EVENT_FN(irqlab_work_queue,
	TP_PROTO(const void *work, const void *function, const char *workqueue, int req_cpu,
		 int cpu, unsigned int path, unsigned int mech, int vector),
	TP_ARGS(work, function, workqueue, req_cpu, cpu, path, mech, vector),
	TP_STRUCT__entry(
		__field(const void *, work)
		__field(const void *, function)
		__string(workqueue, workqueue)
		__field(int, req_cpu)
		__field(int, cpu)
		__field(unsigned int, path)
		__field(unsigned int, mech)
		__field(int, vector)
	),
	TP_fast_assign(
		__entry->work = work;
		__entry->function = function;
		irqlab_assign_str(workqueue, workqueue);
		__entry->req_cpu = req_cpu;
		__entry->cpu = cpu;
		__entry->path = path;
		__entry->mech = mech;
		__entry->vector = vector;
	),
	TP_printk("work=%p function=%ps workqueue=%s req_cpu=%d cpu=%d path=%u mech=%u vector=%d",
		  __entry->work, __entry->function, __get_str(workqueue), __entry->req_cpu,
		  __entry->cpu, __entry->path, __entry->mech, __entry->vector),
	irqlab_trace_listen, irqlab_trace_unlisten
);

/* workqueue:workqueue_activate_work, execute_start, execute_end */
DECLARE_EVENT_CLASS(irqlab_work,
	TP_PROTO(const void *work, const void *function, unsigned int path, unsigned int mech,
		 int vector),
	TP_ARGS(work, function, path, mech, vector),
	TP_STRUCT__entry(
		__field(const void *, work)
		__field(const void *, function)
		__field(unsigned int, path)
		__field(unsigned int, mech)
		__field(int, vector)
	),
	TP_fast_assign(
		__entry->work = work;
		__entry->function = function;
		__entry->path = path;
		__entry->mech = mech;
		__entry->vector = vector;
	),
	TP_printk("work=%p function=%ps path=%u mech=%u vector=%d", __entry->work,
		  __entry->function, __entry->path, __entry->mech, __entry->vector)
);

DEFINE_EVENT_FN(irqlab_work, irqlab_work_activate,
	TP_PROTO(const void *work, const void *function, unsigned int path, unsigned int mech,
		 int vector),
	TP_ARGS(work, function, path, mech, vector),
	irqlab_trace_listen, irqlab_trace_unlisten);
DEFINE_EVENT_FN(irqlab_work, irqlab_work_execute_start,
	TP_PROTO(const void *work, const void *function, unsigned int path, unsigned int mech,
		 int vector),
	TP_ARGS(work, function, path, mech, vector),
	irqlab_trace_listen, irqlab_trace_unlisten);
DEFINE_EVENT_FN(irqlab_work, irqlab_work_execute_end,
	TP_PROTO(const void *work, const void *function, unsigned int path, unsigned int mech,
		 int vector),
	TP_ARGS(work, function, path, mech, vector),
	irqlab_trace_listen, irqlab_trace_unlisten);

/* Threaded handlers: the wake from the hardirq, the thread function's run. */
DECLARE_EVENT_CLASS(irqlab_thread,
	TP_PROTO(int irq, unsigned int path, unsigned int mech, int vector),
	TP_ARGS(irq, path, mech, vector),
	TP_STRUCT__entry(
		__field(int, irq)
		__field(unsigned int, path)
		__field(unsigned int, mech)
		__field(int, vector)
	),
	TP_fast_assign(
		__entry->irq = irq;
		__entry->path = path;
		__entry->mech = mech;
		__entry->vector = vector;
	),
	TP_printk("irq=%d path=%u mech=%u vector=%d", __entry->irq, __entry->path,
		  __entry->mech, __entry->vector)
);

DEFINE_EVENT_FN(irqlab_thread, irqlab_thread_wake,
	TP_PROTO(int irq, unsigned int path, unsigned int mech, int vector),
	TP_ARGS(irq, path, mech, vector),
	irqlab_trace_listen, irqlab_trace_unlisten);
DEFINE_EVENT_FN(irqlab_thread, irqlab_thread_start,
	TP_PROTO(int irq, unsigned int path, unsigned int mech, int vector),
	TP_ARGS(irq, path, mech, vector),
	irqlab_trace_listen, irqlab_trace_unlisten);
DEFINE_EVENT_FN(irqlab_thread, irqlab_thread_end,
	TP_PROTO(int irq, unsigned int path, unsigned int mech, int vector),
	TP_ARGS(irq, path, mech, vector),
	irqlab_trace_listen, irqlab_trace_unlisten);

/* napi:napi_poll-like: one poll of a line, its budget and the work done. */
DECLARE_EVENT_CLASS(irqlab_poll,
	TP_PROTO(const void *napi, int work, int budget, unsigned int path, unsigned int mech,
		 int vector),
	TP_ARGS(napi, work, budget, path, mech, vector),
	TP_STRUCT__entry(
		__field(const void *, napi)
		__field(int, work)
		__field(int, budget)
		__field(unsigned int, path)
		__field(unsigned int, mech)
		__field(int, vector)
	),
	TP_fast_assign(
		__entry->napi = napi;
		__entry->work = work;
		__entry->budget = budget;
		__entry->path = path;
		__entry->mech = mech;
		__entry->vector = vector;
	),
	TP_printk("napi=%p work=%d budget=%d path=%u mech=%u vector=%d", __entry->napi,
		  __entry->work, __entry->budget, __entry->path, __entry->mech, __entry->vector)
);

DEFINE_EVENT_FN(irqlab_poll, irqlab_poll_start,
	TP_PROTO(const void *napi, int work, int budget, unsigned int path, unsigned int mech,
		 int vector),
	TP_ARGS(napi, work, budget, path, mech, vector),
	irqlab_trace_listen, irqlab_trace_unlisten);
DEFINE_EVENT_FN(irqlab_poll, irqlab_poll_end,
	TP_PROTO(const void *napi, int work, int budget, unsigned int path, unsigned int mech,
		 int vector),
	TP_ARGS(napi, work, budget, path, mech, vector),
	irqlab_trace_listen, irqlab_trace_unlisten);

/*
 * The measuring points themselves (docs/measuring.md), for both paths:
 * t1 handler entry, t2 bottom half start, t3 its end.
 */
DEFINE_EVENT(irqlab_label, irqlab_t1,
	TP_PROTO(unsigned int path, unsigned int mech, int vector),
	TP_ARGS(path, mech, vector));
DEFINE_EVENT(irqlab_label, irqlab_t2,
	TP_PROTO(unsigned int path, unsigned int mech, int vector),
	TP_ARGS(path, mech, vector));
DEFINE_EVENT(irqlab_label, irqlab_t3,
	TP_PROTO(unsigned int path, unsigned int mech, int vector),
	TP_ARGS(path, mech, vector));

#endif /* IRQLAB_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE irqlab_trace
#include <trace/define_trace.h>
