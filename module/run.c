// SPDX-License-Identifier: GPL-2.0
/*
 * Firing runs: a kernel thread per device issues 'count' triggers on each
 * chosen vector, round robin, paced to the rate. The ioctl that starts a
 * run returns at once; RUN_STATUS polls it and STOP cancels it, so no
 * caller ever sleeps uninterruptibly on a run. A run belongs to the open
 * file that started it (run.owner), whose close stops it (file.c), unless
 * it was started detached.
 *
 * Back to back (rate 0) means: the next trigger on a vector as soon as the
 * previous one arrived, waiting at most IRQLAB_DELIVERY_WAIT_NS, so a run
 * measures delivery rather than coalescing. With a rate, triggers follow
 * the clock and whatever is still in flight is coalesced (and counted).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/sched/task.h>
#include <linux/timekeeping.h>

#include "device.h"

#define IRQLAB_DELIVERY_WAIT_NS	(10 * NSEC_PER_MSEC)
/*
 * The run thread never holds its CPU longer than this without a preemption
 * point: on a voluntary-preemption kernel a spinning kernel thread would
 * otherwise delay whatever the interrupts it fires woke on that CPU.
 */
#define IRQLAB_SPIN_SLICE_NS	(50 * NSEC_PER_USEC)
/* How long triggers still in flight at the end may take to arrive. */
#define IRQLAB_GRACE_NS		(200 * NSEC_PER_MSEC)

/*
 * Not cut short by a stop: a release frees the vectors right after, and a
 * trigger still in flight would arrive at a vector without a handler
 * ("unexpected IRQ trap"). The wait is bounded either way.
 */
static bool irqlab_wait_delivered(struct irqlab_vector *vec, u64 timeout_ns)
{
	u64 now = ktime_get_ns();
	u64 deadline = now + timeout_ns;
	u64 slice_end = now + IRQLAB_SPIN_SLICE_NS;

	while (atomic_read(&vec->outstanding)) {
		now = ktime_get_ns();
		if (now > deadline)
			return false;
		if (now > slice_end) {
			cond_resched();
			slice_end = ktime_get_ns() + IRQLAB_SPIN_SLICE_NS;
		}
		cpu_relax();
	}
	return true;
}

/* Which CPU the run fires from: one CPU, or -1 once it moved. */
static void irqlab_note_firing_cpu(struct irqlab_run *run)
{
	int cpu = raw_smp_processor_id();

	if (run->fired_anywhere) {
		run->fired_from_cpu = cpu;
		run->fired_anywhere = false;
	} else if (run->fired_from_cpu != cpu) {
		run->fired_from_cpu = -1;
	}
}

static void irqlab_pace(u64 *next_ns, u64 period_ns)
{
	ktime_t deadline;

	*next_ns += period_ns;
	deadline = ns_to_ktime(*next_ns);
	/* A stop wakes the thread out of this sleep. */
	set_current_state(TASK_INTERRUPTIBLE);
	if (!kthread_should_stop())
		schedule_hrtimeout_range(&deadline, 0, HRTIMER_MODE_ABS);
	__set_current_state(TASK_RUNNING);
}

/* External runs: wait until every vector received its count, or a stop. */
static int irqlab_run_external(struct irqlab_device *dev, const struct irqlab_fire *fire)
{
	unsigned int v, cpu;

	for (;;) {
		bool all = true;

		for_each_set_bit(v, dev->run.vectors, dev->nr_vectors) {
			u64 received = 0;

			for_each_possible_cpu(cpu)
				received += per_cpu_ptr(dev->vectors[v].counters, cpu)->received;
			all = all && received >= fire->count;
		}
		if (all)
			return 0;
		if (kthread_should_stop())
			return -EINTR;
		msleep_interruptible(5);
	}
}

static int irqlab_run_triggers(struct irqlab_device *dev, const struct irqlab_fire *fire)
{
	u64 period = fire->rate_hz ? div_u64(NSEC_PER_SEC, fire->rate_hz) : 0;
	u64 next = ktime_get_ns();
	u64 i;
	unsigned int v;
	int ret;

	for (i = 0; i < fire->count; i++) {
		for_each_set_bit(v, dev->run.vectors, dev->nr_vectors) {
			struct irqlab_vector *vec = &dev->vectors[v];

			if (kthread_should_stop())
				return -EINTR;
			if (!period)
				irqlab_wait_delivered(vec, IRQLAB_DELIVERY_WAIT_NS);
			irqlab_note_firing_cpu(&dev->run);
			ret = irqlab_trigger(vec, fire->trigger);
			if (ret < 0)
				return ret;
			atomic64_inc(&dev->run.issued);
			if (period)
				irqlab_pace(&next, period);
		}
		if (!period)
			cond_resched();
	}
	return 0;
}

static int irqlab_run_thread(void *data)
{
	struct irqlab_device *dev = data;
	const struct irqlab_fire *fire = &dev->run.params;
	unsigned int v;
	u64 undelivered = 0;
	int ret;

	if (fire->trigger == IRQLAB_TRIGGER_EXTERNAL)
		ret = irqlab_run_external(dev, fire);
	else
		ret = irqlab_run_triggers(dev, fire);

	/* What is still in flight gets a grace period to arrive. */
	for_each_set_bit(v, dev->run.vectors, dev->nr_vectors) {
		if (!irqlab_wait_delivered(&dev->vectors[v], IRQLAB_GRACE_NS))
			undelivered += atomic_read(&dev->vectors[v].outstanding);
	}
	dev->run.undelivered = undelivered;
	dev->run.error = ret == -EINTR ? 0 : ret;
	/* Publishes error and undelivered along with the state. */
	atomic_set_release(&dev->run.state, ret == -EINTR ? IRQLAB_RUN_STOPPED :
					    ret ? IRQLAB_RUN_FAILED : IRQLAB_RUN_DONE);
	/* Exiting is fine: the task stays pinned until irqlab_run_stop(). */
	return 0;
}

