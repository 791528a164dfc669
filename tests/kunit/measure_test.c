// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: per-file histograms (module/measure.c). Each open /dev/irqlab has
 * its own set; a vector records into the set it was started with, a
 * layout change is refused only while that set measures, and a point that
 * runs after the vector stopped records into no set at all, so the set may
 * be freed.
 */
#include <kunit/test.h>
#include <linux/bottom_half.h>
#include <linux/interrupt.h>
#include <linux/irqflags.h>

#include "module/device.h"

static void vector_free(void *vec)
{
	irqlab_measure_free_vector(vec);
}

static struct irqlab_vector *vector_create(struct kunit *test, unsigned int index)
{
	struct irqlab_vector *vec = kunit_kzalloc(test, sizeof(*vec), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, vec);
	vec->index = index;
	KUNIT_ASSERT_EQ(test, irqlab_measure_init_vector(vec), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vector_free, vec), 0);
	return vec;
}

static struct irqlab_hist_set *set_create(struct kunit *test)
{
	struct irqlab_hist_set *set = irqlab_hist_set_create();

	KUNIT_ASSERT_NOT_NULL(test, set);
	return set;
}

static u64 count_of(struct kunit *test, struct irqlab_hist_set *set, u32 metric)
{
	struct irqlab_hist *hist = kunit_kzalloc(test, sizeof(*hist), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, hist);
	hist->mechanism = IRQLAB_MECH_TASKLET;
	hist->path = IRQLAB_PATH_NATIVE;
	hist->metric = metric;
	hist->cpu = -1;
	KUNIT_ASSERT_EQ(test, irqlab_hist_read(set, hist), 0);
	return hist->count;
}

/* One interrupt as the native tasklet path measures it, t0 to t3. */
static void interrupt(struct irqlab_vector *vec)
{
	irqlab_measure_trigger(vec, IRQLAB_TRIGGER_IPI, true);
	local_irq_disable();
	irqlab_measure_t1(vec);
	irqlab_measure_hardirq(vec, irqlab_measure_now());
	local_irq_enable();
	irqlab_measure_t2(vec);
	irqlab_measure_t3(vec);
}

static void each_file_records_into_its_own_set(struct kunit *test)
{
	struct irqlab_hist_set *one = set_create(test), *two = set_create(test);
	struct irqlab_vector *a = vector_create(test, 0), *b = vector_create(test, 1);
	u32 metric;

	/* Same mechanism and path: only the set tells them apart. */
	irqlab_measure_start(a, IRQLAB_MECH_TASKLET, IRQLAB_PATH_NATIVE, one);
	irqlab_measure_start(b, IRQLAB_MECH_TASKLET, IRQLAB_PATH_NATIVE, two);
	interrupt(a);
	interrupt(b);
	interrupt(b);
	for (metric = 0; metric < IRQLAB_NR_METRICS; metric++) {
		KUNIT_EXPECT_EQ_MSG(test, count_of(test, one, metric), 1ULL, "metric %u", metric);
		KUNIT_EXPECT_EQ_MSG(test, count_of(test, two, metric), 2ULL, "metric %u", metric);
	}
	irqlab_measure_stop(a);
	irqlab_measure_stop(b);
	irqlab_hist_set_destroy(one);
	irqlab_hist_set_destroy(two);
}

static void layout_is_busy_only_for_the_measuring_set(struct kunit *test)
{
	const struct irqlab_hist_config linear = { IRQLAB_HIST_LINEAR, 8, 500 };
	struct irqlab_hist_set *one = set_create(test), *two = set_create(test);
	struct irqlab_vector *a = vector_create(test, 0);
	struct irqlab_hist *hist = kunit_kzalloc(test, sizeof(*hist), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, hist);
	irqlab_measure_start(a, IRQLAB_MECH_TASKLET, IRQLAB_PATH_NATIVE, one);
	KUNIT_EXPECT_EQ(test, irqlab_hist_configure(one, &linear), -EBUSY);
	KUNIT_EXPECT_EQ(test, irqlab_hist_configure(two, &linear), 0);
	hist->cpu = -1;
	KUNIT_EXPECT_EQ(test, irqlab_hist_read(two, hist), 0);
	KUNIT_EXPECT_EQ(test, hist->config.scale, (u32)IRQLAB_HIST_LINEAR);
	KUNIT_EXPECT_EQ(test, hist->config.width_ns, 500ULL);
	irqlab_measure_stop(a);
	KUNIT_EXPECT_EQ(test, irqlab_hist_configure(one, &linear), 0);
	irqlab_hist_set_destroy(one);
	irqlab_hist_set_destroy(two);
}

/*
 * A point that saw the vector attached just before it stopped (the softirq
 * exit probe can run after tasklet_kill()) finds no set under the
 * vector's lock: the set it recorded into may already be gone.
 */
