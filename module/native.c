// SPDX-License-Identifier: GPL-2.0
/*
 * The native path of a measured vector: its interrupts deferred through
 * the host kernel's own tasklets, workqueues and threaded IRQs, timed at
 * the same points as the engine's (measure.c, docs/measuring.md).
 *
 * The softirq mechanism times TASKLET_SOFTIRQ itself, from its raise in
 * the handler to its entry and exit on that CPU; Linux offers no hook for
 * that but its irq:softirq_* tracepoints, so irqlab hangs probes on them
 * while such a vector is attached.
 *
 * Attach and detach run under dev->lock. A vector's handler reads
 * native.attached without a lock: it is set when everything it needs exists,
 * and cleared, followed by synchronize_irq(), before anything goes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/interrupt.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <linux/workqueue.h>

#include "device.h"
#include "irqlab_trace.h"
#include "measure.h"

static struct workqueue_struct *irqlab_percpu_wq;
static struct workqueue_struct *irqlab_ordered_wq;

int irqlab_native_init(void)
{
	irqlab_percpu_wq = alloc_workqueue("irqlab_percpu", 0, 0);
	irqlab_ordered_wq = alloc_ordered_workqueue("irqlab_ordered", 0);
	if (irqlab_percpu_wq && irqlab_ordered_wq)
		return 0;
	irqlab_native_exit();
	return -ENOMEM;
}

void irqlab_native_exit(void)
{
	if (irqlab_percpu_wq)
		destroy_workqueue(irqlab_percpu_wq);
	if (irqlab_ordered_wq)
		destroy_workqueue(irqlab_ordered_wq);
	irqlab_percpu_wq = NULL;
	irqlab_ordered_wq = NULL;
}

/* The workqueue of a workqueue mechanism, and its name for the tracepoint. */
static struct workqueue_struct *irqlab_native_wq(u32 mech, const char **name)
{
	static const struct {
		struct workqueue_struct **wq;
		const char *name;
	} queues[IRQLAB_NR_MECHS] = {
		[IRQLAB_MECH_WQ_SYSTEM] = { &system_wq, "events" },
		[IRQLAB_MECH_WQ_HIGHPRI] = { &system_highpri_wq, "events_highpri" },
		[IRQLAB_MECH_WQ_UNBOUND] = { &system_unbound_wq, "events_unbound" },
		[IRQLAB_MECH_WQ_PERCPU] = { &irqlab_percpu_wq, "irqlab_percpu" },
		[IRQLAB_MECH_WQ_ORDERED] = { &irqlab_ordered_wq, "irqlab_ordered" },
#ifdef IRQLAB_HAVE_BH_WORKQUEUE
		[IRQLAB_MECH_WQ_BH] = { &system_bh_wq, "events_bh" },
#endif
	};

	if (mech >= IRQLAB_NR_MECHS || !queues[mech].wq)
		return NULL;
	*name = queues[mech].name;
	return *queues[mech].wq;
}

static bool irqlab_mech_is_thread(u32 mech)
{
	return mech == IRQLAB_MECH_THREAD || mech == IRQLAB_MECH_THREAD_ONESHOT;
}

/* --- TASKLET_SOFTIRQ probes ---------------------------------------------- */

static DEFINE_MUTEX(irqlab_softirq_probe_lock);
static unsigned int irqlab_softirq_probe_users;

struct irqlab_softirq_probe {
	const char *name;
	enum irqlab_softirq_event event;
	void *probe;
	struct tracepoint *tp;
};

