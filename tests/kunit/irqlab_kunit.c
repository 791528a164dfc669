// SPDX-License-Identifier: GPL-2.0
/*
 * irqlab_kunit.ko: the C++ test cases of tests/cases/ as KUnit suites.
 *
 * The module is linked from the same glue, cxxrt and core sources as
 * irqlab.ko, compiled again for this module (Kbuild), so the cases test
 * that code inside a real kernel: real kthreads, locks, per-CPU areas and
 * timers, under lockdep, KASAN and kmemleak on the debug kernel.
 *
 * KUnit wants a static kunit_case array per suite; the C++ side keeps its
 * cases in tables. Module init, which runs before KUnit executes a
 * module's suites (at MODULE_STATE_LIVE), copies each table's names into
 * the array. Every case runs through one trampoline that finds the C++
 * case by the name KUnit hands it.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/string.h>

#include "tests/cases/ktest_abi.h"

#define IRQLAB_KUNIT_MAX_CASES 32

struct irqlab_kunit_suite {
	const struct irqlab_ktest_suite *cxx;
	struct kunit_case cases[IRQLAB_KUNIT_MAX_CASES + 1];
	struct kunit_suite suite;
};

static void irqlab_kunit_fail(void *sink, const char *file, int line,
			      const char *what)
{
	struct kunit *test = sink;

	KUNIT_FAIL(test, "%s:%d: expected %s", file, line, what);
}

static const struct irqlab_ktest_case *
irqlab_kunit_find(const struct irqlab_ktest_suite *cxx, const char *name)
{
	unsigned int i;

	for (i = 0; i < cxx->count; i++)
		if (!strcmp(cxx->cases[i].name, name))
			return &cxx->cases[i];
	return NULL;
}

static void irqlab_kunit_run(struct kunit *test,
			     const struct irqlab_ktest_suite *cxx)
{
	const struct irqlab_ktest_case *c = irqlab_kunit_find(cxx, test->name);
	struct irqlab_ktest_ctx ctx = {
		.fail = irqlab_kunit_fail,
		.sink = test,
	};

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->run(&ctx);
}

static void irqlab_kunit_cxxrt(struct kunit *test)
{
	irqlab_kunit_run(test, &irqlab_ktest_cxxrt_suite);
}

static struct irqlab_kunit_suite irqlab_cxxrt = {
	.cxx = &irqlab_ktest_cxxrt_suite,
	.cases = { { .run_case = irqlab_kunit_cxxrt, .name = "unfilled" } },
	.suite = { .name = "irqlab_cxxrt", .test_cases = irqlab_cxxrt.cases },
};

static void irqlab_kunit_platform(struct kunit *test)
{
	irqlab_kunit_run(test, &irqlab_ktest_platform_suite);
}

static struct irqlab_kunit_suite irqlab_platform = {
	.cxx = &irqlab_ktest_platform_suite,
	.cases = { { .run_case = irqlab_kunit_platform, .name = "unfilled" } },
	.suite = { .name = "irqlab_platform", .test_cases = irqlab_platform.cases },
};

static void irqlab_kunit_irqthread(struct kunit *test)
{
	irqlab_kunit_run(test, &irqlab_ktest_irqthread_suite);
}

static struct irqlab_kunit_suite irqlab_irqthread = {
	.cxx = &irqlab_ktest_irqthread_suite,
	.cases = { { .run_case = irqlab_kunit_irqthread, .name = "unfilled" } },
	.suite = { .name = "irqlab_irqthread", .test_cases = irqlab_irqthread.cases },
};

static void irqlab_kunit_timer(struct kunit *test)
{
	irqlab_kunit_run(test, &irqlab_ktest_timer_suite);
}

static struct irqlab_kunit_suite irqlab_timer = {
	.cxx = &irqlab_ktest_timer_suite,
	.cases = { { .run_case = irqlab_kunit_timer, .name = "unfilled" } },
	.suite = { .name = "irqlab_timer", .test_cases = irqlab_timer.cases },
};

static void irqlab_kunit_workqueue(struct kunit *test)
{
	irqlab_kunit_run(test, &irqlab_ktest_workqueue_suite);
}

static struct irqlab_kunit_suite irqlab_workqueue = {
	.cxx = &irqlab_ktest_workqueue_suite,
	.cases = { { .run_case = irqlab_kunit_workqueue, .name = "unfilled" } },
	.suite = { .name = "irqlab_workqueue", .test_cases = irqlab_workqueue.cases },
};

static void irqlab_kunit_napi(struct kunit *test)
{
	irqlab_kunit_run(test, &irqlab_ktest_napi_suite);
}

static struct irqlab_kunit_suite irqlab_napi = {
	.cxx = &irqlab_ktest_napi_suite,
	.cases = { { .run_case = irqlab_kunit_napi, .name = "unfilled" } },
	.suite = { .name = "irqlab_napi", .test_cases = irqlab_napi.cases },
};

static void irqlab_kunit_softirq(struct kunit *test)
{
	irqlab_kunit_run(test, &irqlab_ktest_softirq_suite);
}

static struct irqlab_kunit_suite irqlab_softirq = {
	.cxx = &irqlab_ktest_softirq_suite,
	.cases = { { .run_case = irqlab_kunit_softirq, .name = "unfilled" } },
	.suite = { .name = "irqlab_softirq", .test_cases = irqlab_softirq.cases },
};

static void irqlab_kunit_hotplug(struct kunit *test)
{
	irqlab_kunit_run(test, &irqlab_ktest_hotplug_suite);
}

/* Its cases take a CPU down and up with remove_cpu() / add_cpu(). */
static struct irqlab_kunit_suite irqlab_hotplug = {
	.cxx = &irqlab_ktest_hotplug_suite,
	.cases = { { .run_case = irqlab_kunit_hotplug, .name = "unfilled" } },
	.suite = { .name = "irqlab_hotplug", .test_cases = irqlab_hotplug.cases },
};

