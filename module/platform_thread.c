// SPDX-License-Identifier: GPL-2.0
/*
 * Platform interface: kernel threads for the C++ core.
 *
 * The task is pinned with get_task_struct() for the handle's lifetime, so
 * stopping a thread whose function already returned is still safe.
 */
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "irqlab/platform.h"

struct irqlab_thread {
	struct task_struct *task;
};

struct irqlab_thread *irqlab_plat_thread_create(irqlab_thread_fn fn, void *arg,
						unsigned int cpu,
						const char *name)
{
	struct irqlab_thread *thread = kmalloc(sizeof(*thread), GFP_KERNEL);
	struct task_struct *task;

	if (!thread)
		return NULL;
	task = kthread_create(fn, arg, "%s", name);
	if (IS_ERR(task)) {
		kfree(thread);
		return NULL;
	}
	if (cpu != IRQLAB_ANY_CPU)
		kthread_bind(task, cpu);
	get_task_struct(task);
	thread->task = task;
	return thread;
}

void irqlab_plat_thread_wake(struct irqlab_thread *thread)
{
	wake_up_process(thread->task);
}

int irqlab_plat_thread_stop(struct irqlab_thread *thread)
{
	int ret = kthread_stop(thread->task);

	put_task_struct(thread->task);
	kfree(thread);
	return ret;
}

int irqlab_plat_thread_park(struct irqlab_thread *thread)
{
	return kthread_park(thread->task);
}

void irqlab_plat_thread_unpark(struct irqlab_thread *thread)
{
	kthread_unpark(thread->task);
}

void irqlab_plat_thread_set_fifo(struct irqlab_thread *thread)
{
	sched_set_fifo(thread->task);
}

void irqlab_plat_thread_set_nice(struct irqlab_thread *thread, int nice)
{
	set_user_nice(thread->task, clamp(nice, MIN_NICE, MAX_NICE));
}

/*
 * set_cpus_allowed_ptr() and not kthread_bind(): the latter wants a task
 * that never ran. A kthread may be bound to a CPU that is online but not
 * yet active, which is where the engine's online callback runs.
 */
void irqlab_plat_thread_bind(struct irqlab_thread *thread, unsigned int cpu)
{
	/*
	 * Never onto a dying CPU (a worker binding itself late, after its
	 * pool's CPU came back and while it goes again): the scheduler would
	 * have to push the thread off it again.
	 */
	const struct cpumask *mask = cpu >= nr_cpu_ids || cpu_dying(cpu) ?
				     cpu_possible_mask : cpumask_of(cpu);

	set_cpus_allowed_ptr(thread->task, mask);
}

bool irqlab_plat_thread_should_stop(void)
{
	return kthread_should_stop();
}

bool irqlab_plat_thread_should_park(void)
{
	return kthread_should_park();
}

void irqlab_plat_thread_parkme(void)
{
	kthread_parkme();
}