static void stopped_vector_records_into_no_set(struct kunit *test)
{
	struct irqlab_hist_set *one = set_create(test);
	struct irqlab_vector *a = vector_create(test, 0);
	struct irqlab_mech_stats stats = {};

	irqlab_measure_start(a, IRQLAB_MECH_TASKLET, IRQLAB_PATH_NATIVE, one);
	irqlab_measure_stop(a);
	WRITE_ONCE(a->measure.attached, true);	/* as the late point saw it */
	interrupt(a);
	WRITE_ONCE(a->measure.attached, false);
	KUNIT_EXPECT_EQ(test, count_of(test, one, IRQLAB_METRIC_DELIVERY), 0ULL);
	KUNIT_EXPECT_EQ(test, count_of(test, one, IRQLAB_METRIC_RUNTIME), 0ULL);
	KUNIT_EXPECT_EQ(test, count_of(test, one, IRQLAB_METRIC_HARDIRQ), 0ULL);
	irqlab_measure_mech_stats(a, &stats);
	KUNIT_EXPECT_EQ(test, stats.samples[IRQLAB_METRIC_DELIVERY], 0ULL);
	/* Nothing measures into it any more: destroying it does not warn. */
	irqlab_hist_set_destroy(one);
}

static void file_without_set_reads_empty_histograms(struct kunit *test)
{
	struct irqlab_hist *hist = kunit_kzalloc(test, sizeof(*hist), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, hist);
	hist->metric = IRQLAB_METRIC_DEFERRAL;
	hist->cpu = -1;
	KUNIT_EXPECT_EQ(test, irqlab_hist_read(NULL, hist), 0);
	KUNIT_EXPECT_EQ(test, hist->count, 0ULL);
	KUNIT_EXPECT_EQ(test, hist->config.scale, (u32)IRQLAB_HIST_LOG2);
	KUNIT_EXPECT_EQ(test, hist->config.buckets, 32U);
	hist->metric = IRQLAB_NR_METRICS;
	KUNIT_EXPECT_EQ(test, irqlab_hist_read(NULL, hist), -EINVAL);
}

/*
 * The native softirq mechanism: one TASKLET_SOFTIRQ run may serve the
 * tasklets of several measured vectors, and its exit ends each of them.
 */
static void one_softirq_run_ends_every_vector_it_served(struct kunit *test)
{
	struct irqlab_hist_set *one = set_create(test);
	struct irqlab_vector *a = vector_create(test, 0), *b = vector_create(test, 1);
	struct irqlab_mech_stats stats = {};
	struct irqlab_vector *exit;

	irqlab_measure_start(a, IRQLAB_MECH_SOFTIRQ, IRQLAB_PATH_NATIVE, one);
	irqlab_measure_start(b, IRQLAB_MECH_SOFTIRQ, IRQLAB_PATH_NATIVE, one);
	local_bh_disable();
	irqlab_measure_softirq(IRQLAB_PATH_NATIVE, IRQLAB_SOFTIRQ_ENTRY, TASKLET_SOFTIRQ);
	irqlab_measure_softirq_served(a);
	irqlab_measure_softirq_served(b);
	exit = irqlab_measure_softirq(IRQLAB_PATH_NATIVE, IRQLAB_SOFTIRQ_EXIT, TASKLET_SOFTIRQ);
	KUNIT_EXPECT_PTR_EQ(test, exit, b);
	/* The list is empty again: a second exit ends nothing. */
	exit = irqlab_measure_softirq(IRQLAB_PATH_NATIVE, IRQLAB_SOFTIRQ_EXIT, TASKLET_SOFTIRQ);
	KUNIT_EXPECT_NULL(test, exit);
	local_bh_enable();
	irqlab_measure_mech_stats(a, &stats);
	KUNIT_EXPECT_EQ(test, stats.runs, 1ULL);
	KUNIT_EXPECT_EQ(test, stats.ends, 1ULL);
	irqlab_measure_mech_stats(b, &stats);
	KUNIT_EXPECT_EQ(test, stats.runs, 1ULL);
	KUNIT_EXPECT_EQ(test, stats.ends, 1ULL);
	irqlab_measure_stop(a);
	irqlab_measure_stop(b);
	irqlab_hist_set_destroy(one);
}

static struct kunit_case irqlab_measure_cases[] = {
	KUNIT_CASE(each_file_records_into_its_own_set),
	KUNIT_CASE(layout_is_busy_only_for_the_measuring_set),
	KUNIT_CASE(stopped_vector_records_into_no_set),
	KUNIT_CASE(one_softirq_run_ends_every_vector_it_served),
	KUNIT_CASE(file_without_set_reads_empty_histograms),
	{ }
};

static struct kunit_suite irqlab_measure_suite = {
	.name = "irqlab_measure",
	.test_cases = irqlab_measure_cases,
};

kunit_test_suites(&irqlab_measure_suite);
