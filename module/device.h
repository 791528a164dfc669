/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Claimed devices: irqlab's PCI driver, the MSI-X vectors it owns, the
 * triggers that make them fire, firing runs, and the counters.
 *
 * Locking, outermost first:
 *   irqlab_claim_lock   (claim.c) serialises claim and release;
 *   device_lock()       the driver core's, held around probe and remove;
 *   dev->lock           serialises operations on one device with its
 *                       teardown; operations check dev->dead under it;
 *   irqlab_devices_lock (claim.c) protects the list of claimed devices.
 * Lookups take a kref, so a device removed meanwhile (rmmod, sysfs remove,
 * release) stays allocated until the last operation on it drops it.
 */
#ifndef IRQLAB_DEVICE_H
#define IRQLAB_DEVICE_H

#include <linux/atomic.h>
#include <linux/interrupt.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/sched.h>
#include <linux/workqueue.h>

#include "irqlab/uapi.h"
#include "measure.h"

struct irqlab_device;
/*
 * An open /dev/irqlab (file.c). What it attached or started is undone when
 * it is closed; here it is only compared, never followed.
 */
struct irqlab_file;

/* A device irqlab can make fire by itself (see triggers.c). */
/* How one family of devices is made to fire (triggers.c). */
struct irqlab_trigger_ops {
	int (*setup)(struct irqlab_device *dev);
	void (*teardown)(struct irqlab_device *dev);
	void (*fire)(struct irqlab_device *dev, unsigned int vector);
};

struct irqlab_device_ops {
	u16 vendor;
	u16 device;
	const char *name;
	unsigned int max_vectors;	/* vectors the device can trigger */
	u32 flags;			/* IRQLAB_DEVICE_* */
	const struct irqlab_trigger_ops *trigger;
};

/* A claimed vector as the engine's MSI-X chip sees it (platform_line.c). */
struct irqlab_line {
	unsigned int irq;
};

/* A vector's native deferral (native.c). */
struct irqlab_native {
	/* False in a zeroed vector: no mechanism attached. */
	bool attached;
	u32 mech;		/* enum irqlab_mechanism, while attached */
	struct workqueue_struct *wq;	/* workqueue mechanisms */
	const char *wq_name;
	struct work_struct work;
	struct tasklet_struct tasklet;	/* tasklet and softirq mechanisms */
};

struct irqlab_vector {
	struct irqlab_device *dev;
	unsigned int index;
	unsigned int irq;
	struct irqlab_line line;
	/* The handler feeds the engine; set and cleared under dev->lock. */
	bool engine_attached;
	/*
	 * The file whose close detaches the vector's engine line or
	 * mechanism; NULL: kept (IRQLAB_ATTACH_KEEP) or nothing attached.
	 * Under dev->lock.
	 */
	struct irqlab_file *owner;
	/* Requesting the irq again failed (native.c): it has no handler. */
	bool irq_lost;
	struct irqlab_native native;
	struct irqlab_measure measure;
	/* Triggers issued and not yet received (device and ipi triggers). */
	atomic_t outstanding;
	struct irqlab_counters __percpu *counters;
	char name[IRQLAB_BDF_LEN + 16];	/* "irqlab-<bdf>-v<n>" */
};

struct irqlab_run {
	struct task_struct *task;	/* pinned; NULL when none */
	/* The file whose close stops the run; NULL: IRQLAB_FIRE_DETACHED. */
	struct irqlab_file *owner;
	struct irqlab_fire params;	/* params.vectors is not used */
	unsigned long *vectors;		/* the run's vectors, nr_vectors bits */
	unsigned int nr_fired;		/* how many */
	/* Written by the run thread, read by RUN_STATUS. */
	atomic_t state;			/* enum irqlab_run_state */
	int error;
	atomic64_t issued;
	u64 undelivered;
	int fired_from_cpu;		/* -1: none yet or several */
	bool fired_anywhere;		/* fired_from_cpu is not yet set */
};

