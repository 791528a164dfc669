// SPDX-License-Identifier: GPL-2.0
/*
 * irqlab's measuring probes (docs/bpf.md, docs/measuring.md): the engine
 * path and the native path timed at the same points as the module times
 * them, with this program's own clock (bpf_ktime_get_ns), so that the two
 * can be cross-checked: the same sample counts, p50 within one bucket.
 *
 *   t0  irqlab:irqlab_trigger with stamped=1
 *   t1  irqlab:irqlab_t1   handler entry       DELIVERY   = t1 - t0
 *   t2  irqlab:irqlab_t2   bottom half start   DEFERRAL   = t2 - first t1
 *                                              END_TO_END = t2 - first t0
 *   t3  irqlab:irqlab_t3   bottom half end     RUNTIME    = t3 - t2
 *   irq:irq_handler_entry/exit of the measured vectors' Linux irqs: HARDIRQ
 *
 * Histograms are keyed by (path, mech, metric) in a per-CPU array and use
 * the module's layout (struct irqlab_hist_config), set before load.
 *
 * Every probe is a raw tracepoint. Classic tracepoint programs share the
 * per-CPU bpf_prog_active guard: a hardirq's program is dropped whenever it
 * interrupts any other such program on its CPU (a kworker's, a bpftrace
 * script's), which would make the counts disagree with the module's. Raw
 * tracepoints only refuse to nest a program within itself. Their arguments
 * are the tracepoints' TP_PROTO arguments (module/irqlab_trace.h for the
 * irqlab events, which are not in kernel BTF).
 *
 * Native events for cross-checking, counted per vector: TASKLET_SOFTIRQ and
 * HI_SOFTIRQ raised from a measured irq's handler, their softirq entry and
 * exit on that CPU (and the raise -> entry latency), native tasklet runs in
 * which irqlab's native code ran, and workqueue events of the work items of
 * measured native vectors.
 *
 * Limitation: the tracepoints label vectors, not devices: measure one
 * claimed device at a time.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "irqlab/uapi.h"

#include "irqlab.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* The module's histogram layout (IRQLAB_IOC_HIST_CONFIG), set before load. */
const volatile __u32 hist_scale = IRQLAB_HIST_LOG2;
const volatile __u32 hist_buckets = 32;
const volatile __u64 hist_width_ns = 1000;

/* Aligned 64-bit loads and stores are single instructions in BPF. */
#define READ_ONCE(x)		(*(volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile typeof(x) *)&(x) = (v))

#define HI_SOFTIRQ	0
#define TASKLET_SOFTIRQ	6

/*
 * Only the 6.12 layout of irq:tasklet_* has 'tasklet' (6.1: func only).
 * The tracepoint's arguments changed with it, so the field tells which
 * raw arguments this kernel passes.
 */
struct trace_event_raw_tasklet {
	void *tasklet;
	void *func;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, IRQLAB_BPF_NR_HISTS);
	__type(key, __u32);
	__type(value, struct irqlab_bpf_hist);
} hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, IRQLAB_BPF_NR_NATIVE_HISTS);
	__type(key, __u32);
	__type(value, struct irqlab_bpf_hist);
} native_hists SEC(".maps");

/* Index IRQLAB_BPF_STATE(path, vector). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, IRQLAB_NR_PATHS * IRQLAB_BPF_MAX_VECTORS);
	__type(key, __u32);
	__type(value, struct irqlab_bpf_vector_state);
} vector_state SEC(".maps");

/* Linux irq of a measured vector -> its labels; filled by userspace. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, IRQLAB_BPF_MAX_IRQS);
	__type(key, __u32);
	__type(value, struct irqlab_bpf_label);
} irq_labels SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, IRQLAB_BPF_MAX_VECTORS);
	__type(key, __u32);
	__type(value, struct irqlab_bpf_native_counts);
} native_counts SEC(".maps");

/* A measured native vector's work_struct -> its vector and queue time. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, IRQLAB_BPF_MAX_WORKS);
	__type(key, __u64);
	__type(value, struct irqlab_bpf_work);
} works SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct irqlab_bpf_cpu);
} cpu_state SEC(".maps");

static __always_inline int hist_bucket(__u64 value)
{
	__u64 width = hist_width_ns ? hist_width_ns : 1;
	__u64 q = value / width;
	__u32 i = 0;

	if (hist_scale == IRQLAB_HIST_LINEAR) {
		if (q >= hist_buckets)
			return -1;
		return (int)q;
	}
	/* Log2: bucket 0 [0, w), bucket i [w << (i - 1), w << i). */
	if (q == 0)
		return 0;
	if (q >> 32) {
		q >>= 32;
		i += 32;
	}
	if (q >> 16) {
		q >>= 16;
		i += 16;
	}
	if (q >> 8) {
		q >>= 8;
		i += 8;
	}
	if (q >> 4) {
		q >>= 4;
		i += 4;
	}
	if (q >> 2) {
		q >>= 2;
		i += 2;
	}
	if (q >> 1)
		i += 1;
	i += 1;	/* floor(log2(q)) + 1 */
	if (i >= hist_buckets)
		return -1;
	return (int)i;
}

