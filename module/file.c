// SPDX-License-Identifier: GPL-2.0
/*
 * An open /dev/irqlab and what it owns (file.h).
 *
 * Lifetimes: the file holds a reference to each device it may own state
 * on, so the close finds the device even after a release or removal; a
 * dead device was torn down with everything on it, and the close skips
 * it. The module cannot go while a file is open (fops.owner). No ioctl of
 * the file runs during its release, so the release needs no file lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>

#include "device.h"
#include "file.h"
#include "measure.h"

struct irqlab_file_device {
	struct list_head node;
	struct irqlab_device *dev;
};

static struct workqueue_struct *irqlab_release_wq;

int irqlab_file_init(void)
{
	irqlab_release_wq = alloc_workqueue("irqlab_release", WQ_UNBOUND, 0);
	return irqlab_release_wq ? 0 : -ENOMEM;
}

void irqlab_file_exit(void)
{
	destroy_workqueue(irqlab_release_wq);
	irqlab_release_wq = NULL;
}

int irqlab_file_open(struct inode *inode, struct file *file)
{
	struct irqlab_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	INIT_LIST_HEAD(&f->devices);
	file->private_data = f;
	return 0;
}

int irqlab_file_track(struct irqlab_file *f, struct irqlab_device *dev)
{
	struct irqlab_file_device *tracked;
	int ret = 0;

	mutex_lock(&f->lock);
	list_for_each_entry(tracked, &f->devices, node) {
		if (tracked->dev == dev)
			goto out;
	}
	tracked = kzalloc(sizeof(*tracked), GFP_KERNEL);
	if (!tracked) {
		ret = -ENOMEM;
		goto out;
	}
	kref_get(&dev->ref);
	tracked->dev = dev;
	list_add_tail(&tracked->node, &f->devices);
out:
	mutex_unlock(&f->lock);
	return ret;
}

struct irqlab_hist_set *irqlab_file_hists(struct irqlab_file *f)
{
	struct irqlab_hist_set *hists;

	mutex_lock(&f->lock);
	if (!f->hists)
		f->hists = irqlab_hist_set_create();
	hists = f->hists;
	mutex_unlock(&f->lock);
	return hists;
}

/*
 * Stops the file's run on the device and detaches its engine lines and
 * mechanisms, each waiting for its deferred runs. dev->lock held.
 */
static void irqlab_device_disown(struct irqlab_device *dev, struct irqlab_file *f)
{
	unsigned int i;

	if (dev->run.owner == f)
		irqlab_run_stop(dev);
	for (i = 0; i < dev->nr_vectors; i++) {
		struct irqlab_vector *vec = &dev->vectors[i];

		if (vec->owner != f)
			continue;
		if (vec->engine_attached)
			irqlab_engine_detach_vector(dev, i);
		else
			irqlab_native_detach(vec);
	}
}

static void irqlab_file_cleanup(struct work_struct *work)
{
	struct irqlab_file *f = container_of(work, struct irqlab_file, release);
	struct irqlab_file_device *tracked, *next;

	list_for_each_entry_safe(tracked, next, &f->devices, node) {
		struct irqlab_device *dev = tracked->dev;

		mutex_lock(&dev->lock);
		if (!dev->dead)
			irqlab_device_disown(dev, f);
		mutex_unlock(&dev->lock);
		irqlab_device_put(dev);
		list_del(&tracked->node);
		kfree(tracked);
	}
	/* No vector records into the set any more: each one was stopped. */
	irqlab_hist_set_destroy(f->hists);
}

int irqlab_file_release(struct inode *inode, struct file *file)
{
	struct irqlab_file *f = file->private_data;

	/*
	 * In a worker, and waited for: a process killed by a signal closes
	 * its files in do_exit() with the signal still pending, where the
	 * engine's killable waits (its detach) would not wait. The worker
	 * takes only dev->lock, which no holder keeps while waiting for a
	 * file to close, so the wait cannot deadlock with a teardown or an
	 * ioctl on another file.
	 */
	if (!list_empty(&f->devices) || f->hists) {
		INIT_WORK(&f->release, irqlab_file_cleanup);
		queue_work(irqlab_release_wq, &f->release);
		flush_work(&f->release);
	}
	mutex_destroy(&f->lock);
	kfree(f);
	return 0;
}