struct irqlab_device {
	struct kref ref;
	struct list_head node;		/* irqlab_devices */
	struct pci_dev *pdev;
	char bdf[IRQLAB_BDF_LEN];

	struct mutex lock;		/* see the top of this file */
	bool dead;			/* torn down; under lock */

	const struct irqlab_device_ops *ops;	/* NULL: no device trigger */
	void __iomem *regs;		/* BAR 0, when ops need it */
	u32 peer_id;			/* ivshmem: our own peer id */

	unsigned int nr_vectors;	/* taken: all of the table */
	unsigned int table_size;	/* MSI-X table entries */
	struct irqlab_vector *vectors;
	bool irqs_requested;		/* MSI-X allocated, handlers installed */
	/* The device's engine domain (hwirq = vector), made at first attach. */
	struct irqlab_engine_domain *engine_domain;
	struct irqlab_run run;
};

/* claim.c */
int irqlab_pci_register(void);
void irqlab_pci_unregister(void);
int irqlab_claim(const char *bdf, u32 flags, struct irqlab_claim *out);
int irqlab_release(const char *bdf, u32 flags);
/* "dddd:bb:dd.f" or "bb:dd.f", each part in range: 0, or -EINVAL. */
int irqlab_bdf_parse(const char *bdf, unsigned int *domain, unsigned int *bus,
		     unsigned int *devfn);
struct irqlab_device *irqlab_device_get(const char *bdf);
void irqlab_device_put(struct irqlab_device *dev);
/* The claimed devices' names at one moment. */
struct irqlab_bdfs {
	unsigned int count;
	char (*bdf)[IRQLAB_BDF_LEN];	/* count of them; kvfree()d */
};

unsigned int irqlab_device_count(void);
int irqlab_device_list(struct irqlab_bdfs *out);
void irqlab_device_list_free(struct irqlab_bdfs *list);

/* vectors.c */
/* The hardirq handler of every claimed vector: counts the arrival. */
irqreturn_t irqlab_vector_irq(int irq, void *data);
/*
 * Its flags while no native mechanism is attached. On PREEMPT_RT (and with
 * threadirqs) the kernel would run a handler without IRQF_NO_THREAD in a
 * thread with interrupts on; the engine's hardirq is a hard interrupt, as
 * Linux's own flow handlers are, so everything this handler calls takes
 * raw spinlocks only (platform_lock.c, measure.c). A native mechanism
 * requests the vector as a driver would (native.c): threaded there.
 */
#define IRQLAB_VECTOR_IRQF	IRQF_NO_THREAD
int irqlab_vectors_setup(struct irqlab_device *dev, bool spread);
/*
 * A request's vector set (uapi bitmap) as a bitmap of dev->nr_vectors
 * bits, to bitmap_free(): -EINVAL when empty, -ERANGE past the device.
 */
int irqlab_vectors_read(const struct irqlab_device *dev, const struct irqlab_array *arr,
			unsigned long **vectors);
/* Reads the set in 'arr' as above, calls 'op' on it and frees it. */
int irqlab_vectors_apply(struct irqlab_device *dev, const struct irqlab_array *arr,
			 int (*op)(struct irqlab_device *dev, const unsigned long *vectors));
void irqlab_vectors_teardown(struct irqlab_device *dev);
/* -E2BIG (the rest filled) when the caller's CPU bitmaps are short. */
int irqlab_vector_info(struct irqlab_device *dev, struct irqlab_vector_info *info);
/* Where the vector's MSI-X message points (uapi: IRQLAB_IOC_VECTOR_ROUTE). */
int irqlab_vector_route(struct irqlab_device *dev, struct irqlab_vector_route *route);
/* irq_set_affinity(), refused (EIO) for a managed interrupt. */
int irqlab_irq_set_affinity(unsigned int irq, const struct cpumask *cpus);
int irqlab_vector_set_affinity(struct irqlab_device *dev, unsigned int vector,
			       const struct cpumask *cpus);
