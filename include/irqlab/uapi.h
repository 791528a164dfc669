/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * irqlab ioctl ABI: the one definition shared by irqlab.ko and the irqlab
 * CLI. Every struct has a fixed size, asserted below, and every command
 * encodes that size: the module answers -EINVAL when a known command comes
 * with another size or direction, and -ENOTTY for commands it does not know.
 */
#ifndef _IRQLAB_UAPI_H
#define _IRQLAB_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define IRQLAB_DEVICE_NAME	"irqlab"
#define IRQLAB_DEVICE_PATH	"/dev/irqlab"

/*
 * Bumped on any incompatible change (major) or backwards-compatible
 * addition (minor). The CLI refuses a module with another major.
 */
#define IRQLAB_ABI_MAJOR	1
#define IRQLAB_ABI_MINOR	0

#define IRQLAB_IOC_MAGIC	0xE1

#define IRQLAB_VERSION_LEN	32
#define IRQLAB_RELEASE_LEN	65	/* __NEW_UTS_LEN + 1 */

/* IRQLAB_IOC_VERSION: what is loaded, for the CLI to check and show. */
struct irqlab_version {
	__u32 abi_major;
	__u32 abi_minor;
	char module_version[IRQLAB_VERSION_LEN];	/* NUL-terminated */
	char kernel_release[IRQLAB_RELEASE_LEN];	/* NUL-terminated */
	__u8 pad[7];					/* zero */
};

#define IRQLAB_IOC_VERSION	_IOR(IRQLAB_IOC_MAGIC, 0x00, struct irqlab_version)

/*
 * Sizes are part of the ABI. Checked wherever static_assert is available:
 * C++ (the CLI), the kernel (linux/build_bug.h) and C11 with <assert.h>.
 */
#if defined(__cplusplus) || defined(static_assert)
static_assert(sizeof(struct irqlab_version) == 112, "irqlab ABI changed");
#endif

#endif /* _IRQLAB_UAPI_H */
