// SPDX-License-Identifier: GPL-2.0
/*
 * The device commands of /dev/irqlab: copy the request in, check it, find
 * the claimed device, act under its lock, copy the answer out.
 */
#include <linux/bitmap.h>
#include <linux/build_bug.h>
#include <linux/cpumask.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "device.h"
#include "file.h"
#include "ioctl.h"
#include "uarray.h"

/*
 * A BDF from userspace must be NUL-terminated within its field and well
 * formed: a malformed address is EINVAL (uapi.h) for every device command,
 * not ENOENT as for a device nobody claimed.
 */
static int irqlab_bdf_valid(const char *bdf)
{
	unsigned int domain, bus, devfn;

	if (strnlen(bdf, IRQLAB_BDF_LEN) == IRQLAB_BDF_LEN)
		return -EINVAL;
	return irqlab_bdf_parse(bdf, &domain, &bus, &devfn);
}

/*
 * Runs 'op' on the claimed device named by 'bdf' under its lock; -ENOENT
 * when it is not claimed, or was removed meanwhile. With 'owner', the
 * owner tracks the device before 'op' may give it state there.
 */
static long irqlab_with_device(const char *bdf, struct irqlab_file *owner,
			       long (*op)(struct irqlab_device *dev, void *arg),
			       void *arg)
{
	struct irqlab_device *dev;
	long ret;

	ret = irqlab_bdf_valid(bdf);
	if (ret)
		return ret;
	dev = irqlab_device_get(bdf);
	if (!dev)
		return -ENOENT;
	ret = owner ? irqlab_file_track(owner, dev) : 0;
	if (ret) {
		irqlab_device_put(dev);
		return ret;
	}
	mutex_lock(&dev->lock);
	ret = dev->dead ? -ENOENT : op(dev, arg);
	mutex_unlock(&dev->lock);
	irqlab_device_put(dev);
	return ret;
}

long irqlab_ioctl_claim(void __user *uarg)
{
	struct irqlab_claim claim;
	long ret;

	if (copy_from_user(&claim, uarg, sizeof(claim)))
		return -EFAULT;
	ret = irqlab_bdf_valid(claim.bdf);
	if (ret)
		return ret;
	claim.nr_vectors = 0;
	memset(claim.driver, 0, sizeof(claim.driver));
	ret = irqlab_claim(claim.bdf, claim.flags, &claim);
	/* The bound driver is reported on failure too (-EBUSY names it). */
	if (copy_to_user(uarg, &claim, sizeof(claim)))
		return -EFAULT;
	return ret;
}

long irqlab_ioctl_release(void __user *uarg)
{
	struct irqlab_release release;
	long ret;

	if (copy_from_user(&release, uarg, sizeof(release)))
		return -EFAULT;
	ret = irqlab_bdf_valid(release.bdf);
	if (ret)
		return ret;
	if (release.pad)
		return -EINVAL;
	return irqlab_release(release.bdf, release.flags);
}

/* See ioctl.h. Every such request struct starts with its bdf. */
long irqlab_device_request(void __user *uarg, void *req, size_t size,
			   long (*op)(struct irqlab_device *dev, void *arg),
			   bool answer)
{
	long ret;

	if (copy_from_user(req, uarg, size))
		return -EFAULT;
	ret = irqlab_with_device(req, NULL, op, req);
	/* E2BIG answers too: the caller learns the size its array needs. */
	if ((!ret || ret == -E2BIG) && answer && copy_to_user(uarg, req, size))
		return -EFAULT;
	return ret;
}

/* See ioctl.h. */
long irqlab_owned_device_request(struct irqlab_file *file, void __user *uarg, void *req,
				 size_t size, long (*op)(struct irqlab_device *dev, void *arg))
{
	struct irqlab_owned_request owned = { .file = file, .req = req };

	if (copy_from_user(req, uarg, size))
		return -EFAULT;
	return irqlab_with_device(req, file, op, &owned);
}

static_assert(offsetof(struct irqlab_vector_info, bdf) == 0);
static_assert(offsetof(struct irqlab_vector_route, bdf) == 0);
static_assert(offsetof(struct irqlab_affinity, bdf) == 0);
static_assert(offsetof(struct irqlab_fire, bdf) == 0);
static_assert(offsetof(struct irqlab_run_status, bdf) == 0);
static_assert(offsetof(struct irqlab_vector_stats, bdf) == 0);
static_assert(offsetof(struct irqlab_reset, bdf) == 0);

static long irqlab_op_vector_info(struct irqlab_device *dev, void *arg)
{
	return irqlab_vector_info(dev, arg);
}

long irqlab_ioctl_vector_info(void __user *uarg)
{
	struct irqlab_vector_info info;

	return irqlab_device_request(uarg, &info, sizeof(info), irqlab_op_vector_info, true);
}

static long irqlab_op_vector_route(struct irqlab_device *dev, void *arg)
{
	return irqlab_vector_route(dev, arg);
}

