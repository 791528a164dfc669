/* SPDX-License-Identifier: GPL-2.0 */
/* Handlers of the /dev/irqlab commands, dispatched by chardev.c. */
#ifndef IRQLAB_IOCTL_H
#define IRQLAB_IOCTL_H

#include <linux/compiler_types.h>
#include <linux/types.h>

long irqlab_ioctl_claim(void __user *uarg);
long irqlab_ioctl_release(void __user *uarg);
long irqlab_ioctl_vector_info(void __user *uarg);
long irqlab_ioctl_vector_route(void __user *uarg);
long irqlab_ioctl_set_affinity(void __user *uarg);
struct irqlab_file;
/* These act for, and on what is owned by, the calling open file. */
long irqlab_ioctl_fire(struct irqlab_file *file, void __user *uarg);
long irqlab_ioctl_engine_attach(struct irqlab_file *file, void __user *uarg);
long irqlab_ioctl_mech_attach(struct irqlab_file *file, void __user *uarg);
long irqlab_ioctl_hist_config(struct irqlab_file *file, void __user *uarg);
long irqlab_ioctl_hist_read(struct irqlab_file *file, void __user *uarg);

long irqlab_ioctl_run_status(void __user *uarg);
long irqlab_ioctl_stop(void __user *uarg);
long irqlab_ioctl_stats(void __user *uarg);
long irqlab_ioctl_reset(void __user *uarg);
long irqlab_ioctl_list(void __user *uarg);
long irqlab_ioctl_info(void __user *uarg);
long irqlab_ioctl_device_caps(void __user *uarg);
long irqlab_ioctl_engine_detach(void __user *uarg);
long irqlab_ioctl_engine_line(void __user *uarg);
long irqlab_ioctl_engine_softirqs(void __user *uarg);
long irqlab_ioctl_engine_pool(void __user *uarg);
long irqlab_ioctl_engine_workqueue(void __user *uarg);
long irqlab_ioctl_engine_config(void __user *uarg);
long irqlab_ioctl_engine_flush(void __user *uarg);
long irqlab_ioctl_mech_detach(void __user *uarg);
long irqlab_ioctl_mech_stats(void __user *uarg);

struct irqlab_device;
/*
 * The shape of most device commands: copy the request in, run 'op' on the
 * device its leading bdf names, under the device's lock, and copy the
 * request (now the answer) back out when 'answer' is set.
 */
long irqlab_device_request(void __user *uarg, void *req, size_t size,
			   long (*op)(struct irqlab_device *dev, void *arg),
			   bool answer);

/* What an owned command's 'op' gets: the request and the calling file. */
struct irqlab_owned_request {
	struct irqlab_file *file;
	void *req;
};

/*
 * As irqlab_device_request(), answering nothing, for a command whose
 * effect 'file' owns: the file tracks the device first (file.h), and 'op'
 * gets a struct irqlab_owned_request.
 */
long irqlab_owned_device_request(struct irqlab_file *file, void __user *uarg, void *req,
				 size_t size, long (*op)(struct irqlab_device *dev, void *arg));

#endif /* IRQLAB_IOCTL_H */
