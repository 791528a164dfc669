/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The maps of bpf/irqlab.bpf.c as userspace reads them
 * (userspace/src/bpf_probe.cpp). Include "irqlab/uapi.h" first.
 */
#ifndef _IRQLAB_BPF_H
#define _IRQLAB_BPF_H

#define IRQLAB_BPF_MAX_VECTORS	64	/* MSI-X indexes measured: 0..63 */
#define IRQLAB_BPF_MAX_IRQS	128	/* entries of irq_labels */
#define IRQLAB_BPF_MAX_WORKS	256	/* native work items remembered */

/* hists: one per (path, mech, metric), per CPU. */
#define IRQLAB_BPF_HIST(path, mech, metric) \
	(((path) * IRQLAB_NR_MECHS + (mech)) * IRQLAB_NR_METRICS + (metric))
#define IRQLAB_BPF_NR_HISTS	(IRQLAB_NR_PATHS * IRQLAB_NR_MECHS * IRQLAB_NR_METRICS)

/* vector_state: one per (path, vector). */
#define IRQLAB_BPF_STATE(path, vector)	((path) * IRQLAB_BPF_MAX_VECTORS + (vector))

/* native_hists: the native view's own latencies, per CPU. */
enum irqlab_bpf_native_hist {
	IRQLAB_BPF_NATIVE_SOFTIRQ_LATENCY = 0,	/* tasklet softirq raise -> entry */
	IRQLAB_BPF_NATIVE_WQ_LATENCY = 1,	/* workqueue_queue_work -> execute_start */
	IRQLAB_BPF_NR_NATIVE_HISTS = 2,
};

/* struct irqlab_hist from 'count' on, in the module's layout. */
struct irqlab_bpf_hist {
	__u64 count;
	__u64 sum_ns;
	__u64 min_ns;		/* 0 when empty */
	__u64 max_ns;
	__u64 overflow;
	__u64 bucket[IRQLAB_HIST_MAX_BUCKETS];
};

struct irqlab_bpf_vector_state {
	__u64 t0;		/* trigger, when stamped; 0: none */
	__u64 first_t1;		/* first t1 since the last t2 */
	__u64 first_t0;		/* its t0, 0 when it had none */
	__u64 pending;		/* t1s since the last t2 */
	__u64 t2;		/* bottom half start; 0: none */
};

/* irq_labels value: who a measured Linux irq is. */
struct irqlab_bpf_label {
	__s32 vector;
	__u32 path;
	__u32 mech;
	__u32 pad;
};

/* native_counts value: native events of one vector. */
struct irqlab_bpf_native_counts {
	__u64 softirq_raise;	/* TASKLET/HI softirq raised in the vector's handler */
	__u64 softirq_entry;	/* ... its softirq run started on that CPU */
	__u64 softirq_exit;
	__u64 tasklet_entry;	/* native tasklet runs that ran irqlab's code */
	__u64 tasklet_exit;
	__u64 wq_queue;		/* workqueue:* events of the vector's work items */
	__u64 wq_activate;
	__u64 wq_start;
	__u64 wq_end;
};

struct irqlab_bpf_work {
	__s32 vector;
	__u32 pad;
	__u64 queued_ts;
};

/* cpu_state value: what runs on this CPU. */
struct irqlab_bpf_cpu {
	__u32 hard_active;	/* inside a measured irq's handler */
	__s32 hard_irq;
	__s32 hard_vector;
	__u32 hard_path;
	__u32 hard_mech;
	__s32 tasklet_vector;	/* -1 until irqlab's code reports */
	__u32 hard_depth;	/* irqlab_hardirq_entry events of hard_irq open */
	__s32 threaded_irq;	/* a forced-threaded native handler runs; 0: none */
	__u64 hard_ts;
	__u64 threaded_ts;	/* its irqlab_hardirq_entry */
	__u64 raised[2];	/* [0] HI, [1] TASKLET: vectors raised, a mask */
	__u64 raise_ts[2];	/* first raise since the softirq last ran */
	__u64 running[2];	/* vectors of the softirq run in progress */
	__u64 tasklet_ts;	/* native tasklet_entry; 0: none running */
	__u64 tasklet_ptr;	/* 6.3+: the tasklet_struct */
};

#endif /* _IRQLAB_BPF_H */