/* Per-CPU histogram: only one program updates a given metric's entry. */
static __always_inline void hist_add(struct irqlab_bpf_hist *h, __u64 value)
{
	int b = hist_bucket(value);

	if (!h->count || value < h->min_ns)
		h->min_ns = value;
	if (value > h->max_ns)
		h->max_ns = value;
	h->count++;
	h->sum_ns += value;
	if (b >= 0 && b < IRQLAB_HIST_MAX_BUCKETS)
		h->bucket[b]++;
	else
		h->overflow++;
}

static __always_inline void record(__u32 path, __u32 mech, __u32 metric, __u64 value)
{
	struct irqlab_bpf_hist *h;
	__u32 key;

	if (path >= IRQLAB_NR_PATHS || mech >= IRQLAB_NR_MECHS || metric >= IRQLAB_NR_METRICS)
		return;
	key = IRQLAB_BPF_HIST(path, mech, metric);
	h = bpf_map_lookup_elem(&hists, &key);
	if (h)
		hist_add(h, value);
}

static __always_inline void record_native(__u32 which, __u64 value)
{
	struct irqlab_bpf_hist *h = bpf_map_lookup_elem(&native_hists, &which);

	if (h)
		hist_add(h, value);
}

static __always_inline struct irqlab_bpf_vector_state *state_of(__u32 path, int vector)
{
	__u32 key;

	if (path >= IRQLAB_NR_PATHS || vector < 0 || vector >= IRQLAB_BPF_MAX_VECTORS)
		return NULL;
	key = IRQLAB_BPF_STATE(path, vector);
	return bpf_map_lookup_elem(&vector_state, &key);
}

static __always_inline struct irqlab_bpf_native_counts *counts_of(int vector)
{
	__u32 key = vector;

	if (vector < 0 || vector >= IRQLAB_BPF_MAX_VECTORS)
		return NULL;
	return bpf_map_lookup_elem(&native_counts, &key);
}

static __always_inline struct irqlab_bpf_cpu *this_cpu(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&cpu_state, &zero);
}

/* The measuring points: the same rules as the module (docs/measuring.md). */

SEC("raw_tp/irqlab_trigger")
int BPF_PROG(irqlab_trigger, unsigned int path, unsigned int mech, int vector,
	     unsigned int trigger, unsigned int stamped)
{
	struct irqlab_bpf_vector_state *s;

	if (!stamped)
		return 0;
	s = state_of(path, vector);
	if (s)
		WRITE_ONCE(s->t0, bpf_ktime_get_ns());
	return 0;
}

SEC("raw_tp/irqlab_t1")
int BPF_PROG(irqlab_t1, unsigned int path, unsigned int mech, int vector)
{
	__u64 now = bpf_ktime_get_ns();
	struct irqlab_bpf_vector_state *s = state_of(path, vector);
	struct irqlab_bpf_cpu *c = this_cpu();
	__u64 t0;

	if (c && c->hard_active && c->hard_vector == vector) {
		/* Label the hardirq with what its handler says. */
		c->hard_path = path;
		c->hard_mech = mech;
	}
	if (!s)
		return 0;
	t0 = __sync_lock_test_and_set(&s->t0, 0);
	if (t0)
		record(path, mech, IRQLAB_METRIC_DELIVERY, now - t0);
	if (READ_ONCE(s->pending) == 0) {
		WRITE_ONCE(s->first_t1, now);
		WRITE_ONCE(s->first_t0, t0);
	}
	__sync_fetch_and_add(&s->pending, 1);
	return 0;
}

/* A native tasklet running irqlab's code: count it for this vector. */
static __always_inline void claim_native_tasklet(unsigned int path, int vector)
{
	struct irqlab_bpf_native_counts *n;
	struct irqlab_bpf_cpu *c;

	if (path != IRQLAB_PATH_NATIVE)
		return;
	c = this_cpu();
	if (!c || !c->tasklet_ts || c->tasklet_vector >= 0)
		return;
	n = counts_of(vector);
	if (!n)
		return;
	c->tasklet_vector = vector;
	__sync_fetch_and_add(&n->tasklet_entry, 1);
}

