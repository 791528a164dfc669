// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the accounting of module/triggers.c and module/vectors.c, driven
 * through a fake device. Its "MSI-X message" is an irq_work, so the real
 * hardirq handler runs in hardirq context (a self-IPI) on the firing CPU,
 * as late as the test wants: an attempt can be held in flight to force
 * coalescing, and every CPU can fire at once.
 */
#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/irq_work.h>
#include <linux/kthread.h>
#include <linux/percpu.h>
#include <linux/sched/task.h>
#include <linux/timekeeping.h>

#include "module/device.h"

#define FAKE_VECTORS 2

struct fake_message {
	struct irq_work work;
	struct irqlab_vector *vec;
};

struct fake_device {
	struct irqlab_device dev;
	struct irqlab_vector vectors[FAKE_VECTORS];
	struct fake_message messages[FAKE_VECTORS];
	bool hold;	/* keep messages in the device until released */
};

static void fake_deliver(struct irq_work *work)
{
	struct fake_message *msg = container_of(work, struct fake_message, work);

	irqlab_vector_irq(0, msg->vec);
}

static void fake_fire(struct irqlab_device *dev, unsigned int vector)
{
	struct fake_device *fake = container_of(dev, struct fake_device, dev);

	if (!READ_ONCE(fake->hold))
		irq_work_queue(&fake->messages[vector].work);
}

static const struct irqlab_trigger_ops fake_trigger = {
	.fire = fake_fire,
};

static const struct irqlab_device_ops fake_ops = {
	.name = "fake",
	.max_vectors = FAKE_VECTORS,
	.trigger = &fake_trigger,
};

static struct fake_device *fake_create(struct kunit *test)
{
	struct fake_device *fake = kunit_kzalloc(test, sizeof(*fake), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, fake);
	fake->dev.ops = &fake_ops;
	fake->dev.nr_vectors = FAKE_VECTORS;
	fake->dev.vectors = fake->vectors;
	for (i = 0; i < FAKE_VECTORS; i++) {
		fake->vectors[i].dev = &fake->dev;
		fake->vectors[i].index = i;
		fake->vectors[i].counters = alloc_percpu(struct irqlab_counters);
		KUNIT_ASSERT_NOT_NULL(test, fake->vectors[i].counters);
		fake->messages[i].vec = &fake->vectors[i];
		init_irq_work(&fake->messages[i].work, fake_deliver);
	}
	test->priv = fake;
	return fake;
}

static void fake_exit(struct kunit *test)
{
	struct fake_device *fake = test->priv;
	unsigned int i;

	if (!fake)
		return;
	for (i = 0; i < FAKE_VECTORS; i++) {
		irq_work_sync(&fake->messages[i].work);
		free_percpu(fake->vectors[i].counters);
	}
}

static struct irqlab_counters fake_totals(struct irqlab_vector *vec)
{
	struct irqlab_counters sum = { };
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		const struct irqlab_counters *c = per_cpu_ptr(vec->counters, cpu);

		sum.fired += c->fired;
		sum.received += c->received;
		sum.handled += c->handled;
		sum.coalesced += c->coalesced;
		sum.busy += c->busy;
		sum.unexpected += c->unexpected;
	}
	return sum;
}

/* Waits, as a run does, until the vector's last trigger arrived. */
static bool fake_wait_delivered(struct irqlab_vector *vec)
{
	u64 deadline = ktime_get_ns() + NSEC_PER_SEC;

	while (atomic_read(&vec->outstanding)) {
		if (ktime_get_ns() > deadline)
			return false;
		cpu_relax();
	}
	return true;
}

static void each_trigger_arrives_once(struct kunit *test)
{
	struct fake_device *fake = fake_create(test);
	struct irqlab_vector *vec = &fake->vectors[0];
	struct irqlab_counters sum;
	int i;

	for (i = 0; i < 1000; i++) {
		KUNIT_ASSERT_EQ(test, irqlab_trigger(vec, IRQLAB_TRIGGER_DEVICE), 1);
		KUNIT_ASSERT_TRUE(test, fake_wait_delivered(vec));
	}
	sum = fake_totals(vec);
	KUNIT_EXPECT_EQ(test, sum.fired, 1000ULL);
	KUNIT_EXPECT_EQ(test, sum.received, 1000ULL);
	KUNIT_EXPECT_EQ(test, sum.handled, 1000ULL);
	KUNIT_EXPECT_EQ(test, sum.coalesced + sum.busy, 0ULL);
	KUNIT_EXPECT_EQ(test, irqlab_counters_missing(&sum), 0LL);
}

