// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/irqlab: the misc device and its ioctl dispatch.
 *
 * The node is root-only (0600) and every ioctl checks CAP_SYS_ADMIN as
 * well, so a chmod of the node does not hand the device to other users.
 * Commands are matched by number first: a known number with another size or
 * direction is a caller built against another ABI (-EINVAL), an unknown one
 * is not ours (-ENOTTY). Each open file has a context (file.c): the
 * commands that attach or start something pass it on as the owner.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>

#include "irqlab/uapi.h"
#include "irqlab/version.h"
#include "file.h"
#include "ioctl.h"
#include "irqlab.h"

static long irqlab_ioctl_version(void __user *arg)
{
	struct irqlab_version version;

	memset(&version, 0, sizeof(version));
	version.abi_major = IRQLAB_ABI_MAJOR;
	version.abi_minor = IRQLAB_ABI_MINOR;
	strscpy(version.module_version, IRQLAB_RELEASE_STRING,
		sizeof(version.module_version));
	strscpy(version.kernel_release, utsname()->release,
		sizeof(version.kernel_release));

	if (copy_to_user(arg, &version, sizeof(version)))
		return -EFAULT;
	return 0;
}

struct irqlab_ioctl {
	unsigned int cmd;
	long (*handler)(void __user *arg);
	/* Instead of handler: a command whose effect the open file owns. */
	long (*owned)(struct irqlab_file *file, void __user *arg);
};

static const struct irqlab_ioctl irqlab_ioctls[] = {
	{ IRQLAB_IOC_VERSION, irqlab_ioctl_version },
	{ IRQLAB_IOC_CLAIM, irqlab_ioctl_claim },
	{ IRQLAB_IOC_RELEASE, irqlab_ioctl_release },
	{ IRQLAB_IOC_VECTOR_INFO, irqlab_ioctl_vector_info },
	{ IRQLAB_IOC_VECTOR_ROUTE, irqlab_ioctl_vector_route },
	{ IRQLAB_IOC_SET_AFFINITY, irqlab_ioctl_set_affinity },
	{ IRQLAB_IOC_FIRE, .owned = irqlab_ioctl_fire },
	{ IRQLAB_IOC_RUN_STATUS, irqlab_ioctl_run_status },
	{ IRQLAB_IOC_STOP, irqlab_ioctl_stop },
	{ IRQLAB_IOC_STATS, irqlab_ioctl_stats },
	{ IRQLAB_IOC_RESET, irqlab_ioctl_reset },
	{ IRQLAB_IOC_LIST, irqlab_ioctl_list },
	{ IRQLAB_IOC_DEVICE_CAPS, irqlab_ioctl_device_caps },
	{ IRQLAB_IOC_INFO, irqlab_ioctl_info },
	{ IRQLAB_IOC_ENGINE_ATTACH, .owned = irqlab_ioctl_engine_attach },
	{ IRQLAB_IOC_ENGINE_DETACH, irqlab_ioctl_engine_detach },
	{ IRQLAB_IOC_ENGINE_LINE, irqlab_ioctl_engine_line },
	{ IRQLAB_IOC_ENGINE_SOFTIRQS, irqlab_ioctl_engine_softirqs },
	{ IRQLAB_IOC_ENGINE_POOL, irqlab_ioctl_engine_pool },
	{ IRQLAB_IOC_ENGINE_WORKQUEUE, irqlab_ioctl_engine_workqueue },
	{ IRQLAB_IOC_ENGINE_CONFIG, irqlab_ioctl_engine_config },
	{ IRQLAB_IOC_ENGINE_FLUSH, irqlab_ioctl_engine_flush },
	{ IRQLAB_IOC_MECH_ATTACH, .owned = irqlab_ioctl_mech_attach },
	{ IRQLAB_IOC_MECH_DETACH, irqlab_ioctl_mech_detach },
	{ IRQLAB_IOC_MECH_STATS, irqlab_ioctl_mech_stats },
	{ IRQLAB_IOC_HIST_CONFIG, .owned = irqlab_ioctl_hist_config },
	{ IRQLAB_IOC_HIST_READ, .owned = irqlab_ioctl_hist_read },
};

static long irqlab_unlocked_ioctl(struct file *file, unsigned int cmd,
				  unsigned long arg)
{
	size_t i;

	if (_IOC_TYPE(cmd) != IRQLAB_IOC_MAGIC)
		return -ENOTTY;

	for (i = 0; i < ARRAY_SIZE(irqlab_ioctls); i++) {
		const struct irqlab_ioctl *ioctl = &irqlab_ioctls[i];

		if (_IOC_NR(ioctl->cmd) != _IOC_NR(cmd))
			continue;
		if (ioctl->cmd != cmd)
			return -EINVAL;
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		if (ioctl->owned)
			return ioctl->owned(file->private_data, (void __user *)arg);
		return ioctl->handler((void __user *)arg);
	}
	return -ENOTTY;
}

static const struct file_operations irqlab_fops = {
	.owner = THIS_MODULE,
	.open = irqlab_file_open,
	.release = irqlab_file_release,
	.unlocked_ioctl = irqlab_unlocked_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice irqlab_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = IRQLAB_DEVICE_NAME,
	.fops = &irqlab_fops,
	.mode = 0600,
};

int irqlab_chardev_register(void)
{
	int ret = misc_register(&irqlab_miscdev);

	if (ret)
		pr_err("cannot register /dev/%s: %d\n", IRQLAB_DEVICE_NAME, ret);
	return ret;
}

void irqlab_chardev_unregister(void)
{
	misc_deregister(&irqlab_miscdev);
}