SEC("raw_tp/irqlab_t2")
int BPF_PROG(irqlab_t2, unsigned int path, unsigned int mech, int vector)
{
	__u64 now = bpf_ktime_get_ns();
	struct irqlab_bpf_vector_state *s = state_of(path, vector);
	__u64 first_t1, first_t0;

	claim_native_tasklet(path, vector);
	if (!s)
		return 0;
	__sync_lock_test_and_set(&s->pending, 0);
	first_t1 = __sync_lock_test_and_set(&s->first_t1, 0);
	first_t0 = __sync_lock_test_and_set(&s->first_t0, 0);
	if (first_t1)
		record(path, mech, IRQLAB_METRIC_DEFERRAL, now - first_t1);
	if (first_t0)
		record(path, mech, IRQLAB_METRIC_END_TO_END, now - first_t0);
	WRITE_ONCE(s->t2, now);
	return 0;
}

SEC("raw_tp/irqlab_t3")
int BPF_PROG(irqlab_t3, unsigned int path, unsigned int mech, int vector)
{
	__u64 now = bpf_ktime_get_ns();
	struct irqlab_bpf_vector_state *s = state_of(path, vector);
	__u64 t2;

	if (!s)
		return 0;
	t2 = __sync_lock_test_and_set(&s->t2, 0);
	if (t2)
		record(path, mech, IRQLAB_METRIC_RUNTIME, now - t2);
	return 0;
}

/*
 * HARDIRQ: irqlab's Linux handler of a measured vector, entry to return.
 * irq:irq_handler_entry/exit bracket it and name the vector; the time is
 * taken at the handler's own irqlab_hardirq_entry/exit, the points where
 * the module takes it, so that the probes' cost on the irq:* events stays
 * out of it. The engine's actions emit irqlab_hardirq_* too (with their
 * virq, which may equal a Linux irq number): the outermost pair counts.
 *
 * Forced-threaded (PREEMPT_RT, threadirqs), the native handler runs in its
 * irq thread, after the kernel's primary handler's irq:irq_handler_exit,
 * and no irq:* event brackets it: its own native irqlab_hardirq_entry/exit
 * pair does, in a slot of its own, as a hardirq may nest inside it.
 */

SEC("raw_tp/irq_handler_entry")
int BPF_PROG(irq_handler_entry, int irq, void *action)
{
	__u32 key = irq;
	struct irqlab_bpf_label *l = bpf_map_lookup_elem(&irq_labels, &key);
	struct irqlab_bpf_cpu *c;

	if (!l)
		return 0;
	c = this_cpu();
	if (!c)
		return 0;
	c->hard_active = 1;
	c->hard_irq = irq;
	c->hard_vector = l->vector;
	c->hard_path = l->path;
	c->hard_mech = l->mech;
	c->hard_depth = 0;
	c->hard_ts = 0;
	return 0;
}

SEC("raw_tp/irqlab_hardirq_entry")
int BPF_PROG(irqlab_hardirq_entry, int irq, const char *name, unsigned int path,
	     unsigned int mech, int vector)
{
	struct irqlab_bpf_cpu *c = this_cpu();
	__u32 key = irq;

	if (!c)
		return 0;
	if (c->hard_active && c->hard_irq == irq) {
		if (c->hard_depth++ == 0)
			c->hard_ts = bpf_ktime_get_ns();
		return 0;
	}
	if (path == IRQLAB_PATH_NATIVE && !c->threaded_irq &&
	    bpf_map_lookup_elem(&irq_labels, &key)) {
		c->threaded_irq = irq;
		c->threaded_ts = bpf_ktime_get_ns();
	}
	return 0;
}

SEC("raw_tp/irqlab_hardirq_exit")
int BPF_PROG(irqlab_hardirq_exit, int irq, int ret, unsigned int path, unsigned int mech,
	     int vector)
{
	__u64 now = bpf_ktime_get_ns();
	struct irqlab_bpf_cpu *c = this_cpu();
	struct irqlab_bpf_label *l;
	__u32 key = irq;

	__u64 start;

	if (!c)
		return 0;
	if (c->hard_active && c->hard_irq == irq && c->hard_depth) {
		if (--c->hard_depth || !c->hard_ts)
			return 0;
		start = c->hard_ts;
		c->hard_ts = 0;
	} else if (path == IRQLAB_PATH_NATIVE && c->threaded_irq == irq) {
		start = c->threaded_ts;
		c->threaded_irq = 0;
	} else {
		return 0;
	}
	/* The labels userspace gave, not the ones the handler reported. */
	l = bpf_map_lookup_elem(&irq_labels, &key);
	if (l)
		record(l->path, l->mech, IRQLAB_METRIC_HARDIRQ, now - start);
	return 0;
}

