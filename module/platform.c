// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel implementation of the platform interface (irqlab/platform.h):
 * what the C++ core may ask of the kernel. One coarse function per service;
 * kernel macros and inlines stay on this side of the boundary.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/slab.h>

#include "irqlab/platform.h"

void *irqlab_plat_alloc(size_t size, enum irqlab_alloc_ctx ctx)
{
	if (ctx == IRQLAB_ALLOC_MAY_SLEEP) {
		/* A may-sleep allocation from atomic context is the caller's bug. */
		might_sleep();
		return kmalloc(size, GFP_KERNEL);
	}
	return kmalloc(size, GFP_ATOMIC);
}

void irqlab_plat_free(void *ptr)
{
	kfree(ptr);
}

/*
 * The C++ caller follows this with __builtin_trap(), an invalid opcode that
 * the kernel reports as an oops with this CPU's registers and stack; the
 * message here says which invariant broke.
 */
void irqlab_plat_bug(const char *what)
{
	pr_crit("%s\n", what);
}

void irqlab_plat_log(const char *msg)
{
	pr_info("%s\n", msg);
}
