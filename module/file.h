/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An open /dev/irqlab: what it attached or started belongs to it and is
 * undone when it is closed, whatever ended the process (exit, a signal,
 * kill -9). Claims and detached state (IRQLAB_ATTACH_KEEP,
 * IRQLAB_FIRE_DETACHED) are not owned.
 */
#ifndef IRQLAB_FILE_H
#define IRQLAB_FILE_H

#include <linux/fs.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>

struct irqlab_device;
struct irqlab_hist_set;

struct irqlab_file {
	/* devices and hists; ioctls on the file may run concurrently */
	struct mutex lock;
	/* The devices it may own state on, each with a reference. */
	struct list_head devices;
	/* Its histograms, made at first use, stable afterwards. */
	struct irqlab_hist_set *hists;
	struct work_struct release;
};

int irqlab_file_init(void);
void irqlab_file_exit(void);

int irqlab_file_open(struct inode *inode, struct file *file);
int irqlab_file_release(struct inode *inode, struct file *file);

/*
 * Before the file may own state on 'dev': keeps a reference to it until
 * the file is closed, so that the close finds it, even removed.
 */
int irqlab_file_track(struct irqlab_file *file, struct irqlab_device *dev);
/* The file's histograms, made now if needed; NULL when out of memory. */
struct irqlab_hist_set *irqlab_file_hists(struct irqlab_file *file);

#endif /* IRQLAB_FILE_H */