SEC("raw_tp/irq_handler_exit")
int BPF_PROG(irq_handler_exit, int irq, void *action, int ret)
{
	struct irqlab_bpf_cpu *c = this_cpu();

	if (!c || !c->hard_active || c->hard_irq != irq)
		return 0;
	c->hard_active = 0;
	c->hard_vector = -1;
	c->hard_depth = 0;
	c->hard_ts = 0;
	return 0;
}

/* Native softirqs: the tasklet vectors raised from a measured handler. */

static __always_inline int tasklet_softirq(unsigned int vec)
{
	if (vec == TASKLET_SOFTIRQ)
		return 1;
	if (vec == HI_SOFTIRQ)
		return 0;
	return -1;
}

SEC("raw_tp/softirq_raise")
int BPF_PROG(softirq_raise, unsigned int vec)
{
	int slot = tasklet_softirq(vec);
	struct irqlab_bpf_native_counts *n;
	struct irqlab_bpf_cpu *c;
	int vector;

	if (slot < 0)
		return 0;
	c = this_cpu();
	if (!c || !c->hard_active)
		return 0;
	vector = c->hard_vector;
	n = counts_of(vector);
	if (!n)
		return 0;
	__sync_fetch_and_add(&n->softirq_raise, 1);
	if (slot) {
		if (!c->raise_ts[1])
			c->raise_ts[1] = bpf_ktime_get_ns();
		c->raised[1] |= 1ULL << (vector & 63);
	} else {
		if (!c->raise_ts[0])
			c->raise_ts[0] = bpf_ktime_get_ns();
		c->raised[0] |= 1ULL << (vector & 63);
	}
	return 0;
}

static __always_inline void count_mask(__u64 mask, int entry)
{
	struct irqlab_bpf_native_counts *n;
	int i;

	for (i = 0; i < IRQLAB_BPF_MAX_VECTORS; i++) {
		if (!(mask & (1ULL << i)))
			continue;
		n = counts_of(i);
		if (!n)
			continue;
		if (entry)
			__sync_fetch_and_add(&n->softirq_entry, 1);
		else
			__sync_fetch_and_add(&n->softirq_exit, 1);
	}
}

SEC("raw_tp/softirq_entry")
int BPF_PROG(softirq_entry, unsigned int vec)
{
	int slot = tasklet_softirq(vec);
	struct irqlab_bpf_cpu *c;
	__u64 mask, ts;

	if (slot < 0)
		return 0;
	c = this_cpu();
	if (!c)
		return 0;
	/* Hardirqs may raise again meanwhile: those belong to the next run. */
	if (slot) {
		mask = c->raised[1];
		ts = c->raise_ts[1];
		c->raised[1] = 0;
		c->raise_ts[1] = 0;
		c->running[1] = mask;
	} else {
		mask = c->raised[0];
		ts = c->raise_ts[0];
		c->raised[0] = 0;
		c->raise_ts[0] = 0;
		c->running[0] = mask;
	}
	if (!mask)
		return 0;
	record_native(IRQLAB_BPF_NATIVE_SOFTIRQ_LATENCY, bpf_ktime_get_ns() - ts);
	count_mask(mask, 1);
	return 0;
}

SEC("raw_tp/softirq_exit")
int BPF_PROG(softirq_exit, unsigned int vec)
{
	int slot = tasklet_softirq(vec);
	struct irqlab_bpf_cpu *c;
	__u64 mask;

	if (slot < 0)
		return 0;
	c = this_cpu();
	if (!c)
		return 0;
	if (slot) {
		mask = c->running[1];
		c->running[1] = 0;
	} else {
		mask = c->running[0];
		c->running[0] = 0;
	}
	if (mask)
		count_mask(mask, 0);
	return 0;
}

/*
 * Native tasklets: which vector a run belongs to is known once irqlab's
 * native code inside it reports (irqlab_tasklet_entry or irqlab_t2 with
 * path=1); tasklets do not nest on a CPU. The raw arguments differ
 * between 6.1 (func) and 6.12 (tasklet, func); only the entry time is
 * kept, so neither is read.
 */
SEC("raw_tp/tasklet_entry")
int BPF_PROG(tasklet_entry)
{
	struct irqlab_bpf_cpu *c = this_cpu();

	if (!c)
		return 0;
	c->tasklet_ts = bpf_ktime_get_ns();
	c->tasklet_vector = -1;
	if (bpf_core_field_exists(struct trace_event_raw_tasklet, tasklet))
		c->tasklet_ptr = ctx[0];
	else
		c->tasklet_ptr = 0;
	return 0;
}