static void attempt_in_flight_is_coalesced(struct kunit *test)
{
	struct fake_device *fake = fake_create(test);
	struct irqlab_vector *vec = &fake->vectors[1];
	struct irqlab_counters sum;

	WRITE_ONCE(fake->hold, true);
	KUNIT_EXPECT_EQ(test, irqlab_trigger(vec, IRQLAB_TRIGGER_DEVICE), 1);
	KUNIT_EXPECT_EQ(test, irqlab_trigger(vec, IRQLAB_TRIGGER_DEVICE), 0);
	KUNIT_EXPECT_EQ(test, irqlab_trigger(vec, IRQLAB_TRIGGER_DEVICE), 0);
	sum = fake_totals(vec);
	KUNIT_EXPECT_EQ(test, irqlab_counters_missing(&sum), 1LL);	/* in flight */

	/* The device sends the one message it holds. */
	irq_work_queue(&fake->messages[1].work);
	irq_work_sync(&fake->messages[1].work);
	sum = fake_totals(vec);
	KUNIT_EXPECT_EQ(test, sum.fired, 3ULL);
	KUNIT_EXPECT_EQ(test, sum.received, 1ULL);
	KUNIT_EXPECT_EQ(test, sum.coalesced, 2ULL);
	KUNIT_EXPECT_EQ(test, irqlab_counters_missing(&sum), 0LL);
	KUNIT_EXPECT_EQ(test, atomic_read(&vec->outstanding), 0);
}

static void arrival_nobody_fired_is_unexpected(struct kunit *test)
{
	struct fake_device *fake = fake_create(test);
	struct irqlab_vector *vec = &fake->vectors[0];
	struct irqlab_counters sum;

	irq_work_queue(&fake->messages[0].work);
	irq_work_sync(&fake->messages[0].work);
	sum = fake_totals(vec);
	KUNIT_EXPECT_EQ(test, sum.received, 1ULL);
	KUNIT_EXPECT_EQ(test, sum.unexpected, 1ULL);
	KUNIT_EXPECT_EQ(test, irqlab_counters_missing(&sum), 0LL);
	KUNIT_EXPECT_EQ(test, atomic_read(&vec->outstanding), 0);
}

/*
 * A message of the device's own overtakes a trigger in flight: it stands
 * for that trigger, and the trigger's own message is the unexpected one.
 */
static void arrival_overtaking_a_trigger_is_unexpected_once(struct kunit *test)
{
	struct fake_device *fake = fake_create(test);
	struct irqlab_vector *vec = &fake->vectors[1];
	struct irqlab_counters sum;

	WRITE_ONCE(fake->hold, true);
	KUNIT_EXPECT_EQ(test, irqlab_trigger(vec, IRQLAB_TRIGGER_DEVICE), 1);
	/* The device's own message, then the held one. */
	irq_work_queue(&fake->messages[1].work);
	irq_work_sync(&fake->messages[1].work);
	irq_work_queue(&fake->messages[1].work);
	irq_work_sync(&fake->messages[1].work);
	sum = fake_totals(vec);
	KUNIT_EXPECT_EQ(test, sum.fired, 1ULL);
	KUNIT_EXPECT_EQ(test, sum.received, 2ULL);
	KUNIT_EXPECT_EQ(test, sum.unexpected, 1ULL);
	KUNIT_EXPECT_EQ(test, irqlab_counters_missing(&sum), 0LL);
	KUNIT_EXPECT_EQ(test, atomic_read(&vec->outstanding), 0);
}

struct fake_firer {
	struct fake_device *fake;
	int triggers;
	int result;
	struct completion done;
};

