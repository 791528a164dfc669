// SPDX-License-Identifier: GPL-2.0
/*
 * Platform interface: a real CPU hotplug cycle for the shared test cases
 * (irqlab_plat_cpu_cycle). The module's own engine has its states in
 * module/hotplug.c; a test's engine gets such a pair (cpuhp.h) for the
 * duration of one remove_cpu() / add_cpu() cycle, with the same steps.
 */
#include <linux/cpu.h>
#include <linux/mutex.h>

#include "irqlab/platform.h"
#include "cpuhp.h"

/* One cycle at a time: the states' callbacks find their test here. */
static DEFINE_MUTEX(irqlab_cycle_lock);
static const struct irqlab_hotplug_ops *irqlab_cycle_ops;
static void *irqlab_cycle_ctx;
static unsigned int irqlab_cycle_cpu;

static int irqlab_cycle_online(unsigned int cpu)
{
	if (cpu == irqlab_cycle_cpu)
		irqlab_cycle_ops->online(irqlab_cycle_ctx, cpu);
	return 0;
}

static int irqlab_cycle_down_prep(unsigned int cpu)
{
	if (cpu == irqlab_cycle_cpu)
		irqlab_cycle_ops->down_prep(irqlab_cycle_ctx, cpu);
	return 0;
}

static int irqlab_cycle_dead(unsigned int cpu)
{
	if (cpu == irqlab_cycle_cpu)
		irqlab_cycle_ops->dead(irqlab_cycle_ctx, cpu);
	return 0;
}

static const struct irqlab_cpuhp_steps irqlab_cycle_steps = {
	.online_name = "irqlab/test:online",
	.dead_name = "irqlab/test:dead",
	.online = irqlab_cycle_online,
	.down_prep = irqlab_cycle_down_prep,
	.dead = irqlab_cycle_dead,
};

int irqlab_plat_cpu_cycle(unsigned int cpu, const struct irqlab_hotplug_ops *ops, void *ctx)
{
	struct irqlab_cpuhp hp;
	int ret;

	if (cpu >= nr_cpu_ids || !cpu_online(cpu))
		return -EINVAL;
	mutex_lock(&irqlab_cycle_lock);
	irqlab_cycle_ops = ops;
	irqlab_cycle_ctx = ctx;
	irqlab_cycle_cpu = cpu;
	cpus_read_lock();
	ret = irqlab_cpuhp_setup(&hp, &irqlab_cycle_steps);
	cpus_read_unlock();
	if (ret < 0)
		goto out;
	ret = remove_cpu(cpu);
	if (!ret) {
		ops->while_offline(ctx, cpu);
		ret = add_cpu(cpu);
	}
	cpus_read_lock();
	irqlab_cpuhp_remove(&hp);
	cpus_read_unlock();
out:
	mutex_unlock(&irqlab_cycle_lock);
	return ret;
}