static void irqlab_native_softirq(enum irqlab_softirq_event event, unsigned int nr)
{
	struct irqlab_vector *vec = irqlab_measure_softirq(IRQLAB_PATH_NATIVE, event, nr);

	if (!vec)
		return;
	switch (event) {
	case IRQLAB_SOFTIRQ_RAISE:
		trace_irqlab_softirq_raise(nr, IRQLAB_PATH_NATIVE, IRQLAB_MECH_SOFTIRQ, vec->index);
		break;
	case IRQLAB_SOFTIRQ_ENTRY:
		trace_irqlab_softirq_entry(nr, IRQLAB_PATH_NATIVE, IRQLAB_MECH_SOFTIRQ, vec->index);
		break;
	case IRQLAB_SOFTIRQ_EXIT:
		trace_irqlab_softirq_exit(nr, IRQLAB_PATH_NATIVE, IRQLAB_MECH_SOFTIRQ, vec->index);
		break;
	}
}

static void irqlab_probe_softirq_raise(void *data, unsigned int nr)
{
	irqlab_native_softirq(IRQLAB_SOFTIRQ_RAISE, nr);
}

static void irqlab_probe_softirq_entry(void *data, unsigned int nr)
{
	irqlab_native_softirq(IRQLAB_SOFTIRQ_ENTRY, nr);
}

static void irqlab_probe_softirq_exit(void *data, unsigned int nr)
{
	irqlab_native_softirq(IRQLAB_SOFTIRQ_EXIT, nr);
}

static struct irqlab_softirq_probe irqlab_softirq_probes[] = {
	{ "softirq_raise", IRQLAB_SOFTIRQ_RAISE, irqlab_probe_softirq_raise },
	{ "softirq_entry", IRQLAB_SOFTIRQ_ENTRY, irqlab_probe_softirq_entry },
	{ "softirq_exit", IRQLAB_SOFTIRQ_EXIT, irqlab_probe_softirq_exit },
};

static void irqlab_find_softirq_tracepoint(struct tracepoint *tp, void *unused)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(irqlab_softirq_probes); i++)
		if (!strcmp(tp->name, irqlab_softirq_probes[i].name))
			irqlab_softirq_probes[i].tp = tp;
}

static void irqlab_softirq_probes_unregister(unsigned int registered)
{
	while (registered--) {
		struct irqlab_softirq_probe *p = &irqlab_softirq_probes[registered];

		tracepoint_probe_unregister(p->tp, p->probe, NULL);
	}
	/* No probe runs any more when the module may go. */
	tracepoint_synchronize_unregister();
}

static int irqlab_softirq_probes_get(void)
{
	unsigned int i;
	int ret = 0;

	mutex_lock(&irqlab_softirq_probe_lock);
	if (irqlab_softirq_probe_users++)
		goto out;
	for_each_kernel_tracepoint(irqlab_find_softirq_tracepoint, NULL);
	for (i = 0; i < ARRAY_SIZE(irqlab_softirq_probes) && !ret; i++) {
		struct irqlab_softirq_probe *p = &irqlab_softirq_probes[i];

		ret = p->tp ? tracepoint_probe_register(p->tp, p->probe, NULL) : -EOPNOTSUPP;
	}
	if (ret) {
		irqlab_softirq_probes_unregister(i - 1);
		irqlab_softirq_probe_users--;
		pr_info("native softirq timing unavailable: irq:softirq_* tracepoints: %d\n", ret);
		ret = -EOPNOTSUPP;
	}
out:
	mutex_unlock(&irqlab_softirq_probe_lock);
	return ret;
}

static void irqlab_softirq_probes_put(void)
{
	mutex_lock(&irqlab_softirq_probe_lock);
	if (!--irqlab_softirq_probe_users)
		irqlab_softirq_probes_unregister(ARRAY_SIZE(irqlab_softirq_probes));
	mutex_unlock(&irqlab_softirq_probe_lock);
}

/* --- Bottom halves ------------------------------------------------------- */

