// SPDX-License-Identifier: GPL-2.0
/*
 * Platform interface: per-CPU storage. The C++ side holds the __percpu
 * pointer as an opaque handle and reaches each CPU's copy through here.
 */
#include <linux/percpu.h>

#include "irqlab/platform.h"

void *irqlab_plat_percpu_alloc(size_t size, size_t align)
{
	return (void __force *)__alloc_percpu(size, align);
}

void irqlab_plat_percpu_free(void *handle)
{
	free_percpu((void __percpu __force *)handle);
}

void *irqlab_plat_percpu_ptr(void *handle, unsigned int cpu)
{
	return per_cpu_ptr((void __percpu __force *)handle, cpu);
}

void *irqlab_plat_percpu_this(void *handle)
{
	/* Callers keep preemption or interrupts off (PerCpu::local()). */
	return raw_cpu_ptr((void __percpu __force *)handle);
}
