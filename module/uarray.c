// SPDX-License-Identifier: GPL-2.0
/* Caller-sized arrays across the ioctl boundary (see uarray.h). */
#include <linux/bitmap.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "uarray.h"

/* The caller's words, at most IRQLAB_BITMAP_MAX_BITS / 8 bytes of them. */
static u64 *irqlab_words_read(const struct irqlab_array *arr)
{
	size_t words = IRQLAB_BITMAP_WORDS(arr->nr);
	u64 *buf;

	buf = kvcalloc(words, sizeof(u64), GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(buf, u64_to_user_ptr(arr->ptr), words * sizeof(u64))) {
		kvfree(buf);
		return ERR_PTR(-EFAULT);
	}
	/* Bits at or past 'nr' in the last word are not part of the set. */
	if (arr->nr % 64)
		buf[words - 1] &= (1ULL << (arr->nr % 64)) - 1;
	return buf;
}

/* Word 'i' of a set has no bit at or past 'nbits'. */
static bool irqlab_word_in_range(u64 w, unsigned int i, unsigned int nbits)
{
	unsigned int first = i * 64;

	if (first >= nbits)
		return !w;
	if (nbits - first >= 64)
		return true;
	return !(w >> (nbits - first));
}

/* Fills 'bits' (nbits, zeroed) from the caller's set. */
static int irqlab_bits_from_user(const struct irqlab_array *arr, unsigned long *bits,
				 unsigned int nbits)
{
	unsigned int i;
	bool any = false;
	u64 *words;
	int ret = 0;

	if (arr->pad || !arr->nr || arr->nr > IRQLAB_BITMAP_MAX_BITS)
		return -EINVAL;
	words = irqlab_words_read(arr);
	if (IS_ERR(words))
		return PTR_ERR(words);
	for (i = 0; i < IRQLAB_BITMAP_WORDS(arr->nr); i++) {
		u64 w = words[i];

		any = any || w;
		if (!irqlab_word_in_range(w, i, nbits))
			ret = -ERANGE;
	}
	if (!ret && !any)
		ret = -EINVAL;
	if (!ret)
		bitmap_from_arr64(bits, words, min(nbits, arr->nr));
	kvfree(words);
	return ret;
}

int irqlab_bitmap_read(const struct irqlab_array *arr, unsigned int nbits,
		       unsigned long **bits)
{
	int ret;

	*bits = bitmap_zalloc(nbits, GFP_KERNEL);
	if (!*bits)
		return -ENOMEM;
	ret = irqlab_bits_from_user(arr, *bits, nbits);
	if (ret) {
		bitmap_free(*bits);
		*bits = NULL;
	}
	return ret;
}

int irqlab_cpumask_read(const struct irqlab_array *arr, struct cpumask *mask)
{
	cpumask_clear(mask);
	return irqlab_bits_from_user(arr, cpumask_bits(mask), nr_cpu_ids);
}

int irqlab_array_fits(struct irqlab_array *arr, u32 nr)
{
	if (arr->pad)
		return -EINVAL;
	if (arr->nr < nr) {
		arr->nr = nr;
		return -E2BIG;
	}
	arr->nr = nr;
	return 0;
}

int irqlab_array_put(const struct irqlab_array *arr, u32 i, const void *elem,
		     size_t size)
{
	void __user *dst = u64_to_user_ptr(arr->ptr + (u64)i * size);

	return copy_to_user(dst, elem, size) ? -EFAULT : 0;
}

int irqlab_bitmap_write(struct irqlab_array *arr, const unsigned long *bits,
			unsigned int nbits)
{
	size_t words = IRQLAB_BITMAP_WORDS(nbits);
	u64 *buf;
	int ret;

	ret = irqlab_array_fits(arr, nbits);
	if (ret)
		return ret;
	buf = kvcalloc(words, sizeof(u64), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	bitmap_to_arr64(buf, bits, nbits);
	if (copy_to_user(u64_to_user_ptr(arr->ptr), buf, words * sizeof(u64)))
		ret = -EFAULT;
	kvfree(buf);
	return ret;
}