long irqlab_ioctl_vector_route(void __user *uarg)
{
	struct irqlab_vector_route route;

	return irqlab_device_request(uarg, &route, sizeof(route), irqlab_op_vector_route, true);
}

static long irqlab_op_set_affinity(struct irqlab_device *dev, void *arg)
{
	struct irqlab_affinity *affinity = arg;
	cpumask_var_t mask;
	long ret;

	if (affinity->pad)
		return -EINVAL;
	if (!zalloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	ret = irqlab_cpumask_read(&affinity->cpus, mask);
	if (!ret)
		ret = irqlab_vector_set_affinity(dev, affinity->vector, mask);
	free_cpumask_var(mask);
	return ret;
}

long irqlab_ioctl_set_affinity(void __user *uarg)
{
	struct irqlab_affinity affinity;

	return irqlab_device_request(uarg, &affinity, sizeof(affinity),
				     irqlab_op_set_affinity, false);
}

static long irqlab_op_fire(struct irqlab_device *dev, void *arg)
{
	const struct irqlab_owned_request *owned = arg;
	const struct irqlab_fire *fire = owned->req;
	unsigned long *vectors;
	long ret;

	ret = irqlab_vectors_read(dev, &fire->vectors, &vectors);
	if (ret)
		return ret;
	ret = irqlab_run_start(dev, fire, vectors, owned->file);
	bitmap_free(vectors);
	return ret;
}

long irqlab_ioctl_fire(struct irqlab_file *file, void __user *uarg)
{
	struct irqlab_fire fire;

	return irqlab_owned_device_request(file, uarg, &fire, sizeof(fire), irqlab_op_fire);
}

static long irqlab_op_run_status(struct irqlab_device *dev, void *arg)
{
	irqlab_run_status(dev, arg);
	return 0;
}

long irqlab_ioctl_run_status(void __user *uarg)
{
	struct irqlab_run_status status;

	return irqlab_device_request(uarg, &status, sizeof(status), irqlab_op_run_status, true);
}

static long irqlab_op_stop(struct irqlab_device *dev, void *arg)
{
	irqlab_run_stop(dev);
	return 0;
}

long irqlab_ioctl_stop(void __user *uarg)
{
	struct irqlab_bdfs list;
	struct irqlab_stop stop;
	unsigned int i;
	long ret;

	if (copy_from_user(&stop, uarg, sizeof(stop)))
		return -EFAULT;
	if (stop.bdf[0])
		return irqlab_with_device(stop.bdf, NULL, irqlab_op_stop, NULL);
	/* Empty: every device; one released meanwhile has nothing to stop. */
	ret = irqlab_device_list(&list);
	if (ret)
		return ret;
	for (i = 0; i < list.count; i++)
		irqlab_with_device(list.bdf[i], NULL, irqlab_op_stop, NULL);
	irqlab_device_list_free(&list);
	return 0;
}

static long irqlab_op_stats(struct irqlab_device *dev, void *arg)
{
	return irqlab_vector_stats(dev, arg);
}

long irqlab_ioctl_stats(void __user *uarg)
{
	struct irqlab_vector_stats stats;

	return irqlab_device_request(uarg, &stats, sizeof(stats), irqlab_op_stats, true);
}

static long irqlab_op_reset(struct irqlab_device *dev, void *arg)
{
	if (atomic_read(&dev->run.state) == IRQLAB_RUN_RUNNING)
		return -EBUSY;
	irqlab_vectors_reset(dev);
	return 0;
}

long irqlab_ioctl_reset(void __user *uarg)
{
	struct irqlab_reset reset;

	return irqlab_device_request(uarg, &reset, sizeof(reset), irqlab_op_reset, false);
}

long irqlab_ioctl_list(void __user *uarg)
{
	struct irqlab_device_list req;
	struct irqlab_bdfs list;
	unsigned int i;
	long ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	ret = irqlab_device_list(&list);
	if (ret)
		return ret;
	ret = irqlab_array_fits(&req.bdfs, list.count);
	for (i = 0; !ret && i < list.count; i++)
		ret = irqlab_array_put(&req.bdfs, i, list.bdf[i], IRQLAB_BDF_LEN);
	irqlab_device_list_free(&list);
	if ((!ret || ret == -E2BIG) && copy_to_user(uarg, &req, sizeof(req)))
		return -EFAULT;
	return ret;
}

long irqlab_ioctl_info(void __user *uarg)
{
	struct irqlab_info info = {
		.nr_cpu_ids = nr_cpu_ids,
		.max_vectors = IRQLAB_MAX_VECTORS,
		.max_bitmap_bits = IRQLAB_BITMAP_MAX_BITS,
		.nr_devices = irqlab_device_count(),
	};

	return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
}

long irqlab_ioctl_device_caps(void __user *uarg)
{
	struct irqlab_device_caps caps;

	if (copy_from_user(&caps, uarg, sizeof(caps)))
		return -EFAULT;
	irqlab_device_caps(&caps);
	return copy_to_user(uarg, &caps, sizeof(caps)) ? -EFAULT : 0;
}
