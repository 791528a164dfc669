/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The platform interface: everything the C++ core may ask of the world.
 *
 * The core (core/, cxxrt/) includes no kernel header; it calls only these
 * functions. module/platform_*.c implements them with kernel APIs, and
 * hosted/ implements them for the unit tests. Each call is coarse on
 * purpose: gcc has no LTO across this boundary, so every call is real.
 *
 * This header is valid C (kernel glue) and C++ (core, both modes).
 */
#ifndef IRQLAB_PLATFORM_H
#define IRQLAB_PLATFORM_H

#if defined(__KERNEL__) && !defined(__cplusplus)
#include <linux/types.h>
#else
#include <stddef.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Whether an allocation may sleep. Mirrors GFP_ATOMIC vs GFP_KERNEL; the
 * C++ side never names GFP bits, the glue maps this to them.
 */
enum irqlab_alloc_ctx {
	IRQLAB_ALLOC_ATOMIC = 0,
	IRQLAB_ALLOC_MAY_SLEEP = 1,
};

/* Returns NULL on failure; the memory is suitably aligned for any object. */
void *irqlab_plat_alloc(size_t size, enum irqlab_alloc_ctx ctx);
void irqlab_plat_free(void *ptr);

/*
 * Reports a broken invariant. Callers follow it with __builtin_trap(),
 * which the kernel turns into an oops (as BUG() does); glue functions are
 * never declared noreturn, because objtool cannot see through them.
 */
void irqlab_plat_bug(const char *what);

/* An informational line in the host's log (printk / stderr). */
void irqlab_plat_log(const char *msg);

#ifdef __cplusplus
}
#endif

#endif /* IRQLAB_PLATFORM_H */
