// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the buffer rule of caller-sized arrays (module/uarray.c, uapi.h
 * struct irqlab_array): a short out array is E2BIG with the count needed
 * written back, never a silent truncation; a fitting one says how many
 * elements it got; a non-zero pad is refused.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>

#include "module/uarray.h"

static void short_array_is_e2big_with_the_count_needed(struct kunit *test)
{
	struct irqlab_array arr = { .nr = 71 };

	KUNIT_EXPECT_EQ(test, irqlab_array_fits(&arr, 72), -E2BIG);
	KUNIT_EXPECT_EQ(test, arr.nr, 72U);
	/* Asked again with what it was told: it fits. */
	KUNIT_EXPECT_EQ(test, irqlab_array_fits(&arr, 72), 0);
	KUNIT_EXPECT_EQ(test, arr.nr, 72U);
}

static void larger_array_says_how_many_it_got(struct kunit *test)
{
	struct irqlab_array arr = { .nr = 8192 };

	KUNIT_EXPECT_EQ(test, irqlab_array_fits(&arr, 72), 0);
	KUNIT_EXPECT_EQ(test, arr.nr, 72U);
	arr.nr = 0;
	KUNIT_EXPECT_EQ(test, irqlab_array_fits(&arr, 0), 0);
	KUNIT_EXPECT_EQ(test, arr.nr, 0U);
}

static void array_pad_is_einval(struct kunit *test)
{
	struct irqlab_array arr = { .nr = 8192, .pad = 1 };

	KUNIT_EXPECT_EQ(test, irqlab_array_fits(&arr, 72), -EINVAL);
	KUNIT_EXPECT_EQ(test, arr.nr, 8192U);
}

static void bitmap_out_follows_the_rule_in_bits(struct kunit *test)
{
	struct irqlab_array arr = { .nr = 64 };
	unsigned long *bits = bitmap_zalloc(2048, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, bits);
	/* Short: nothing is written, so no user pointer is needed. */
	KUNIT_EXPECT_EQ(test, irqlab_bitmap_write(&arr, bits, 2048), -E2BIG);
	KUNIT_EXPECT_EQ(test, arr.nr, 2048U);
	bitmap_free(bits);
}

static void bitmap_in_bounds_are_checked_before_reading(struct kunit *test)
{
	struct irqlab_array arr = { .nr = IRQLAB_BITMAP_MAX_BITS + 1 };
	unsigned long *bits = NULL;

	/* No user memory is touched: the bounds come first. */
	KUNIT_EXPECT_EQ(test, irqlab_bitmap_read(&arr, 128, &bits), -EINVAL);
	KUNIT_EXPECT_NULL(test, bits);
	arr.nr = 0;
	KUNIT_EXPECT_EQ(test, irqlab_bitmap_read(&arr, 128, &bits), -EINVAL);
	arr.nr = 64;
	arr.pad = 1;
	KUNIT_EXPECT_EQ(test, irqlab_bitmap_read(&arr, 128, &bits), -EINVAL);
	KUNIT_EXPECT_NULL(test, bits);
}

static struct kunit_case irqlab_uarray_cases[] = {
	KUNIT_CASE(short_array_is_e2big_with_the_count_needed),
	KUNIT_CASE(larger_array_says_how_many_it_got),
	KUNIT_CASE(array_pad_is_einval),
	KUNIT_CASE(bitmap_out_follows_the_rule_in_bits),
	KUNIT_CASE(bitmap_in_bounds_are_checked_before_reading),
	{ }
};

static struct kunit_suite irqlab_uarray_suite = {
	.name = "irqlab_uarray",
	.test_cases = irqlab_uarray_cases,
};

kunit_test_suites(&irqlab_uarray_suite);