static void irqlab_native_tasklet(struct tasklet_struct *tasklet)
{
	struct irqlab_vector *vec = from_tasklet(vec, tasklet, native.tasklet);

	trace_irqlab_tasklet_entry(tasklet, irqlab_native_tasklet, IRQLAB_PATH_NATIVE,
				   vec->measure.mech, vec->index);
	/* The softirq mechanism's bottom half is the whole softirq run. */
	if (vec->measure.mech == IRQLAB_MECH_SOFTIRQ) {
		irqlab_measure_softirq_served(vec);
	} else {
		irqlab_measure_t2(vec);
		irqlab_measure_t3(vec);
	}
	trace_irqlab_tasklet_exit(tasklet, irqlab_native_tasklet, IRQLAB_PATH_NATIVE,
				  vec->measure.mech, vec->index);
}

static void irqlab_native_work(struct work_struct *work)
{
	struct irqlab_vector *vec = container_of(work, struct irqlab_vector, native.work);

	trace_irqlab_work_execute_start(work, irqlab_native_work, IRQLAB_PATH_NATIVE,
					vec->measure.mech, vec->index);
	irqlab_measure_t2(vec);
	irqlab_measure_t3(vec);
	trace_irqlab_work_execute_end(work, irqlab_native_work, IRQLAB_PATH_NATIVE,
				      vec->measure.mech, vec->index);
}

static irqreturn_t irqlab_native_thread(int irq, void *data)
{
	struct irqlab_vector *vec = data;

	trace_irqlab_thread_start(irq, IRQLAB_PATH_NATIVE, vec->measure.mech, vec->index);
	irqlab_measure_t2(vec);
	irqlab_measure_t3(vec);
	trace_irqlab_thread_end(irq, IRQLAB_PATH_NATIVE, vec->measure.mech, vec->index);
	return IRQ_HANDLED;
}

/*
 * From irqlab_vector_irq(), for a vector attached natively: what that
 * handler returns.
 */
irqreturn_t irqlab_native_hardirq(struct irqlab_vector *vec, u32 mech)
{
	struct irqlab_native *native = &vec->native;

	switch (mech) {
	case IRQLAB_MECH_SOFTIRQ:
	case IRQLAB_MECH_TASKLET:
		tasklet_schedule(&native->tasklet);
		break;
	case IRQLAB_MECH_TASKLET_HI:
		tasklet_hi_schedule(&native->tasklet);
		break;
	case IRQLAB_MECH_THREAD:
	case IRQLAB_MECH_THREAD_ONESHOT:
		/*
		 * The wake IRQ_WAKE_THREAD would ask the kernel's flow for
		 * after this handler returned (__irq_wake_thread), done here:
		 * the engine's hardirq window holds its own wake, so the
		 * native one must hold the kernel's (docs/measuring.md).
		 */
		trace_irqlab_thread_wake(vec->irq, IRQLAB_PATH_NATIVE, mech, vec->index);
		/*
		 * Forced-threaded (PREEMPT_RT, threadirqs), this handler runs
		 * in the vector's primary thread, which irq_wake_thread()
		 * would wake again, for ever; the native thread is the
		 * secondary one, which the kernel wakes once this returns.
		 */
		if (!in_hardirq())
			return IRQ_WAKE_THREAD;
		irq_wake_thread(vec->irq, vec);
		break;
	default:
		trace_irqlab_work_queue(&native->work, irqlab_native_work, native->wq_name,
					WORK_CPU_UNBOUND, raw_smp_processor_id(),
					IRQLAB_PATH_NATIVE, mech, vec->index);
		queue_work(native->wq, &native->work);
		break;
	}
	return IRQ_HANDLED;
}

/* --- Attach and detach --------------------------------------------------- */

/*
 * A native mechanism's vector is requested as a driver would request it:
 * threaded mechanisms with a thread, the others without IRQF_NO_THREAD, so
 * that PREEMPT_RT forces the handler into an irq/N thread as it does every
 * driver's. IRQLAB_MECH_NONE gives the vector back its own flags.
 */
static bool irqlab_native_requests_again(u32 mech)
{
	/*
	 * Forced threading is a static key the kernel does not export: known
	 * here only where it is always on. (With threadirqs on a stock
	 * kernel, a native tasklet's or work's handler stays a hard one: a
	 * difference docs/measuring.md names.)
	 */
	return irqlab_mech_is_thread(mech) || IS_ENABLED(CONFIG_PREEMPT_RT);
}

