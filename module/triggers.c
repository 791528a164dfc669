// SPDX-License-Identifier: GPL-2.0
/*
 * Making a claimed vector fire, and accounting for every attempt.
 *
 * device    the device itself sends the MSI-X message. Each device that
 *           can do this is one entry of irqlab_device_table. Adding one
 *           is a table entry and three small functions; igb (82576) and
 *           ixgbe would map BAR 0 like e1000e, route each vector with
 *           IVAR, enable it in EIMS and fire it by writing its bit to
 *           EICS (igb 0x1520/0x1524/0x1528, ixgbe 0x808/0x880/0x888).
 * ipi       irq_inject_interrupt() retriggers the vector through an IPI
 *           to its target CPU: any device, proves the handler path only.
 * external  something outside (the test box's host injector) fires; a
 *           run only counts arrivals.
 *
 * Accounting: every attempt counts as fired. An attempt made while the
 * vector's previous trigger has not arrived yet is not issued and counts
 * as coalesced, as the device would merge it into the pending message;
 * an ipi attempt refused with -EBUSY counts as busy; an arrival with no
 * attempt in flight counts as unexpected. So after a run,
 * fired + unexpected == received + coalesced + busy on each vector,
 * exactly (uapi.h); unexpected is zero unless the device sends messages
 * nobody triggered or x86 moved the vector while it fired.
 *
 * Known: QEMU's e1000e model before 8.0 (Debian ships 7.2) does that. It
 * throttles each vector for at least 128 us after a message (any EITR
 * write, 0 included, becomes its minimum of 500 x 256 ns), and a message
 * postponed by that throttling sets a per-vector pending flag that is
 * never cleared: from then on, every expiry of the vector's throttling
 * timer sends one more message (fixed upstream by "e1000e: Remove pending
 * interrupt flags", Nov 2022). Under TCG the timer can expire late, so no
 * spacing of triggers avoids the first postponement: back to back about
 * 1-2% of messages are extra, spaced wider than 128 us nearly one per
 * trigger. Leaving EITR unwritten or keeping 200 us between triggers was
 * tried and does not help. Real 82574L parts with EITR 0 do not throttle;
 * ivshmem and ipi triggers account exactly.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/pci.h>
#include <linux/string.h>

#include "device.h"

/* --- Intel 82574L (e1000e) ------------------------------------------------ */

#define E1000_CTRL_EXT	0x18
#define E1000_CTRL_EXT_IAME	BIT(27)	/* keep IMS armed on auto-clear */
#define E1000_ITR	0xc4	/* interrupt throttling */
#define E1000_EITR(n)	(0xe8 + 4 * (n))	/* per-vector throttling */
#define E1000_ICS	0xc8	/* interrupt cause set */
#define E1000_IMS	0xd0	/* interrupt mask set */
#define E1000_IMC	0xd8	/* interrupt mask clear */
#define E1000_EIAC	0xdc	/* auto-clear causes after MSI-X */
#define E1000_IVAR	0xe4	/* cause-to-vector routing */
#define E1000_IVAR_VALID	0x8
#define E1000_CAUSE_BASE	20	/* RXQ0, RXQ1, TXQ0, TXQ1, OTHER */
#define E1000_CAUSES		5

static u32 e1000e_cause(unsigned int vector)
{
	return BIT(E1000_CAUSE_BASE + vector);
}

static int e1000e_setup(struct irqlab_device *dev)
{
	u32 ivar = 0, causes = GENMASK(E1000_CAUSE_BASE + E1000_CAUSES - 1,
				       E1000_CAUSE_BASE);
	unsigned int i;

	dev->regs = pci_iomap(dev->pdev, 0, 0);
	if (!dev->regs)
		return -ENOMEM;
	/* Cause i goes to vector i: five 4-bit fields, vector plus valid. */
	for (i = 0; i < E1000_CAUSES; i++)
		ivar |= (i | E1000_IVAR_VALID) << (4 * i);
	writel(~0U, dev->regs + E1000_IMC);
	/* No interrupt throttling: every cause is its own message. */
	writel(0, dev->regs + E1000_ITR);
	for (i = 0; i < E1000_CAUSES; i++)
		writel(0, dev->regs + E1000_EITR(i));
	writel(ivar, dev->regs + E1000_IVAR);
	/*
	 * Each cause clears itself once its MSI-X message is sent (EIAC),
	 * and IAME keeps it enabled in IMS meanwhile: re-arming it from the
	 * handler instead would re-raise a cause that is still pending.
	 */
	writel(causes, dev->regs + E1000_EIAC);
	writel(readl(dev->regs + E1000_CTRL_EXT) | E1000_CTRL_EXT_IAME,
	       dev->regs + E1000_CTRL_EXT);
	writel(causes, dev->regs + E1000_IMS);
	return 0;
}

