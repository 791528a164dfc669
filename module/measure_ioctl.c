// SPDX-License-Identifier: GPL-2.0
/* The measuring commands of /dev/irqlab (see mech.c and measure.c). */
#include <linux/bitmap.h>
#include <linux/build_bug.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/uaccess.h>

#include "device.h"
#include "file.h"
#include "ioctl.h"

static_assert(offsetof(struct irqlab_mech_attach, bdf) == 0);
static_assert(offsetof(struct irqlab_mech_detach, bdf) == 0);
static_assert(offsetof(struct irqlab_mech_stats, bdf) == 0);

static long irqlab_op_mech_attach(struct irqlab_device *dev, void *arg)
{
	const struct irqlab_owned_request *owned = arg;
	const struct irqlab_mech_attach *attach = owned->req;
	unsigned long *vectors;
	long ret;

	ret = irqlab_vectors_read(dev, &attach->vectors, &vectors);
	if (ret)
		return ret;
	/* The hists were made before the request: stable while the file is open. */
	ret = irqlab_mech_attach(dev, attach, vectors, owned->file, owned->file->hists);
	bitmap_free(vectors);
	return ret;
}

long irqlab_ioctl_mech_attach(struct irqlab_file *file, void __user *uarg)
{
	struct irqlab_mech_attach attach;

	if (!irqlab_file_hists(file))
		return -ENOMEM;
	return irqlab_owned_device_request(file, uarg, &attach, sizeof(attach),
					   irqlab_op_mech_attach);
}

static long irqlab_op_mech_detach(struct irqlab_device *dev, void *arg)
{
	const struct irqlab_mech_detach *detach = arg;

	return irqlab_vectors_apply(dev, &detach->vectors, irqlab_mech_detach);
}

long irqlab_ioctl_mech_detach(void __user *uarg)
{
	struct irqlab_mech_detach detach;

	return irqlab_device_request(uarg, &detach, sizeof(detach), irqlab_op_mech_detach, false);
}

static long irqlab_op_mech_stats(struct irqlab_device *dev, void *arg)
{
	return irqlab_mech_stats_read(dev, arg);
}

long irqlab_ioctl_mech_stats(void __user *uarg)
{
	struct irqlab_mech_stats stats;

	return irqlab_device_request(uarg, &stats, sizeof(stats), irqlab_op_mech_stats, true);
}

long irqlab_ioctl_hist_config(struct irqlab_file *file, void __user *uarg)
{
	struct irqlab_hist_config config;
	struct irqlab_hist_set *hists;

	if (copy_from_user(&config, uarg, sizeof(config)))
		return -EFAULT;
	hists = irqlab_file_hists(file);
	if (!hists)
		return -ENOMEM;
	return irqlab_hist_configure(hists, &config);
}

long irqlab_ioctl_hist_read(struct irqlab_file *file, void __user *uarg)
{
	/* Over half a KiB: not on the kernel stack. */
	struct irqlab_hist *hist = kzalloc(sizeof(*hist), GFP_KERNEL);
	long ret = -EFAULT;

	if (!hist)
		return -ENOMEM;
	if (copy_from_user(hist, uarg, sizeof(*hist)))
		goto out;
	/* Read under the file's lock: the set may be in the making. */
	mutex_lock(&file->lock);
	ret = irqlab_hist_read(file->hists, hist);
	mutex_unlock(&file->lock);
	if (!ret && copy_to_user(uarg, hist, sizeof(*hist)))
		ret = -EFAULT;
out:
	kfree(hist);
	return ret;
}
