// SPDX-License-Identifier: GPL-2.0
/*
 * Platform interface: a real CPU hotplug cycle for the shared test cases
 * (irqlab_plat_cpu_cycle). The module's own engine has its states in
 * module/hotplug.c; a test's engine gets two dynamic states for the
 * duration of one remove_cpu() / add_cpu() cycle, with the same steps.
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/mutex.h>

#include "irqlab/platform.h"

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

int irqlab_plat_cpu_cycle(unsigned int cpu, const struct irqlab_hotplug_ops *ops, void *ctx)
{
	int online_state, dead_state, ret;

	if (cpu >= nr_cpu_ids || !cpu_online(cpu))
		return -EINVAL;
	mutex_lock(&irqlab_cycle_lock);
	irqlab_cycle_ops = ops;
	irqlab_cycle_ctx = ctx;
	irqlab_cycle_cpu = cpu;
	ret = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "irqlab/test:online",
					irqlab_cycle_online, irqlab_cycle_down_prep);
	if (ret < 0)
		goto out;
	online_state = ret;
	ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "irqlab/test:dead", NULL,
					irqlab_cycle_dead);
	if (ret < 0)
		goto out_online;
	dead_state = ret;
	ret = remove_cpu(cpu);
	if (!ret) {
		ops->while_offline(ctx, cpu);
		ret = add_cpu(cpu);
	}
	cpuhp_remove_state_nocalls(dead_state);
out_online:
	cpuhp_remove_state_nocalls(online_state);
out:
	mutex_unlock(&irqlab_cycle_lock);
	return ret;
}
