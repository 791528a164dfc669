/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pair of dynamic cpuhp states that calls an engine's hotplug steps
 * (docs/engine.md "CPU hotplug"): one pair for the module's engine
 * (hotplug.c), one per test cycle (platform_hotplug.c).
 */
#ifndef IRQLAB_CPUHP_H
#define IRQLAB_CPUHP_H

struct irqlab_cpuhp_steps {
	/* The kernel keeps the names: string literals. */
	const char *online_name;
	const char *dead_name;
	int (*online)(unsigned int cpu);
	int (*down_prep)(unsigned int cpu);
	int (*dead)(unsigned int cpu);
};

struct irqlab_cpuhp {
	int online_state;
	int dead_state;
};

/*
 * Sets up, without calling them, CPUHP_BP_PREPARE_DYN 'dead' (teardown
 * only, on a control CPU once the CPU is dead) and CPUHP_AP_ONLINE_DYN
 * 'online' / 'down_prep' (on the CPU itself). 0, or a negative errno with
 * neither state left. The caller holds cpus_read_lock().
 */
int irqlab_cpuhp_setup(struct irqlab_cpuhp *hp, const struct irqlab_cpuhp_steps *steps);
/* Removes both, without calling them; the caller holds cpus_read_lock(). */
void irqlab_cpuhp_remove(struct irqlab_cpuhp *hp);

#endif /* IRQLAB_CPUHP_H */
