/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences between the kernels irqlab builds against.
 *
 * driver_override: 6.1 keeps it in struct pci_dev, guarded by the device
 * lock (driver_set_override()); newer kernels, and Debian's 6.12 through
 * a backport, keep it in struct device under a spinlock
 * (device_set_driver_override()). Kbuild tells which by looking at the
 * kernel's device.h (IRQLAB_HAVE_DEVICE_DRIVER_OVERRIDE).
 */
#ifndef IRQLAB_COMPAT_H
#define IRQLAB_COMPAT_H

#include <linux/device.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>

/* Sets (or with "" clears) the override; takes the locks it needs. */
static inline int irqlab_set_driver_override(struct pci_dev *pdev, const char *name)
{
#ifdef IRQLAB_HAVE_DEVICE_DRIVER_OVERRIDE
	return device_set_driver_override(&pdev->dev, name);
#else
	return driver_set_override(&pdev->dev, &pdev->driver_override, name,
				   strlen(name));
#endif
}

/* Clears the override from a driver's remove(), device lock held. */
static inline void irqlab_clear_driver_override_locked(struct pci_dev *pdev)
{
#ifdef IRQLAB_HAVE_DEVICE_DRIVER_OVERRIDE
	device_set_driver_override(&pdev->dev, "");
#else
	device_lock_assert(&pdev->dev);
	kfree(pdev->driver_override);
	pdev->driver_override = NULL;
#endif
}

#endif /* IRQLAB_COMPAT_H */