int irqlab_vector_stats(struct irqlab_device *dev, struct irqlab_vector_stats *stats);
void irqlab_vectors_reset(struct irqlab_device *dev);

/* triggers.c */
const struct irqlab_device_ops *irqlab_device_ops_find(struct pci_dev *pdev);
u32 irqlab_triggers_supported(struct irqlab_device *dev);
void irqlab_device_caps(struct irqlab_device_caps *caps);
/*
 * Attempts one device or ipi trigger and accounts for it: 1 issued, 0 not
 * issued (coalesced or busy, counted), negative errno when the trigger
 * cannot work at all (nothing counted).
 */
int irqlab_trigger(struct irqlab_vector *vec, enum irqlab_trigger trigger);

/* engine.c */
int irqlab_engine_start(void);
void irqlab_engine_stop(void);
/* hotplug.c: the engine's cpuhp states; with cpus_read_lock() held. */
struct irqlab_engine;
int irqlab_hotplug_start(struct irqlab_engine *engine);
void irqlab_hotplug_stop(void);
/* The lines belong to 'owner' unless the request says IRQLAB_ATTACH_KEEP. */
int irqlab_engine_attach_vectors(struct irqlab_device *dev,
				 const struct irqlab_engine_attach *req,
				 const unsigned long *vectors, struct irqlab_file *owner);
int irqlab_engine_detach_vectors(struct irqlab_device *dev, const unsigned long *vectors);
/* One attached vector: as detaching a set of one. */
void irqlab_engine_detach_vector(struct irqlab_device *dev, unsigned int vector);
/* Detaches everything and drops the domain; before the vectors go. */
void irqlab_engine_device_teardown(struct irqlab_device *dev);
/* -E2BIG (the rest filled) when the caller's per-CPU array is short. */
int irqlab_engine_line_info(struct irqlab_device *dev, struct irqlab_engine_line *info);
int irqlab_engine_softirq_info(struct irqlab_engine_softirqs *info);
int irqlab_engine_flush_vectors(struct irqlab_device *dev, const unsigned long *vectors);
int irqlab_engine_pool_info(struct irqlab_engine_pool *info);
int irqlab_engine_workqueue_info(struct irqlab_engine_workqueue *info);
int irqlab_engine_config(struct irqlab_engine_config *config);

/* native.c */
int irqlab_native_init(void);
void irqlab_native_exit(void);
irqreturn_t irqlab_native_hardirq(struct irqlab_vector *vec, u32 mech);
int irqlab_native_attach(struct irqlab_vector *vec, u32 mech, struct irqlab_hist_set *hists);
void irqlab_native_detach(struct irqlab_vector *vec);

/* mech.c */
/* Measured into 'hists'; the vectors belong to 'owner'. */
int irqlab_mech_attach(struct irqlab_device *dev, const struct irqlab_mech_attach *req,
		       const unsigned long *vectors, struct irqlab_file *owner,
		       struct irqlab_hist_set *hists);
int irqlab_mech_detach(struct irqlab_device *dev, const unsigned long *vectors);
int irqlab_mech_stats_read(struct irqlab_device *dev, struct irqlab_mech_stats *stats);
/* Detaches every measured vector; before the vectors go. */
void irqlab_mech_device_teardown(struct irqlab_device *dev);

/* trace.c */
void irqlab_trace_start(void);
void irqlab_trace_stop(void);

/* run.c */
/* The run belongs to 'owner' unless the request says IRQLAB_FIRE_DETACHED. */
int irqlab_run_start(struct irqlab_device *dev, const struct irqlab_fire *fire,
		     const unsigned long *vectors, struct irqlab_file *owner);
void irqlab_run_stop(struct irqlab_device *dev);
void irqlab_run_status(struct irqlab_device *dev, struct irqlab_run_status *status);

#endif /* IRQLAB_DEVICE_H */
