/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The meeting point of the C++ test cases in tests/cases/ and their two
 * runners: KUnit in the debug kernel (tests/kunit/irqlab_kunit.c, C) and
 * GoogleTest hosted (tests/unit/shared_cases_test.cpp). Valid C and C++.
 */
#ifndef IRQLAB_KTEST_ABI_H
#define IRQLAB_KTEST_ABI_H

#ifdef __cplusplus
extern "C" {
#endif

/* Where a case reports a failed expectation (KUnit or GoogleTest). */
struct irqlab_ktest_ctx {
	void (*fail)(void *sink, const char *file, int line, const char *what);
	void *sink;
	int failures;
};

struct irqlab_ktest_case {
	const char *name;
	void (*run)(struct irqlab_ktest_ctx *ctx);
};

struct irqlab_ktest_suite {
	const char *name;
	const struct irqlab_ktest_case *cases;
	unsigned int count;
};

extern const struct irqlab_ktest_suite irqlab_ktest_cxxrt_suite;
extern const struct irqlab_ktest_suite irqlab_ktest_platform_suite;
extern const struct irqlab_ktest_suite irqlab_ktest_workqueue_suite;
extern const struct irqlab_ktest_suite irqlab_ktest_timer_suite;
extern const struct irqlab_ktest_suite irqlab_ktest_napi_suite;
extern const struct irqlab_ktest_suite irqlab_ktest_irqthread_suite;
extern const struct irqlab_ktest_suite irqlab_ktest_softirq_suite;
extern const struct irqlab_ktest_suite irqlab_ktest_hotplug_suite;

#ifdef __cplusplus
}
#endif

#endif /* IRQLAB_KTEST_ABI_H */
