/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Caller-sized arrays (struct irqlab_array, uapi.h): the one place that
 * reads and writes them, so that every command applies the same rules
 * (E2BIG on a short buffer with the count needed written back, bounded
 * reads, zero pad).
 */
#ifndef IRQLAB_UARRAY_H
#define IRQLAB_UARRAY_H

#include <linux/cpumask.h>
#include <linux/types.h>

#include "irqlab/uapi.h"

/*
 * Reads an in bitmap into a new kernel bitmap of 'nbits' bits (free it
 * with bitmap_free()). EINVAL: pad set, nr past IRQLAB_BITMAP_MAX_BITS or
 * an empty set; ERANGE: a bit set at or past 'nbits'.
 */
int irqlab_bitmap_read(const struct irqlab_array *arr, unsigned int nbits,
		       unsigned long **bits);
/* As irqlab_bitmap_read(), into a cpumask of nr_cpu_ids bits. */
int irqlab_cpumask_read(const struct irqlab_array *arr, struct cpumask *mask);
/* Writes an out bitmap of 'nbits' bits: E2BIG when arr->nr is short. */
int irqlab_bitmap_write(struct irqlab_array *arr, const unsigned long *bits,
			unsigned int nbits);
/*
 * Before writing 'nr' elements to an out array: 0 when they fit (arr->nr
 * becomes 'nr'), E2BIG with arr->nr = nr when they do not, EINVAL for a
 * non-zero pad.
 */
int irqlab_array_fits(struct irqlab_array *arr, u32 nr);
/* Element 'i' of an out array of 'size'-byte elements, once it fits. */
int irqlab_array_put(const struct irqlab_array *arr, u32 i, const void *elem,
		     size_t size);

#endif /* IRQLAB_UARRAY_H */
