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

/*
 * Copies the override into buf ("" when unset); true when one is set.
 * Takes the locks it needs (the KUnit suite checks what a claim left).
 */
static inline bool irqlab_get_driver_override(struct pci_dev *pdev, char *buf,
					      size_t size)
{
	bool set;

#ifdef IRQLAB_HAVE_DEVICE_DRIVER_OVERRIDE
	spin_lock(&pdev->dev.driver_override.lock);
	set = pdev->dev.driver_override.name;
	strscpy(buf, set ? pdev->dev.driver_override.name : "", size);
	spin_unlock(&pdev->dev.driver_override.lock);
#else
	device_lock(&pdev->dev);
	set = pdev->driver_override;
	strscpy(buf, set ? pdev->driver_override : "", size);
	device_unlock(&pdev->dev);
#endif
	return set;
}

#endif /* IRQLAB_COMPAT_H */
