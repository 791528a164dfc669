// SPDX-License-Identifier: GPL-2.0
/*
 * irqlab: a test harness for the Linux interrupt subsystem.
 *
 * Module entry and exit. The C++ core is checked before anything is exposed
 * to userspace, so a broken C++ runtime never gets as far as /dev/irqlab.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "irqlab/core.h"
#include "irqlab/version.h"
#include "device.h"
#include "file.h"
#include "irqlab.h"

/*
 * A module-level interface, so it lives here rather than in claim.c:
 * irqlab_kunit.ko links claim.c too, and must not grow a claim= of its own.
 */
static char *irqlab_claim_param;
module_param_named(claim, irqlab_claim_param, charp, 0444);
MODULE_PARM_DESC(claim, "PCI devices to claim at load: BDF[,BDF...]");

/* claim=BDF[,BDF...] at load: the same claims, without --force. */
static int irqlab_claim_from_param(void)
{
	char *list, *cursor, *bdf;
	int ret = 0;

	if (!irqlab_claim_param || !*irqlab_claim_param)
		return 0;
	list = kstrdup(irqlab_claim_param, GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	cursor = list;
	while (!ret && (bdf = strsep(&cursor, ",")) != NULL) {
		struct irqlab_claim result = {};

		if (!*bdf)
			continue;
		ret = irqlab_claim(bdf, 0, &result);
		if (ret)
			pr_err("claim=%s: cannot claim: %d\n", bdf, ret);
	}
	kfree(list);
	return ret;
}

static int __init irqlab_init(void)
{
	int ret;

	ret = irqlab_core_selfcheck();
	if (ret) {
		pr_err("C++ self-check failed (%d); not loading\n", ret);
		return -ENOEXEC;
	}
	pr_info("C++ self-check passed\n");

	ret = irqlab_file_init();
	if (ret)
		return ret;
	ret = irqlab_native_init();
	if (ret)
		goto err_file;
	irqlab_trace_start();
	ret = irqlab_engine_start();
	if (ret)
		goto err_native;
	ret = irqlab_pci_register();
	if (ret)
		goto err_engine;
	ret = irqlab_claim_from_param();
	if (ret)
		goto err_pci;
	ret = irqlab_chardev_register();
	if (ret)
		goto err_pci;

	pr_info("version %s loaded\n", IRQLAB_RELEASE_STRING);
	return 0;

err_pci:
	irqlab_pci_unregister();
err_engine:
	irqlab_engine_stop();
err_native:
	irqlab_trace_stop();
	irqlab_native_exit();
err_file:
	irqlab_file_exit();
	return ret;
}

static void __exit irqlab_exit(void)
{
	/* No new commands first, then every device is unbound and released. */
	irqlab_chardev_unregister();
	irqlab_pci_unregister();
	irqlab_engine_stop();
	irqlab_trace_stop();
	irqlab_native_exit();
	irqlab_file_exit();
	pr_info("unloaded\n");
}

module_init(irqlab_init);
module_exit(irqlab_exit);

MODULE_DESCRIPTION("irqlab: interrupt subsystem test harness with a C++ engine");
MODULE_AUTHOR("irqlab developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(IRQLAB_RELEASE_STRING);