/*
 * Joins the run thread, finished or not: kthread_stop() also reaps a
 * thread that already returned, because irqlab_run_start() pinned its
 * task. Called with dev->lock held.
 */
void irqlab_run_stop(struct irqlab_device *dev)
{
	struct task_struct *task = dev->run.task;

	dev->run.owner = NULL;
	if (!task)
		return;
	kthread_stop(task);
	put_task_struct(task);
	dev->run.task = NULL;
	/* Stopped before it ever ran: kthread() skips the thread function. */
	atomic_cmpxchg(&dev->run.state, IRQLAB_RUN_RUNNING, IRQLAB_RUN_STOPPED);
}

/* 'vectors' is a valid set of the device's vectors (irqlab_vectors_read). */
static int irqlab_run_validate(struct irqlab_device *dev, const struct irqlab_fire *fire,
			       const unsigned long *vectors)
{
	if ((fire->flags & ~IRQLAB_FIRE_FLAGS) || !fire->count ||
	    fire->count > IRQLAB_MAX_COUNT)
		return -EINVAL;
	switch (fire->trigger) {
	case IRQLAB_TRIGGER_DEVICE:
		if (!dev->ops)
			return -EOPNOTSUPP;
		if (find_next_bit(vectors, dev->nr_vectors, dev->ops->max_vectors) <
		    dev->nr_vectors)
			return -ERANGE;
		break;
	case IRQLAB_TRIGGER_IPI:
	case IRQLAB_TRIGGER_EXTERNAL:
		break;
	default:
		return -EINVAL;
	}
	if (fire->cpu < -1 || (fire->cpu >= 0 && ((unsigned int)fire->cpu >= nr_cpu_ids ||
						  !cpu_online(fire->cpu))))
		return -ERANGE;
	return 0;
}

/*
 * With a CPU under test, the run fires from the first other online CPU, so
 * that neither its spinning nor its preemption points sit between the
 * interrupts and what they wake there. Without one (or with one CPU) the
 * scheduler places it.
 */
static void irqlab_run_place(struct task_struct *task, int target)
{
	unsigned int cpu;

	if (target < 0)
		return;
	for_each_online_cpu(cpu) {
		if (cpu != target) {
			set_cpus_allowed_ptr(task, cpumask_of(cpu));
			return;
		}
	}
}

/* Called with dev->lock held. */
int irqlab_run_start(struct irqlab_device *dev, const struct irqlab_fire *fire,
		     const unsigned long *vectors, struct irqlab_file *owner)
{
	struct task_struct *task;
	unsigned int v;
	int ret;

	ret = irqlab_run_validate(dev, fire, vectors);
	if (ret)
		return ret;
	if (atomic_read(&dev->run.state) == IRQLAB_RUN_RUNNING)
		return -EBUSY;
	irqlab_run_stop(dev);	/* reap the previous, finished run */

	if (fire->cpu >= 0) {
		for_each_set_bit(v, vectors, dev->nr_vectors) {
			ret = irqlab_vector_set_affinity(dev, v, cpumask_of(fire->cpu));
			if (ret)
				return ret;
		}
	}

	/* The run's own copy: the request's goes when the ioctl returns. */
	if (!dev->run.vectors) {
		dev->run.vectors = bitmap_zalloc(dev->nr_vectors, GFP_KERNEL);
		if (!dev->run.vectors)
			return -ENOMEM;
	}
	bitmap_copy(dev->run.vectors, vectors, dev->nr_vectors);
	dev->run.nr_fired = bitmap_weight(vectors, dev->nr_vectors);
	dev->run.params = *fire;
	dev->run.error = 0;
	dev->run.undelivered = 0;
	dev->run.fired_from_cpu = -1;
	dev->run.fired_anywhere = true;
	atomic64_set(&dev->run.issued, 0);
	atomic_set(&dev->run.state, IRQLAB_RUN_RUNNING);
	task = kthread_create(irqlab_run_thread, dev, "irqlab-fire/%s", dev->bdf);
	if (IS_ERR(task)) {
		atomic_set(&dev->run.state, IRQLAB_RUN_FAILED);
		dev->run.error = PTR_ERR(task);
		return PTR_ERR(task);
	}
	irqlab_run_place(task, fire->cpu);
	get_task_struct(task);
	dev->run.task = task;
	dev->run.owner = fire->flags & IRQLAB_FIRE_DETACHED ? NULL : owner;
	wake_up_process(task);
	return 0;
}

void irqlab_run_status(struct irqlab_device *dev, struct irqlab_run_status *status)
{
	const struct irqlab_fire *fire = &dev->run.params;
	unsigned int state = atomic_read_acquire(&dev->run.state);

	status->state = state;
	status->issued = atomic64_read(&dev->run.issued);
	status->planned = fire->count * dev->run.nr_fired;
	status->error = state == IRQLAB_RUN_RUNNING ? 0 : dev->run.error;
	status->undelivered = state == IRQLAB_RUN_RUNNING ? 0 : dev->run.undelivered;
	status->fired_from_cpu = state == IRQLAB_RUN_RUNNING ? -1 : dev->run.fired_from_cpu;
	status->pad = 0;
}
