// SPDX-License-Identifier: GPL-2.0
/* The engine commands of /dev/irqlab (see engine.c). */
#include <linux/bitmap.h>
#include <linux/build_bug.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/uaccess.h>

#include "device.h"
#include "ioctl.h"

static_assert(offsetof(struct irqlab_engine_attach, bdf) == 0);
static_assert(offsetof(struct irqlab_engine_detach, bdf) == 0);
static_assert(offsetof(struct irqlab_engine_line, bdf) == 0);
static_assert(offsetof(struct irqlab_engine_flush, bdf) == 0);

static long irqlab_op_engine_attach(struct irqlab_device *dev, void *arg)
{
	const struct irqlab_owned_request *owned = arg;
	const struct irqlab_engine_attach *attach = owned->req;
	unsigned long *vectors;
	long ret;

	ret = irqlab_vectors_read(dev, &attach->vectors, &vectors);
	if (ret)
		return ret;
	ret = irqlab_engine_attach_vectors(dev, attach, vectors, owned->file);
	bitmap_free(vectors);
	return ret;
}

long irqlab_ioctl_engine_attach(struct irqlab_file *file, void __user *uarg)
{
	struct irqlab_engine_attach attach;

	return irqlab_owned_device_request(file, uarg, &attach, sizeof(attach),
					   irqlab_op_engine_attach);
}

static long irqlab_op_engine_detach(struct irqlab_device *dev, void *arg)
{
	const struct irqlab_engine_detach *detach = arg;

	return irqlab_vectors_apply(dev, &detach->vectors, irqlab_engine_detach_vectors);
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
	/* Half a KiB: not on the kernel stack. */
	struct irqlab_engine_line *line = kzalloc(sizeof(*line), GFP_KERNEL);
	long ret;

	if (!line)
		return -ENOMEM;
	ret = irqlab_device_request(uarg, line, sizeof(*line), irqlab_op_engine_line, true);
	kfree(line);
	return ret;
}

static long irqlab_op_engine_flush(struct irqlab_device *dev, void *arg)
{
	const struct irqlab_engine_flush *flush = arg;

	return irqlab_vectors_apply(dev, &flush->vectors, irqlab_engine_flush_vectors);
}

long irqlab_ioctl_engine_flush(void __user *uarg)
{
	struct irqlab_engine_flush flush;

	return irqlab_device_request(uarg, &flush, sizeof(flush),
				     irqlab_op_engine_flush, false);
}

/*
 * The engine-wide commands: copy in, answer, copy out. 'info' is a heap
 * buffer of 'size' bytes, for the structs too big for the kernel stack.
 */
static long irqlab_engine_request(void __user *uarg, size_t size,
				  int (*answer)(void *info))
{
	void *info = kzalloc(size, GFP_KERNEL);
	long ret = -EFAULT;

	if (!info)
		return -ENOMEM;
	if (copy_from_user(info, uarg, size))
		goto out;
	ret = answer(info);
	if (!ret && copy_to_user(uarg, info, size))
		ret = -EFAULT;
out:
	kfree(info);
	return ret;
}

static int irqlab_answer_softirqs(void *info)
{
	return irqlab_engine_softirq_info(info);
}

long irqlab_ioctl_engine_softirqs(void __user *uarg)
{
	return irqlab_engine_request(uarg, sizeof(struct irqlab_engine_softirqs),
				     irqlab_answer_softirqs);
}

static int irqlab_answer_pool(void *info)
{
	return irqlab_engine_pool_info(info);
}

long irqlab_ioctl_engine_pool(void __user *uarg)
{
	return irqlab_engine_request(uarg, sizeof(struct irqlab_engine_pool),
				     irqlab_answer_pool);
}

static int irqlab_answer_workqueue(void *info)
{
	return irqlab_engine_workqueue_info(info);
}

long irqlab_ioctl_engine_workqueue(void __user *uarg)
{
	return irqlab_engine_request(uarg, sizeof(struct irqlab_engine_workqueue),
				     irqlab_answer_workqueue);
}

static int irqlab_answer_config(void *info)
{
	return irqlab_engine_config(info);
}

long irqlab_ioctl_engine_config(void __user *uarg)
{
	return irqlab_engine_request(uarg, sizeof(struct irqlab_engine_config),
				     irqlab_answer_config);
}
