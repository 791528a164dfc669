// SPDX-License-Identifier: GPL-2.0
/*
 * CPU hotplug for the module's engine: two dynamic cpuhp states call the
 * engine's hotplug steps (irqlab/core.h, docs/engine.md "CPU hotplug").
 *
 *  - CPUHP_AP_ONLINE_DYN, on the CPU itself: startup brings the CPU's
 *    daemons back and binds its worker pools (irqlab_engine_cpu_online);
 *    teardown, on the dying CPU, unbinds the pools and parks the daemons
 *    (irqlab_engine_cpu_down_prep).
 *  - CPUHP_BP_PREPARE_DYN, teardown only, on a control CPU once the CPU is
 *    dead: its pending work moves there (irqlab_engine_cpu_dead).
 *
 * Both are set up and removed with the hotplug lock held by the caller
 * (module/engine.c), which also creates and destroys the engine under it:
 * no CPU comes or goes between the engine starting its per-CPU threads for
 * the online CPUs and the states being in place, nor between their
 * removal and the engine's end. irqlab_cpuhp_setup() (cpuhp.h) sets up
 * such a pair for the module's engine here and for each test cycle
 * (platform_hotplug.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/printk.h>

#include "irqlab/core.h"
#include "cpuhp.h"
#include "device.h"

static struct irqlab_engine *irqlab_hotplug_engine;
static struct irqlab_cpuhp irqlab_engine_cpuhp = { -1, -1 };

static int irqlab_cpu_online(unsigned int cpu)
{
	int ret = irqlab_engine_cpu_online(irqlab_hotplug_engine, cpu);

	if (ret)
		pr_err("engine: CPU %u: its threads could not be started (%d)\n", cpu, ret);
	return ret;
}

static int irqlab_cpu_down_prep(unsigned int cpu)
{
	irqlab_engine_cpu_down_prep(irqlab_hotplug_engine, cpu);
	return 0;
}

static int irqlab_cpu_dead(unsigned int cpu)
{
	irqlab_engine_cpu_dead(irqlab_hotplug_engine, cpu);
	return 0;
}

int irqlab_cpuhp_setup(struct irqlab_cpuhp *hp, const struct irqlab_cpuhp_steps *steps)
{
	int ret;

	hp->online_state = -1;
	ret = cpuhp_setup_state_nocalls_cpuslocked(CPUHP_BP_PREPARE_DYN, steps->dead_name,
						   NULL, steps->dead);
	if (ret < 0) {
		hp->dead_state = -1;
		return ret;
	}
	hp->dead_state = ret;
	ret = cpuhp_setup_state_nocalls_cpuslocked(CPUHP_AP_ONLINE_DYN, steps->online_name,
						   steps->online, steps->down_prep);
	if (ret < 0) {
		irqlab_cpuhp_remove(hp);
		return ret;
	}
	hp->online_state = ret;
	return 0;
}

void irqlab_cpuhp_remove(struct irqlab_cpuhp *hp)
{
	if (hp->online_state >= 0)
		cpuhp_remove_state_nocalls_cpuslocked(hp->online_state);
	if (hp->dead_state >= 0)
		cpuhp_remove_state_nocalls_cpuslocked(hp->dead_state);
	hp->online_state = -1;
	hp->dead_state = -1;
}

static const struct irqlab_cpuhp_steps irqlab_engine_steps = {
	.online_name = "irqlab/engine:online",
	.dead_name = "irqlab/engine:dead",
	.online = irqlab_cpu_online,
	.down_prep = irqlab_cpu_down_prep,
	.dead = irqlab_cpu_dead,
};

/* The caller holds cpus_read_lock(). */
int irqlab_hotplug_start(struct irqlab_engine *engine)
{
	int ret;

	irqlab_hotplug_engine = engine;
	ret = irqlab_cpuhp_setup(&irqlab_engine_cpuhp, &irqlab_engine_steps);
	if (ret < 0)
		irqlab_hotplug_engine = NULL;
	return ret;
}

/* The caller holds cpus_read_lock(). */
void irqlab_hotplug_stop(void)
{
	irqlab_cpuhp_remove(&irqlab_engine_cpuhp);
	irqlab_hotplug_engine = NULL;
}