SEC("raw_tp/tasklet_exit")
int BPF_PROG(tasklet_exit)
{
	struct irqlab_bpf_cpu *c = this_cpu();
	struct irqlab_bpf_native_counts *n;

	if (!c || !c->tasklet_ts)
		return 0;
	if (c->tasklet_ptr && c->tasklet_ptr != ctx[0] &&
	    bpf_core_field_exists(struct trace_event_raw_tasklet, tasklet))
		return 0;	/* not the run that entered */
	n = counts_of(c->tasklet_vector);
	if (n)
		__sync_fetch_and_add(&n->tasklet_exit, 1);
	c->tasklet_ts = 0;
	c->tasklet_vector = -1;
	c->tasklet_ptr = 0;
	return 0;
}

SEC("raw_tp/irqlab_tasklet_entry")
int BPF_PROG(irqlab_tasklet_entry, const void *tasklet, const void *func, unsigned int path,
	     unsigned int mech, int vector)
{
	claim_native_tasklet(path, vector);
	return 0;
}

/* Native workqueues: the work items irqlab queues for native vectors. */

static __always_inline void learn_work(__u64 work, int vector)
{
	struct irqlab_bpf_work w = { .vector = vector };

	if (!work || vector < 0 || vector >= IRQLAB_BPF_MAX_VECTORS)
		return;
	bpf_map_update_elem(&works, &work, &w, BPF_NOEXIST);
}

SEC("raw_tp/irqlab_work_queue")
int BPF_PROG(irqlab_work_queue, const void *work, const void *function, const char *workqueue,
	     int req_cpu, int cpu, unsigned int path, unsigned int mech, int vector)
{
	if (path == IRQLAB_PATH_NATIVE)
		learn_work((__u64)work, vector);
	return 0;
}

SEC("raw_tp/workqueue_queue_work")
int BPF_PROG(workqueue_queue_work, int req_cpu, void *pwq, void *work)
{
	__u64 key = (__u64)work;
	struct irqlab_bpf_native_counts *n;
	struct irqlab_bpf_work *w;
	struct irqlab_bpf_cpu *c;

	w = bpf_map_lookup_elem(&works, &key);
	if (!w) {
		/* Queued from a measured native handler: irqlab's work. */
		c = this_cpu();
		if (!c || !c->hard_active || c->hard_path != IRQLAB_PATH_NATIVE ||
		    c->hard_mech < IRQLAB_MECH_WQ_SYSTEM || c->hard_mech > IRQLAB_MECH_WQ_BH)
			return 0;
		learn_work(key, c->hard_vector);
		w = bpf_map_lookup_elem(&works, &key);
		if (!w)
			return 0;
	}
	w->queued_ts = bpf_ktime_get_ns();
	n = counts_of(w->vector);
	if (n)
		__sync_fetch_and_add(&n->wq_queue, 1);
	return 0;
}

/* The counts of the measured vector a work item was learnt for, or NULL. */
static __always_inline struct irqlab_bpf_native_counts *
work_counts(void *work, struct irqlab_bpf_work **learnt)
{
	__u64 key = (__u64)work;
	struct irqlab_bpf_work *w = bpf_map_lookup_elem(&works, &key);

	if (learnt)
		*learnt = w;
	return w ? counts_of(w->vector) : NULL;
}

SEC("raw_tp/workqueue_activate_work")
int BPF_PROG(workqueue_activate_work, void *work)
{
	struct irqlab_bpf_native_counts *n = work_counts(work, NULL);

	if (n)
		__sync_fetch_and_add(&n->wq_activate, 1);
	return 0;
}

SEC("raw_tp/workqueue_execute_start")
int BPF_PROG(workqueue_execute_start, void *work)
{
	struct irqlab_bpf_work *w;
	struct irqlab_bpf_native_counts *n = work_counts(work, &w);
	__u64 queued;

	if (!w)
		return 0;
	queued = __sync_lock_test_and_set(&w->queued_ts, 0);
	if (queued)
		record_native(IRQLAB_BPF_NATIVE_WQ_LATENCY, bpf_ktime_get_ns() - queued);
	if (n)
		__sync_fetch_and_add(&n->wq_start, 1);
	return 0;
}

SEC("raw_tp/workqueue_execute_end")
int BPF_PROG(workqueue_execute_end, void *work)
{
	struct irqlab_bpf_native_counts *n = work_counts(work, NULL);

	if (n)
		__sync_fetch_and_add(&n->wq_end, 1);
	return 0;
}
