// SPDX-License-Identifier: GPL-2.0
/* Platform interface: completions. */
#include <linux/completion.h>
#include <linux/jiffies.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "irqlab/platform.h"

struct irqlab_completion {
	struct completion done;
};

struct irqlab_completion *irqlab_plat_completion_create(enum irqlab_alloc_ctx ctx)
{
	gfp_t gfp = ctx == IRQLAB_ALLOC_MAY_SLEEP ? GFP_KERNEL : GFP_ATOMIC;
	struct irqlab_completion *done = kmalloc(sizeof(*done), gfp);

	if (done)
		init_completion(&done->done);
	return done;
}

void irqlab_plat_completion_destroy(struct irqlab_completion *done)
{
	kfree(done);
}

void irqlab_plat_complete(struct irqlab_completion *done)
{
	complete(&done->done);
}

void irqlab_plat_complete_all(struct irqlab_completion *done)
{
	complete_all(&done->done);
}

void irqlab_plat_reinit_completion(struct irqlab_completion *done)
{
	reinit_completion(&done->done);
}

int irqlab_plat_wait_for_completion(struct irqlab_completion *done,
				    uint64_t timeout_ns)
{
	unsigned long timeout = nsecs_to_jiffies(timeout_ns);
	long left;

	if (timeout >= MAX_SCHEDULE_TIMEOUT)
		timeout = MAX_SCHEDULE_TIMEOUT;
	left = wait_for_completion_killable_timeout(&done->done, timeout);
	if (left < 0)
		return left;
	return left > 0;
}