static int irqlab_native_rerequest(struct irqlab_vector *vec, u32 mech)
{
	unsigned long flags = mech == IRQLAB_MECH_THREAD_ONESHOT ? IRQF_ONESHOT : 0;
	int ret, restored;

	free_irq(vec->irq, vec);
	if (irqlab_mech_is_thread(mech))
		ret = request_threaded_irq(vec->irq, irqlab_vector_irq, irqlab_native_thread,
					   flags, vec->name, vec);
	else
		ret = request_irq(vec->irq, irqlab_vector_irq,
				  mech == IRQLAB_MECH_NONE ? IRQLAB_VECTOR_IRQF : 0,
				  vec->name, vec);
	if (!ret)
		return 0;
	restored = request_irq(vec->irq, irqlab_vector_irq, IRQLAB_VECTOR_IRQF, vec->name, vec);
	if (restored) {
		/* The vector stays without a handler: teardown must not free it. */
		vec->irq_lost = true;
		pr_err("%s: cannot request irq %u again: %d\n", vec->name, vec->irq, restored);
	}
	return ret;
}

/* Called with dev->lock held, the vector attached to nothing. */
int irqlab_native_attach(struct irqlab_vector *vec, u32 mech, struct irqlab_hist_set *hists)
{
	struct irqlab_native *native = &vec->native;
	int ret;

	if (vec->irq_lost)
		return -EIO;
	native->wq = NULL;
	if (mech >= IRQLAB_MECH_WQ_SYSTEM && mech <= IRQLAB_MECH_WQ_BH) {
		native->wq = irqlab_native_wq(mech, &native->wq_name);
		if (!native->wq)
			return -EOPNOTSUPP;	/* BH workqueues: Linux 6.9+ */
		/*
		 * Lockdep knows a work item by its INIT_WORK() site: the one
		 * that runs in softirq context gets a site of its own.
		 */
		if (mech == IRQLAB_MECH_WQ_BH)
			INIT_WORK(&native->work, irqlab_native_work);
		else
			INIT_WORK(&native->work, irqlab_native_work);
	} else if (!irqlab_mech_is_thread(mech)) {
		tasklet_setup(&native->tasklet, irqlab_native_tasklet);
	}
	if (mech == IRQLAB_MECH_SOFTIRQ) {
		ret = irqlab_softirq_probes_get();
		if (ret)
			return ret;
	}
	if (irqlab_native_requests_again(mech)) {
		ret = irqlab_native_rerequest(vec, mech);
		if (ret) {
			if (mech == IRQLAB_MECH_SOFTIRQ)
				irqlab_softirq_probes_put();
			return ret;
		}
	}
	irqlab_measure_start(vec, mech, IRQLAB_PATH_NATIVE, hists);
	native->mech = mech;
	/* Everything the handler needs exists: publish. */
	smp_store_release(&native->attached, true);
	return 0;
}

/* Called with dev->lock held: waits until every deferred run has ended. */
void irqlab_native_detach(struct irqlab_vector *vec)
{
	struct irqlab_native *native = &vec->native;
	u32 mech = native->mech;

	if (!native->attached)
		return;
	vec->owner = NULL;
	WRITE_ONCE(native->attached, false);
	/* No handler defers any more; threads have finished too. */
	synchronize_irq(vec->irq);
	if (native->wq)
		flush_work(&native->work);
	else if (!irqlab_mech_is_thread(mech))
		tasklet_kill(&native->tasklet);	/* a scheduled one runs first */
	if (irqlab_native_requests_again(mech))
		irqlab_native_rerequest(vec, IRQLAB_MECH_NONE);
	if (mech == IRQLAB_MECH_SOFTIRQ)
		irqlab_softirq_probes_put();
	irqlab_measure_stop(vec);
}