static struct irqlab_kunit_suite *irqlab_kunit_suites[] = {
	&irqlab_cxxrt, &irqlab_platform, &irqlab_irqthread,
	&irqlab_timer, &irqlab_workqueue, &irqlab_napi, &irqlab_softirq,
	&irqlab_hotplug,
};

static int irqlab_kunit_fill(struct irqlab_kunit_suite *s)
{
	void (*trampoline)(struct kunit *test) = s->cases[0].run_case;
	unsigned int i;

	if (s->cxx->count > IRQLAB_KUNIT_MAX_CASES) {
		pr_err("%s: %u cases, room for %d\n", s->suite.name,
		       s->cxx->count, IRQLAB_KUNIT_MAX_CASES);
		return -E2BIG;
	}
	for (i = 0; i < s->cxx->count; i++) {
		s->cases[i].run_case = trampoline;
		s->cases[i].name = s->cxx->cases[i].name;
	}
	memset(&s->cases[i], 0, sizeof(s->cases[i]));
	return 0;
}

static int __init irqlab_kunit_init(void)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < ARRAY_SIZE(irqlab_kunit_suites); i++)
		ret = irqlab_kunit_fill(irqlab_kunit_suites[i]);
	return ret;
}

static void __exit irqlab_kunit_exit(void)
{
}

module_init(irqlab_kunit_init);
module_exit(irqlab_kunit_exit);
kunit_test_suites(&irqlab_cxxrt.suite, &irqlab_platform.suite, &irqlab_irqthread.suite,
		  &irqlab_timer.suite, &irqlab_workqueue.suite, &irqlab_napi.suite,
		  &irqlab_softirq.suite, &irqlab_hotplug.suite);

MODULE_DESCRIPTION("irqlab: KUnit suites for the C++ runtime, platform and engine");
MODULE_AUTHOR("irqlab developers");
MODULE_LICENSE("GPL");
