// SPDX-License-Identifier: GPL-2.0
/*
 * Claiming devices: irqlab's PCI driver and the claim/release state
 * machine around it.
 *
 * The driver has an empty ID table, so it binds only devices whose
 * driver_override names it. A claim sets the override (unbinding the
 * current driver first with IRQLAB_CLAIM_FORCE) and asks the driver core
 * to attach; probe() takes the vectors. Every unbind path (release, rmmod,
 * sysfs unbind or remove) goes through remove(), which tears down and
 * clears the override, so that any driver may bind the device again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/device.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "compat.h"
#include "device.h"

static DEFINE_MUTEX(irqlab_claim_lock);
static LIST_HEAD(irqlab_devices);
static DEFINE_MUTEX(irqlab_devices_lock);

/*
 * What a claim in progress tells probe(): set under irqlab_claim_lock
 * around device_attach(), which probes synchronously.
 */
static struct {
	struct pci_dev *pdev;
	u32 flags;
	int probe_error;
} irqlab_pending;

/*
 * One field of a PCI address: one to four hex digits, then 'sep' ('\0' for
 * the last), at most 'max'. Not sscanf(): its %x takes a "0x" prefix and
 * a sign, so "0000:00:03.0x" would read as function 0.
 */
static int irqlab_bdf_field(const char **pos, char sep, unsigned int max)
{
	const char *s = *pos;
	unsigned int value = 0, digits = 0;
	int digit;

	while (digits < 4 && (digit = hex_to_bin(*s)) >= 0) {
		value = value * 16 + digit;
		s++;
		digits++;
	}
	if (!digits || *s != sep || value > max)
		return -EINVAL;
	*pos = sep ? s + 1 : s;
	return value;
}

/* See device.h. */
int irqlab_bdf_parse(const char *bdf, unsigned int *domain, unsigned int *bus,
		     unsigned int *devfn)
{
	const char *s = bdf;
	int fields[4];

	/* "dddd:bb:dd.f", or "bb:dd.f" in domain 0. */
	fields[0] = irqlab_bdf_field(&s, ':', 0xffff);
	fields[1] = irqlab_bdf_field(&s, ':', 0xff);
	if (fields[0] < 0 || fields[1] < 0) {
		s = bdf;
		fields[0] = 0;
		fields[1] = irqlab_bdf_field(&s, ':', 0xff);
	}
	fields[2] = irqlab_bdf_field(&s, '.', 0x1f);
	fields[3] = irqlab_bdf_field(&s, '\0', 7);
	if (fields[1] < 0 || fields[2] < 0 || fields[3] < 0)
		return -EINVAL;
	*domain = fields[0];
	*bus = fields[1];
	*devfn = PCI_DEVFN(fields[2], fields[3]);
	return 0;
}

static struct pci_dev *irqlab_pci_lookup(const char *bdf)
{
	unsigned int domain, bus, devfn;

	if (irqlab_bdf_parse(bdf, &domain, &bus, &devfn))
		return ERR_PTR(-EINVAL);
	return pci_get_domain_bus_and_slot(domain, bus, devfn) ?: ERR_PTR(-ENODEV);
}

static void irqlab_device_release(struct kref *ref)
{
	struct irqlab_device *dev = container_of(ref, struct irqlab_device, ref);
	unsigned int i;

	for (i = 0; dev->vectors && i < dev->nr_vectors; i++) {
		free_percpu(dev->vectors[i].counters);
		irqlab_measure_free_vector(&dev->vectors[i]);
	}
	kvfree(dev->vectors);
	bitmap_free(dev->run.vectors);
	pci_dev_put(dev->pdev);
	kfree(dev);
}

void irqlab_device_put(struct irqlab_device *dev)
{
	kref_put(&dev->ref, irqlab_device_release);
}

/* The claimed device at 'bdf', with a reference; NULL if none. */
struct irqlab_device *irqlab_device_get(const char *bdf)
{
	struct irqlab_device *dev, *found = NULL;
	struct pci_dev *pdev = irqlab_pci_lookup(bdf);