/* Fires both vectors from its CPU, racing the firers on other CPUs. */
static int fake_firer_thread(void *arg)
{
	struct fake_firer *firer = arg;
	int i, ret;

	for (i = 0; i < firer->triggers; i++) {
		struct irqlab_vector *vec = &firer->fake->vectors[i % FAKE_VECTORS];

		ret = irqlab_trigger(vec, IRQLAB_TRIGGER_DEVICE);
		if (ret < 0) {
			firer->result = ret;
			break;
		}
		if (!(i % 64))
			cond_resched();
	}
	complete(&firer->done);
	return 0;	/* the test pinned this task: kthread_stop() still works */
}

static void triggers_from_every_cpu_balance(struct kunit *test)
{
	struct fake_device *fake = fake_create(test);
	struct task_struct *tasks[NR_CPUS] = { };
	struct fake_firer *firers;
	unsigned int cpu, v;
	u64 fired = 0, coalesced = 0;

	firers = kunit_kcalloc(test, nr_cpu_ids, sizeof(*firers), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, firers);
	for_each_online_cpu(cpu) {
		firers[cpu].fake = fake;
		firers[cpu].triggers = 20000;
		init_completion(&firers[cpu].done);
		tasks[cpu] = kthread_create_on_cpu(fake_firer_thread, &firers[cpu], cpu,
						   "irqlab-test/%u");
		KUNIT_ASSERT_FALSE(test, IS_ERR(tasks[cpu]));
		get_task_struct(tasks[cpu]);
		wake_up_process(tasks[cpu]);
	}
	for_each_online_cpu(cpu) {
		wait_for_completion(&firers[cpu].done);
		kthread_stop(tasks[cpu]);
		put_task_struct(tasks[cpu]);
		KUNIT_EXPECT_EQ(test, firers[cpu].result, 0);
	}
	for (v = 0; v < FAKE_VECTORS; v++) {
		struct irqlab_counters sum;

		KUNIT_EXPECT_TRUE(test, fake_wait_delivered(&fake->vectors[v]));
		irq_work_sync(&fake->messages[v].work);
		sum = fake_totals(&fake->vectors[v]);
		KUNIT_EXPECT_EQ(test, irqlab_counters_missing(&sum), 0LL);
		KUNIT_EXPECT_EQ(test, sum.handled, sum.received);
		fired += sum.fired;
		coalesced += sum.coalesced;
	}
	KUNIT_EXPECT_EQ(test, fired, 20000ULL * num_online_cpus());
	kunit_info(test, "%llu attempts from %u CPUs, %llu coalesced\n", fired,
		   num_online_cpus(), coalesced);
}

static void reset_zeroes_counters_and_flight(struct kunit *test)
{
	struct fake_device *fake = fake_create(test);
	struct irqlab_counters sum;

	WRITE_ONCE(fake->hold, true);
	irqlab_trigger(&fake->vectors[0], IRQLAB_TRIGGER_DEVICE);
	irqlab_vectors_reset(&fake->dev);
	sum = fake_totals(&fake->vectors[0]);
	KUNIT_EXPECT_EQ(test, sum.fired, 0ULL);
	KUNIT_EXPECT_EQ(test, atomic_read(&fake->vectors[0].outstanding), 0);
	/* With nothing in flight, the next attempt is issued again. */
	KUNIT_EXPECT_EQ(test, irqlab_trigger(&fake->vectors[0], IRQLAB_TRIGGER_DEVICE), 1);
}

static struct kunit_case irqlab_accounting_cases[] = {
	KUNIT_CASE(each_trigger_arrives_once),
	KUNIT_CASE(attempt_in_flight_is_coalesced),
	KUNIT_CASE(arrival_nobody_fired_is_unexpected),
	KUNIT_CASE(arrival_overtaking_a_trigger_is_unexpected_once),
	KUNIT_CASE(triggers_from_every_cpu_balance),
	KUNIT_CASE(reset_zeroes_counters_and_flight),
	{ }
};

static struct kunit_suite irqlab_accounting_suite = {
	.name = "irqlab_accounting",
	.exit = fake_exit,
	.test_cases = irqlab_accounting_cases,
};

kunit_test_suites(&irqlab_accounting_suite);
