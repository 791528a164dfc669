// SPDX-License-Identifier: GPL-2.0
/*
 * irqlab: a test harness for the Linux interrupt subsystem.
 *
 * Module entry and exit. The C++ core is checked before anything is exposed
 * to userspace, so a broken C++ runtime never gets as far as /dev/irqlab.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "irqlab/core.h"
#include "irqlab/version.h"
#include "device.h"
#include "irqlab.h"

static int __init irqlab_init(void)
{
	int ret;

	ret = irqlab_core_selfcheck();
	if (ret) {
		pr_err("C++ self-check failed (%d); not loading\n", ret);
		return -ENOEXEC;
	}
	pr_info("C++ self-check passed\n");

	ret = irqlab_engine_start();
	if (ret)
		return ret;
	ret = irqlab_pci_register();
	if (ret)
		goto err_engine;
	ret = irqlab_chardev_register();
	if (ret)
		goto err_pci;

	pr_info("version %s loaded\n", IRQLAB_RELEASE_STRING);
	return 0;

err_pci:
	irqlab_pci_unregister();
err_engine:
	irqlab_engine_stop();
	return ret;
}

static void __exit irqlab_exit(void)
{
	/* No new commands first, then every device is unbound and released. */
	irqlab_chardev_unregister();
	irqlab_pci_unregister();
	irqlab_engine_stop();
	pr_info("unloaded\n");
}

module_init(irqlab_init);
module_exit(irqlab_exit);

MODULE_DESCRIPTION("irqlab: interrupt subsystem test harness with a C++ engine");
MODULE_AUTHOR("irqlab developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(IRQLAB_RELEASE_STRING);
