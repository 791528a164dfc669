// SPDX-License-Identifier: GPL-2.0
/* The engine commands of /dev/irqlab (see engine.c). */
#include <linux/build_bug.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/uaccess.h>

#include "device.h"
#include "ioctl.h"

static_assert(offsetof(struct irqlab_engine_attach, bdf) == 0);
static_assert(offsetof(struct irqlab_engine_detach, bdf) == 0);
static_assert(offsetof(struct irqlab_engine_line, bdf) == 0);

static long irqlab_op_engine_attach(struct irqlab_device *dev, void *arg)
{
	return irqlab_engine_attach_vectors(dev, arg);
}

long irqlab_ioctl_engine_attach(void __user *uarg)
{
	struct irqlab_engine_attach attach;

	return irqlab_device_request(uarg, &attach, sizeof(attach),
				     irqlab_op_engine_attach, false);
}

static long irqlab_op_engine_detach(struct irqlab_device *dev, void *arg)
{
	const struct irqlab_engine_detach *detach = arg;

	return irqlab_engine_detach_vectors(dev, detach->vectors);
}

long irqlab_ioctl_engine_detach(void __user *uarg)
{
	struct irqlab_engine_detach detach;

	return irqlab_device_request(uarg, &detach, sizeof(detach),
				     irqlab_op_engine_detach, false);
}

static long irqlab_op_engine_line(struct irqlab_device *dev, void *arg)
{
	return irqlab_engine_line_info(dev, arg);
}

long irqlab_ioctl_engine_line(void __user *uarg)
{
	/* Over half a KiB: not on the kernel stack. */
	struct irqlab_engine_line *line = kzalloc(sizeof(*line), GFP_KERNEL);
	long ret;

	if (!line)
		return -ENOMEM;
	ret = irqlab_device_request(uarg, line, sizeof(*line), irqlab_op_engine_line, true);
	kfree(line);
	return ret;
}

long irqlab_ioctl_engine_softirqs(void __user *uarg)
{
	struct irqlab_engine_softirqs *info = kzalloc(sizeof(*info), GFP_KERNEL);
	long ret = -EFAULT;

	if (!info)
		return -ENOMEM;
	if (copy_from_user(info, uarg, sizeof(*info)))
		goto out;
	ret = irqlab_engine_softirq_info(info);
	if (!ret && copy_to_user(uarg, info, sizeof(*info)))
		ret = -EFAULT;
out:
	kfree(info);
	return ret;
}