	if (IS_ERR(pdev))
		return NULL;
	mutex_lock(&irqlab_devices_lock);
	list_for_each_entry(dev, &irqlab_devices, node) {
		if (dev->pdev == pdev) {
			kref_get(&dev->ref);
			found = dev;
			break;
		}
	}
	mutex_unlock(&irqlab_devices_lock);
	pci_dev_put(pdev);
	return found;
}

unsigned int irqlab_device_count(void)
{
	struct irqlab_device *dev;
	unsigned int n = 0;

	mutex_lock(&irqlab_devices_lock);
	list_for_each_entry(dev, &irqlab_devices, node)
		n++;
	mutex_unlock(&irqlab_devices_lock);
	return n;
}

/* Any number of devices: the names are allocated under the list's lock. */
int irqlab_device_list(struct irqlab_bdfs *out)
{
	struct irqlab_device *dev;
	unsigned int n = 0;

	memset(out, 0, sizeof(*out));
	mutex_lock(&irqlab_devices_lock);
	list_for_each_entry(dev, &irqlab_devices, node)
		n++;
	out->bdf = kvcalloc(max(n, 1U), IRQLAB_BDF_LEN, GFP_KERNEL);
	if (!out->bdf) {
		mutex_unlock(&irqlab_devices_lock);
		return -ENOMEM;
	}
	list_for_each_entry(dev, &irqlab_devices, node)
		strscpy(out->bdf[out->count++], dev->bdf, IRQLAB_BDF_LEN);
	mutex_unlock(&irqlab_devices_lock);
	return 0;
}

void irqlab_device_list_free(struct irqlab_bdfs *list)
{
	kvfree(list->bdf);
	list->bdf = NULL;
	list->count = 0;
}

static int irqlab_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	bool pending = irqlab_pending.pdev == pdev;
	u32 flags = pending ? irqlab_pending.flags : 0;
	struct irqlab_device *dev;
	int ret;

	if (!pdev->msix_cap) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev) {
		ret = -ENOMEM;
		goto out;
	}
	kref_init(&dev->ref);
	mutex_init(&dev->lock);
	dev->pdev = pci_dev_get(pdev);
	strscpy(dev->bdf, pci_name(pdev), sizeof(dev->bdf));
	dev->ops = irqlab_device_ops_find(pdev);

	ret = pci_enable_device(pdev);
	if (ret)
		goto err_put;
	/* MSI writes travel through the bus-master address space. */
	pci_set_master(pdev);

	ret = irqlab_vectors_setup(dev, flags & IRQLAB_CLAIM_SPREAD);
	if (ret)
		goto err_disable;
	if (dev->ops) {
		ret = dev->ops->trigger->setup(dev);
		if (ret) {
			dev_err(&pdev->dev, "%s trigger setup failed: %d\n",
				dev->ops->name, ret);
			goto err_vectors;
		}
	}

	pci_set_drvdata(pdev, dev);
	mutex_lock(&irqlab_devices_lock);
	list_add_tail(&dev->node, &irqlab_devices);
	mutex_unlock(&irqlab_devices_lock);
	dev_info(&pdev->dev, "claimed: %u of %u MSI-X vectors%s, device trigger: %s\n",
		 dev->nr_vectors, dev->table_size,
		 flags & IRQLAB_CLAIM_SPREAD ? " (spread)" : "",
		 dev->ops ? dev->ops->name : "none");
	ret = 0;
	goto out;

err_vectors:
	irqlab_vectors_teardown(dev);
err_disable:
	pci_clear_master(pdev);
	pci_disable_device(pdev);
err_put:
	irqlab_device_put(dev);
out:
	if (pending)
		irqlab_pending.probe_error = ret;
	return ret;
}

/* Called with the device lock held, on every path that unbinds irqlab. */
static void irqlab_remove(struct pci_dev *pdev)
{
	struct irqlab_device *dev = pci_get_drvdata(pdev);

	mutex_lock(&dev->lock);
	dev->dead = true;
	irqlab_run_stop(dev);
	if (dev->ops)
		dev->ops->trigger->teardown(dev);
	irqlab_vectors_teardown(dev);
	mutex_unlock(&dev->lock);

	pci_clear_master(pdev);
	pci_disable_device(pdev);

	mutex_lock(&irqlab_devices_lock);
	list_del(&dev->node);
	mutex_unlock(&irqlab_devices_lock);

	/* The override named irqlab: clear it, any driver may bind again. */
	irqlab_clear_driver_override_locked(pdev);

	pci_set_drvdata(pdev, NULL);
	dev_info(&pdev->dev, "released\n");
	irqlab_device_put(dev);
}

