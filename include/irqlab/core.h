/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry points of the C++ core that the kernel glue calls. Valid C and C++;
 * the platform interface (platform.h) is the other direction.
 */
#ifndef IRQLAB_CORE_H
#define IRQLAB_CORE_H

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Proves at module load that the C++ runtime works in this kernel: a virtual
 * call, a template instantiation, an allocation and free through cxxrt.
 * Returns 0, or a negative errno-style code naming the first failed step.
 */
int irqlab_core_selfcheck(void);

#ifdef __cplusplus
}
#endif

#endif /* IRQLAB_CORE_H */