static void e1000e_teardown(struct irqlab_device *dev)
{
	writel(~0U, dev->regs + E1000_IMC);
	readl(dev->regs + E1000_IMC);
	/*
	 * QEMU's e1000e before 8.0 asserts MSI-X is still enabled when a
	 * vector's throttling timer (128 us after its last message, see
	 * above) expires, and aborts the whole machine otherwise. The
	 * vectors are disabled right after this: let those timers run out
	 * first. They and the guest's own timers run on one virtual clock,
	 * so a sleep far longer than the interval outlasts them.
	 */
	usleep_range(1000, 2000);
	pci_iounmap(dev->pdev, dev->regs);
	dev->regs = NULL;
}

static void e1000e_fire(struct irqlab_device *dev, unsigned int vector)
{
	writel(e1000e_cause(vector), dev->regs + E1000_ICS);
}

/* --- ivshmem-doorbell ----------------------------------------------------- */

#define IVSHMEM_IVPOSITION	0x08	/* our own peer id */
#define IVSHMEM_DOORBELL	0x0c	/* peer << 16 | vector */

static int ivshmem_setup(struct irqlab_device *dev)
{
	dev->regs = pci_iomap(dev->pdev, 0, 0x100);
	if (!dev->regs)
		return -ENOMEM;
	dev->peer_id = readl(dev->regs + IVSHMEM_IVPOSITION);
	return 0;
}

static void ivshmem_teardown(struct irqlab_device *dev)
{
	pci_iounmap(dev->pdev, dev->regs);
	dev->regs = NULL;
}

/* A doorbell rung on our own peer id comes back as our own vector. */
static void ivshmem_fire(struct irqlab_device *dev, unsigned int vector)
{
	writel(dev->peer_id << 16 | vector, dev->regs + IVSHMEM_DOORBELL);
}

static const struct irqlab_device_ops irqlab_device_table[] = {
	{
		.vendor = PCI_VENDOR_ID_INTEL, .device = 0x10d3,
		.name = "e1000e (82574L)", .max_vectors = E1000_CAUSES,
		.setup = e1000e_setup, .teardown = e1000e_teardown,
		.fire = e1000e_fire,
	},
	{
		.vendor = PCI_VENDOR_ID_REDHAT_QUMRANET, .device = 0x1110,
		.name = "ivshmem-doorbell", .max_vectors = IRQLAB_MAX_VECTORS,
		.setup = ivshmem_setup, .teardown = ivshmem_teardown,
		.fire = ivshmem_fire,
	},
};

static const struct irqlab_device_ops *irqlab_ops_lookup(u16 vendor, u16 device)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(irqlab_device_table); i++)
		if (irqlab_device_table[i].vendor == vendor &&
		    irqlab_device_table[i].device == device)
			return &irqlab_device_table[i];
	return NULL;
}

const struct irqlab_device_ops *irqlab_device_ops_find(struct pci_dev *pdev)
{
	return irqlab_ops_lookup(pdev->vendor, pdev->device);
}

static u32 irqlab_triggers_of(const struct irqlab_device_ops *ops)
{
	u32 triggers = IRQLAB_TRIGGER_BIT(IRQLAB_TRIGGER_IPI) |
		       IRQLAB_TRIGGER_BIT(IRQLAB_TRIGGER_EXTERNAL);

	if (ops)
		triggers |= IRQLAB_TRIGGER_BIT(IRQLAB_TRIGGER_DEVICE);
	return triggers;
}

u32 irqlab_triggers_supported(struct irqlab_device *dev)
{
	return irqlab_triggers_of(dev->ops);
}

void irqlab_device_caps(struct irqlab_device_caps *caps)
{
	const struct irqlab_device_ops *ops = irqlab_ops_lookup(caps->vendor, caps->device);

	caps->triggers = irqlab_triggers_of(ops);
	strscpy(caps->name, ops ? ops->name : "", sizeof(caps->name));
}

int irqlab_trigger(struct irqlab_vector *vec, enum irqlab_trigger trigger)
{
	struct irqlab_device *dev = vec->dev;
	int ret;

	/* Counted before the trigger acts: the handler may run at once. */
	if (atomic_inc_return(&vec->outstanding) > 1) {
		atomic_dec(&vec->outstanding);
		this_cpu_inc(vec->counters->fired);
		this_cpu_inc(vec->counters->coalesced);
		return 0;
	}
	irqlab_measure_trigger(vec, trigger, true);
	if (trigger == IRQLAB_TRIGGER_DEVICE) {
		this_cpu_inc(vec->counters->fired);
		dev->ops->fire(dev, vec->index);
		return 1;
	}
	ret = irq_inject_interrupt(vec->irq);
	if (ret) {
		irqlab_measure_trigger(vec, trigger, false);
		atomic_dec(&vec->outstanding);
		if (ret != -EBUSY)
			return ret;	/* not an attempt: the run fails */
		this_cpu_inc(vec->counters->fired);
		this_cpu_inc(vec->counters->busy);
		return 0;
	}
	this_cpu_inc(vec->counters->fired);
	return 1;
}