static const struct pci_device_id irqlab_pci_ids[] = {
	{ }	/* none: devices are bound through driver_override only */
};

static struct pci_driver irqlab_pci_driver = {
	.name = KBUILD_MODNAME,
	.id_table = irqlab_pci_ids,
	.probe = irqlab_probe,
	.remove = irqlab_remove,
};

static bool irqlab_bound_to_us(struct pci_dev *pdev)
{
	return pdev->dev.driver == &irqlab_pci_driver.driver;
}

int irqlab_claim(const char *bdf, u32 flags, struct irqlab_claim *out)
{
	struct pci_dev *pdev;
	const char *driver;
	int ret;

	if (flags & ~(IRQLAB_CLAIM_FORCE | IRQLAB_CLAIM_SPREAD))
		return -EINVAL;
	pdev = irqlab_pci_lookup(bdf);
	if (IS_ERR(pdev))
		return PTR_ERR(pdev);

	mutex_lock(&irqlab_claim_lock);
	device_lock(&pdev->dev);
	driver = pdev->dev.driver ? pdev->dev.driver->name : "";
	strscpy(out->driver, driver, sizeof(out->driver));
	if (irqlab_bound_to_us(pdev))
		ret = -EALREADY;
	else if (!pdev->msix_cap)
		ret = -EOPNOTSUPP;
	else if (*driver && !(flags & IRQLAB_CLAIM_FORCE))
		ret = -EBUSY;
	else
		ret = 0;
	device_unlock(&pdev->dev);
	if (ret)
		goto out;

	if (*out->driver) {
		dev_info(&pdev->dev, "unbinding %s for irqlab (--force)\n", out->driver);
		device_release_driver(&pdev->dev);
	}
	ret = irqlab_set_driver_override(pdev, KBUILD_MODNAME);
	if (ret)
		goto out;

	irqlab_pending.pdev = pdev;
	irqlab_pending.flags = flags;
	irqlab_pending.probe_error = -ENODEV;
	ret = device_attach(&pdev->dev);
	irqlab_pending.pdev = NULL;
	if (ret == 1) {
		struct irqlab_device *dev = pci_get_drvdata(pdev);

		out->nr_vectors = dev->nr_vectors;
		out->table_size = dev->table_size;
		ret = 0;
	} else {
		/* Not bound: leave the device as it was found. */
		ret = ret < 0 ? ret : irqlab_pending.probe_error;
		irqlab_set_driver_override(pdev, "");
		if (*out->driver && device_attach(&pdev->dev) < 0)
			dev_warn(&pdev->dev, "could not rebind %s\n", out->driver);
	}
out:
	mutex_unlock(&irqlab_claim_lock);
	pci_dev_put(pdev);
	return ret;
}

int irqlab_release(const char *bdf, u32 flags)
{
	struct pci_dev *pdev;
	int ret = 0;

	if (flags & ~IRQLAB_RELEASE_REPROBE)
		return -EINVAL;
	pdev = irqlab_pci_lookup(bdf);
	if (IS_ERR(pdev))
		return PTR_ERR(pdev);

	mutex_lock(&irqlab_claim_lock);
	if (!irqlab_bound_to_us(pdev)) {
		ret = -ENOENT;
		goto out;
	}
	device_release_driver(&pdev->dev);
	/* Let the driver core find the device's own driver, if it is loaded. */
	if ((flags & IRQLAB_RELEASE_REPROBE) && device_attach(&pdev->dev) < 0)
		dev_warn(&pdev->dev, "re-probe failed\n");
out:
	mutex_unlock(&irqlab_claim_lock);
	pci_dev_put(pdev);
	return ret;
}

int irqlab_pci_register(void)
{
	return pci_register_driver(&irqlab_pci_driver);
}

void irqlab_pci_unregister(void)
{
	/* Unbinds every claimed device through remove(). */
	pci_unregister_driver(&irqlab_pci_driver);
}
