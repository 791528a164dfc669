/* SPDX-License-Identifier: GPL-2.0 */
/* Handlers of the /dev/irqlab commands, dispatched by chardev.c. */
#ifndef IRQLAB_IOCTL_H
#define IRQLAB_IOCTL_H

#include <linux/compiler_types.h>

long irqlab_ioctl_claim(void __user *uarg);
long irqlab_ioctl_release(void __user *uarg);
long irqlab_ioctl_vector_info(void __user *uarg);
long irqlab_ioctl_set_affinity(void __user *uarg);
long irqlab_ioctl_fire(void __user *uarg);
long irqlab_ioctl_run_status(void __user *uarg);
long irqlab_ioctl_stop(void __user *uarg);
long irqlab_ioctl_stats(void __user *uarg);
long irqlab_ioctl_reset(void __user *uarg);
long irqlab_ioctl_list(void __user *uarg);
long irqlab_ioctl_device_caps(void __user *uarg);

#endif /* IRQLAB_IOCTL_H */
