/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * irqlab ioctl ABI: the one definition shared by irqlab.ko and the irqlab
 * CLI. Every struct has a fixed size, asserted below, and every command
 * encodes that size: the module answers -EINVAL when a known command comes
 * with another size or direction, and -ENOTTY for commands it does not know.
 *
 * No fixed limits (2.0): whatever grows with the machine or the device
 * (per-CPU rows, CPU and vector sets, the claimed devices) crosses in a
 * caller-sized array, struct irqlab_array, never in a fixed-size member.
 */
#ifndef _IRQLAB_UAPI_H
#define _IRQLAB_UAPI_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#include "schema.h"

#define IRQLAB_DEVICE_NAME	"irqlab"
#define IRQLAB_DEVICE_PATH	"/dev/irqlab"

/*
 * Bumped on any incompatible change (major) or backwards-compatible
 * addition (minor). The CLI refuses a module with another major.
 *
 * 2.0: no fixed limits (struct irqlab_array, IRQLAB_IOC_INFO); claim
 * reports the MSI-X table size.
 * 4.0: DEVICE_CAPS reports flags (IRQLAB_DEVICE_UNTESTED).
 * 5.0: MECH_STATS reports forced_threaded (PREEMPT_RT).
 * 5.1: VECTOR_ROUTE.
 *
 * Ownership (1.6): what a caller attaches or starts through an open
 * /dev/irqlab belongs to that open file and is undone when it is closed,
 * whatever ends the process: firing runs (unless IRQLAB_FIRE_DETACHED),
 * measured mechanisms, engine lines (unless IRQLAB_ATTACH_KEEP), and the
 * file's histograms. Claims are never owned: they last until released.
 */
#define IRQLAB_ABI_MAJOR	5
#define IRQLAB_ABI_MINOR	1

#define IRQLAB_IOC_MAGIC	0xE1

#define IRQLAB_VERSION_LEN	32
#define IRQLAB_RELEASE_LEN	65	/* __NEW_UTS_LEN + 1 */

/*
 * IRQLAB_IOC_VERSION: what is loaded, for the CLI to check and show. Its
 * struct and command word never change, whatever the major: a CLI asks it
 * first and refuses a module of another major before anything else.
 */
struct irqlab_version {
	__u32 abi_major;
	__u32 abi_minor;
	char module_version[IRQLAB_VERSION_LEN];	/* NUL-terminated */
	char kernel_release[IRQLAB_RELEASE_LEN];	/* NUL-terminated */
	__u8 pad[7];					/* zero */
};

#define IRQLAB_IOC_VERSION	_IOR(IRQLAB_IOC_MAGIC, 0x00, struct irqlab_version)

/*
 * A caller-sized array: 'ptr' is the user address of its first element,
 * 'nr' the number of elements there.
 *
 * Out (the module writes it): 'nr' in is what the buffer holds. When the
 * answer has more elements, the command fails with E2BIG, writes nothing
 * to the buffer and puts the number needed in 'nr' (the rest of the
 * answer struct is still copied out, so a caller can grow its buffer and
 * ask again). Otherwise 'nr' out is the number of elements filled. There
 * is no truncation: a short buffer is always E2BIG.
 *
 * A bitmap is an array of __u64 words, bit i of the set being bit i % 64
 * of word i / 64, and its 'nr' counts bits, not words: the buffer holds
 * (nr + 63) / 64 words. In (the caller gives a set), bits at or past 'nr'
 * are ignored, 'nr' may be at most IRQLAB_BITMAP_MAX_BITS (EINVAL), and a
 * set bit past the range (the device's vectors, nr_cpu_ids) is ERANGE.
 * Out, 'nr' is as for any array, counted in bits (CPU sets: nr_cpu_ids).
 *
 * 'pad' must be zero (EINVAL).
 */
struct irqlab_array {
	__u64 ptr;
	__u32 nr;
	__u32 pad;
};

#define IRQLAB_BITMAP_MAX_BITS	65536	/* 8 KiB: bounds what the module reads */
#define IRQLAB_BITMAP_WORDS(bits)	(((bits) + 63) / 64)

/*
 * IRQLAB_IOC_INFO (2.0): the sizes a caller needs to size its arrays,
 * asked right after IRQLAB_IOC_VERSION. A later minor adds a new command
 * rather than growing this struct.
 */
struct irqlab_info {
	__u32 nr_cpu_ids;	/* per-CPU arrays and CPU sets have this many */
	__u32 max_vectors;	/* IRQLAB_MAX_VECTORS */
	__u32 max_bitmap_bits;	/* IRQLAB_BITMAP_MAX_BITS */
	__u32 nr_devices;	/* claimed now (LIST may see another count) */
};

#define IRQLAB_IOC_INFO		_IOR(IRQLAB_IOC_MAGIC, 0x0c, struct irqlab_info)

/*
 * Devices are named by PCI address, "dddd:bb:dd.f" (NUL-terminated; the
 * domain may be omitted). Errors of the device commands:
 *   ENODEV      no PCI device at that address
 *   EOPNOTSUPP  the device has no MSI-X capability
 *   EBUSY       another driver is bound (CLAIM without FORCE), a firing
 *               run is already active on the device (FIRE), or the
 *               vector's last move to other CPUs has not completed
 *               (SET_AFFINITY, FIRE with a cpu: x86 moves an MSI vector
 *               at its next interrupt)
 *   EALREADY    already claimed by irqlab
 *   ENOENT      not claimed by irqlab
 *   ERANGE      vector or CPU out of range
 *   E2BIG       an out array is too short (struct irqlab_array)
 *   EINVAL      malformed address, unknown flag or trigger, zero count
 */
#define IRQLAB_BDF_LEN		16
#define IRQLAB_DRIVER_LEN	32
#define IRQLAB_MAX_VECTORS	2048	/* the MSI-X table's own limit */
#define IRQLAB_MAX_COUNT	100000000ULL	/* interrupts per vector per run */

/* IRQLAB_IOC_CLAIM: bind irqlab's driver to a device, take its vectors. */
#define IRQLAB_CLAIM_FORCE	_BITUL(0)	/* unbind the current driver */
#define IRQLAB_CLAIM_SPREAD	_BITUL(1)	/* spread vectors over CPUs */
struct irqlab_claim {
	char bdf[IRQLAB_BDF_LEN];			/* in */
	__u32 flags;					/* in: IRQLAB_CLAIM_* */
	__u32 nr_vectors;				/* out: vectors taken */
	char driver[IRQLAB_DRIVER_LEN];			/* out: bound before */
	__u32 table_size;				/* out: MSI-X table entries */
	__u32 pad;					/* zero */
};

/* IRQLAB_IOC_RELEASE: give the device back. */
#define IRQLAB_RELEASE_REPROBE	_BITUL(0)	/* rebind the driver it had */
struct irqlab_release {
	char bdf[IRQLAB_BDF_LEN];
	__u32 flags;					/* IRQLAB_RELEASE_* */
	__u32 pad;					/* zero */
};

/* Ways to make a vector fire. */
enum irqlab_trigger {
	IRQLAB_TRIGGER_DEVICE = 1,	/* the device writes the MSI-X message */
	IRQLAB_TRIGGER_IPI = 2,		/* irq_inject_interrupt() */
	IRQLAB_TRIGGER_EXTERNAL = 3,	/* someone outside; irqlab only counts */
};

#define IRQLAB_TRIGGER_BIT(t)	_BITUL(t)

/*
 * IRQLAB_IOC_VECTOR_INFO: one vector of a claimed device. The CPU sets
 * are out bitmaps of nr_cpu_ids bits (E2BIG when short, the other fields
 * filled all the same).
 */
struct irqlab_vector_info {
	char bdf[IRQLAB_BDF_LEN];			/* in */
	__u32 vector;					/* in */
	__u32 nr_vectors;				/* out */
	__u32 irq;					/* out: Linux IRQ number */
	__u32 triggers;					/* out: IRQLAB_TRIGGER_BIT()s */
	struct irqlab_array affinity;			/* out: CPU bitmap */
	struct irqlab_array effective_affinity;		/* out: CPU bitmap */
};

/*
 * IRQLAB_IOC_VECTOR_ROUTE: where one vector of a claimed device lands. The
 * MSI-X message is the one the kernel last composed for it (the cached
 * copy: the device's table may be masked or mid-update). On x86 the
 * vector domain's assignment comes too: the IDT vector and the
 * destination APIC ID (struct irq_cfg), and the CPU with that APIC ID.
 * Without interrupt remapping the message carries that vector and APIC ID
 * itself; with it (IRQLAB_ROUTE_REMAPPED) it carries an IRTE handle. In
 * logical destination mode (IRQLAB_ROUTE_LOGICAL: Linux before 6.9 on
 * flat APICs) the APIC ID is a logical one, a bitmask; the CPU is then
 * the vector's effective target. A snapshot: an affinity change racing
 * with the call may show in part.
 */
#define IRQLAB_ROUTE_X86	_BITUL(0)	/* host_vector, apic_id, cpu valid */
#define IRQLAB_ROUTE_REMAPPED	_BITUL(1)	/* a remappable-format message */
#define IRQLAB_ROUTE_LOGICAL	_BITUL(2)	/* apic_id is a logical destination */
struct irqlab_vector_route {
	char bdf[IRQLAB_BDF_LEN];			/* in */
	__u32 vector;					/* in */
	__u32 flags;					/* out: IRQLAB_ROUTE_* */
	__u32 msi_address_lo;				/* out */
	__u32 msi_address_hi;				/* out */
	__u32 msi_data;					/* out */
	__u32 host_vector;				/* out: the IDT vector */
	__u32 apic_id;					/* out: its destination */
	__s32 cpu;					/* out: -1 when none has it */
};

/*
 * IRQLAB_IOC_SET_AFFINITY. EIO: the vector is a managed interrupt (a
 * claim with IRQLAB_CLAIM_SPREAD) and the set is not its affinity; the
 * kernel owns those, as for /proc/irq/N/smp_affinity. FIRE with a CPU
 * sets each chosen vector's affinity the same way.
 */
struct irqlab_affinity {
	char bdf[IRQLAB_BDF_LEN];
	__u32 vector;
	__u32 pad;					/* zero */
	struct irqlab_array cpus;			/* in: CPU bitmap, not empty */
};

/*
 * IRQLAB_IOC_FIRE: start a firing run in a kernel thread; returns at once.
 * 'count' interrupts on each vector of 'vectors', round robin, paced at
 * 'rate_hz' (0: back to back). With cpu >= 0 the vectors are pointed at
 * that CPU for the run. The run belongs to the open file that started it:
 * closing the file stops it, unless IRQLAB_FIRE_DETACHED.
 */
#define IRQLAB_FIRE_DETACHED	_BITUL(0)	/* the run outlives the file */
#define IRQLAB_FIRE_FLAGS	IRQLAB_FIRE_DETACHED
struct irqlab_fire {
	char bdf[IRQLAB_BDF_LEN];
	struct irqlab_array vectors;			/* in: bitmap, not empty */
	__u64 count;					/* 1..IRQLAB_MAX_COUNT */
	__u32 rate_hz;
	__u32 trigger;					/* enum irqlab_trigger */
	__s32 cpu;					/* -1: leave affinity */
	__u32 flags;					/* IRQLAB_FIRE_* (was pad) */
};

/* IRQLAB_IOC_RUN_STATUS */
enum irqlab_run_state {
	IRQLAB_RUN_IDLE = 0,		/* never ran since claim or reset */
	IRQLAB_RUN_RUNNING = 1,
	IRQLAB_RUN_DONE = 2,
	IRQLAB_RUN_STOPPED = 3,		/* cancelled before the end */
	IRQLAB_RUN_FAILED = 4,		/* see 'error' */
};

struct irqlab_run_status {
	char bdf[IRQLAB_BDF_LEN];			/* in */
	__u32 state;					/* enum irqlab_run_state */
	__s32 error;					/* -errno when FAILED */
	IRQLAB_RUN_FIELDS(IRQLAB_UAPI_FIELD)
	/*
	 * The CPU the run thread fired from, -1 when it moved between CPUs
	 * or fired nothing. With a target cpu and another CPU online, it
	 * fires from one that is not the target.
	 */
	__s32 fired_from_cpu;
	__u32 pad;
};

/* IRQLAB_IOC_STOP: cancel the device's run (empty bdf: every run). */
struct irqlab_stop {
	char bdf[IRQLAB_BDF_LEN];
};

/* IRQLAB_IOC_STATS: one vector's counters, per CPU. */
struct irqlab_counters {
	IRQLAB_COUNTERS_FIELDS(IRQLAB_UAPI_FIELD)
};

/*
 * The accounting identity: every trigger attempt arrived, was coalesced or
 * was refused, and every arrival is one attempt's or unexpected:
 *
 *   fired + unexpected == received + coalesced + busy
 *
 * An arrival is unexpected when none of the vector's triggers was in
 * flight: a message the device sent on its own (QEMU's e1000e before 8.0,
 * module/triggers.c), the one spurious interrupt x86 may deliver when it
 * moves a firing MSI that is not remapped (msi_set_affinity()), or any
 * arrival of an external run. Should such an arrival overtake a trigger
 * in flight, that trigger's own arrival is the one counted unexpected.
 * Returns attempts that never arrived (negative: never, while the
 * counters come from one snapshot). Zero after every complete run.
 */
static inline __s64 irqlab_counters_missing(const struct irqlab_counters *c)
{
	return (__s64)(c->fired + c->unexpected) -
	       (__s64)(c->received + c->coalesced + c->busy);
}

struct irqlab_vector_stats {
	char bdf[IRQLAB_BDF_LEN];			/* in */
	__u32 vector;					/* in */
	__u32 pad;					/* zero */
	/* out: struct irqlab_counters, one per CPU id (nr_cpu_ids) */
	struct irqlab_array cpus;
};

/* IRQLAB_IOC_RESET: zero a claimed device's counters (no run active). */
struct irqlab_reset {
	char bdf[IRQLAB_BDF_LEN];
};

/* IRQLAB_IOC_LIST: the claimed devices. */
struct irqlab_device_list {
	struct irqlab_array bdfs;	/* out: char[IRQLAB_BDF_LEN] each */
};

/*
 * IRQLAB_IOC_DEVICE_CAPS: what irqlab could do with a kind of device.
 * IRQLAB_DEVICE_UNTESTED: its device trigger follows the register use of
 * the device's Linux driver and has not been run on the hardware (nor on
 * an emulation of it) yet.
 */
#define IRQLAB_DEVICE_UNTESTED	_BITUL(0)

struct irqlab_device_caps {
	__u16 vendor;					/* in */
	__u16 device;					/* in */
	__u32 triggers;					/* out: IRQLAB_TRIGGER_BIT()s */
	char name[IRQLAB_DRIVER_LEN];			/* out: "" if no device trigger */
	__u32 flags;					/* out: IRQLAB_DEVICE_* */
	__u32 pad;					/* out: zero */
};

#define IRQLAB_IOC_CLAIM	_IOWR(IRQLAB_IOC_MAGIC, 0x01, struct irqlab_claim)
#define IRQLAB_IOC_RELEASE	_IOW(IRQLAB_IOC_MAGIC, 0x02, struct irqlab_release)
#define IRQLAB_IOC_VECTOR_INFO	_IOWR(IRQLAB_IOC_MAGIC, 0x03, struct irqlab_vector_info)
#define IRQLAB_IOC_SET_AFFINITY	_IOW(IRQLAB_IOC_MAGIC, 0x04, struct irqlab_affinity)
#define IRQLAB_IOC_FIRE		_IOW(IRQLAB_IOC_MAGIC, 0x05, struct irqlab_fire)
#define IRQLAB_IOC_RUN_STATUS	_IOWR(IRQLAB_IOC_MAGIC, 0x06, struct irqlab_run_status)
#define IRQLAB_IOC_STOP		_IOW(IRQLAB_IOC_MAGIC, 0x07, struct irqlab_stop)
#define IRQLAB_IOC_STATS	_IOWR(IRQLAB_IOC_MAGIC, 0x08, struct irqlab_vector_stats)
#define IRQLAB_IOC_RESET	_IOW(IRQLAB_IOC_MAGIC, 0x09, struct irqlab_reset)
#define IRQLAB_IOC_LIST		_IOWR(IRQLAB_IOC_MAGIC, 0x0a, struct irqlab_device_list)
#define IRQLAB_IOC_DEVICE_CAPS	_IOWR(IRQLAB_IOC_MAGIC, 0x0b, struct irqlab_device_caps)
#define IRQLAB_IOC_VECTOR_ROUTE	_IOWR(IRQLAB_IOC_MAGIC, 0x0d, struct irqlab_vector_route)

/*
 * The engine: irqlab's own interrupt subsystem (docs/engine.md). A claimed
 * vector attached to it enters the engine from its native handler and runs
 * the chosen action there. Errors as for the device commands, plus
 * EALREADY (already attached) and ENOENT (ENGINE_DETACH/ENGINE_LINE: not
 * attached).
 */
enum irqlab_engine_action {
	IRQLAB_ACTION_COUNT = 1,	/* count, return IRQ_HANDLED */
	IRQLAB_ACTION_NONE = 2,		/* count, return IRQ_NONE */
	IRQLAB_ACTION_SOFTIRQ = 3,	/* raise softirq slot 'softirq' */
	IRQLAB_ACTION_TASKLET = 4,	/* tasklet_schedule */
	IRQLAB_ACTION_TASKLET_HI = 5,	/* tasklet_hi_schedule */
	IRQLAB_ACTION_WORK = 6,		/* queue the line's work, see 'work' */
	IRQLAB_ACTION_THREAD = 7,	/* wake the line's irq thread */
	IRQLAB_ACTION_NAPI = 8,		/* mask, schedule the line's poll */
};

/* ACTION_WORK: where the line's work item goes. */
enum irqlab_work_kind {
	IRQLAB_WORK_PERCPU = 0,		/* a per-CPU workqueue of the line */
	IRQLAB_WORK_UNBOUND = 1,	/* WQ_UNBOUND */
	IRQLAB_WORK_HIGHPRI = 2,	/* WQ_HIGHPRI */
	IRQLAB_WORK_ORDERED = 3,	/* alloc_ordered_workqueue */
	IRQLAB_WORK_BH = 4,		/* WQ_BH: runs in the engine's softirq */
	IRQLAB_WORK_DELAYED = 5,	/* delayed work, 'delay_us' */
};

/* ACTION_WORK and ACTION_THREAD: what the deferred handler does per run. */
enum irqlab_hold {
	IRQLAB_HOLD_NONE = 0,
	IRQLAB_HOLD_SLEEP = 1,		/* sleeps 'hold_us' (blocks: a worker */
					/* lets the pool run another) */
	IRQLAB_HOLD_SPIN = 2,		/* busy for 'hold_us' */
};

/* irqlab_engine_attach.flags */
#define IRQLAB_ATTACH_ONESHOT		_BITUL(0)	/* THREAD: IRQF_ONESHOT */
#define IRQLAB_ATTACH_MEM_RECLAIM	_BITUL(1)	/* WORK: WQ_MEM_RECLAIM */
/*
 * The lines outlive the open file that attached them, until ENGINE_DETACH
 * or release (the CLI's 'engine attach'). Without it, closing the file
 * detaches them. ENGINE_LINE reports it in attach_flags.
 */
#define IRQLAB_ATTACH_KEEP		_BITUL(2)
#define IRQLAB_ATTACH_FLAGS \
	(IRQLAB_ATTACH_ONESHOT | IRQLAB_ATTACH_MEM_RECLAIM | IRQLAB_ATTACH_KEEP)

enum irqlab_engine_flow {
	IRQLAB_FLOW_FASTEOI = 0,
	IRQLAB_FLOW_EDGE = 1,
	IRQLAB_FLOW_LEVEL = 2,
};

#define IRQLAB_NR_SOFTIRQS	10	/* Linux's slots, HI..RCU */
#define IRQLAB_SOFTIRQ_NAME_LEN	16
#define IRQLAB_MAX_SHARED	8
#define IRQLAB_MAX_SOFTIRQ_ROUNDS	100000
#define IRQLAB_MAX_HOLD_US	100000		/* 100 ms */
#define IRQLAB_MAX_DELAY_US	1000000		/* 1 s */
#define IRQLAB_MAX_NAPI_WEIGHT	256
#define IRQLAB_MAX_NAPI_EVENTS	100000
#define IRQLAB_NAPI_HIST	8	/* events per poll: 0, 1, 2-3, ..., 64+ */
#define IRQLAB_NAME_LEN		48

/* IRQLAB_IOC_ENGINE_ATTACH */
struct irqlab_engine_attach {
	char bdf[IRQLAB_BDF_LEN];
	struct irqlab_array vectors;	/* in: bitmap, not empty */
	__u32 action;			/* enum irqlab_engine_action */
	__u32 softirq;			/* ACTION_SOFTIRQ: slot, not HI/TASKLET */
	/*
	 * ACTION_SOFTIRQ: work units per interrupt, one per handler run, the
	 * slot raising itself again while units are left (0: 1).
	 */
	__u32 softirq_rounds;
	__u32 flow;			/* enum irqlab_engine_flow */
	__u32 shared_none;		/* IRQ_NONE actions sharing the line */
	__u32 work;			/* ACTION_WORK: enum irqlab_work_kind */
	__u32 hold;			/* WORK, THREAD: enum irqlab_hold */
	__u32 hold_us;
	__u32 delay_us;			/* WORK_DELAYED */
	__u32 napi_weight;		/* ACTION_NAPI: budget per poll (0: 64) */
	__u32 napi_events;		/* ACTION_NAPI: events per interrupt (0: 1) */
	__u32 flags;			/* IRQLAB_ATTACH_* */
};

/* IRQLAB_IOC_ENGINE_DETACH */
struct irqlab_engine_detach {
	char bdf[IRQLAB_BDF_LEN];
	struct irqlab_array vectors;	/* in: bitmap, not empty */
};

#define IRQLAB_LINE_SPURIOUS_DISABLED	_BITUL(0)
#define IRQLAB_LINE_MASKED		_BITUL(1)
#define IRQLAB_LINE_TASKLET_SCHED	_BITUL(2)
#define IRQLAB_LINE_TASKLET_RUN		_BITUL(3)
#define IRQLAB_LINE_THREAD_FIFO		_BITUL(4)	/* an irq thread, SCHED_FIFO */
#define IRQLAB_LINE_NAPI_SCHED		_BITUL(5)
#define IRQLAB_LINE_THREAD_ONESHOT	_BITUL(6)
#define IRQLAB_LINE_THREAD_FORCED	_BITUL(7)	/* forced threading */

/* IRQLAB_IOC_ENGINE_LINE: one attached vector's engine state. */
struct irqlab_engine_line {
	char bdf[IRQLAB_BDF_LEN];			/* in */
	__u32 vector;					/* in */
	__u32 virq;					/* out: engine irq */
	__u32 action;					/* out: as attached */
	__u32 softirq;
	__u32 flow;
	__u32 shared_none;
	__u32 softirq_rounds;
	__u32 depth;					/* out: disable nesting */
	__u32 flags;					/* out: IRQLAB_LINE_* */
	__u32 pad;
	IRQLAB_LINE_IRQ_FIELDS(IRQLAB_UAPI_FIELD)
	__u32 work;					/* out: as attached */
	__u32 hold;
	__u32 hold_us;
	__u32 delay_us;
	__u32 napi_weight;
	__u32 napi_events;
	__u32 attach_flags;
	__u32 pad2;
	char workqueue_name[IRQLAB_NAME_LEN];	/* the line's own workqueue */
	char thread_name[IRQLAB_NAME_LEN];	/* its irq thread, if any */
	IRQLAB_LINE_DEFERRED_FIELDS(IRQLAB_UAPI_FIELD)
	__u64 napi_hist[IRQLAB_NAPI_HIST];	/* polls by events done */
	/* out: __u64 engine hardirqs per CPU id (nr_cpu_ids) */
	struct irqlab_array count;
};

/* One softirq slot on one CPU. */
struct irqlab_softirq_slot {
	char name[IRQLAB_SOFTIRQ_NAME_LEN];
	IRQLAB_SOFTIRQ_SLOT_FIELDS(IRQLAB_UAPI_FIELD)
};

/* IRQLAB_IOC_ENGINE_SOFTIRQS: the engine's softirqs on one CPU. */
struct irqlab_engine_softirqs {
	__u32 cpu;					/* in: < nr_cpu_ids */
	__u32 nr_cpus;					/* out: nr_cpu_ids */
	__u32 pending;					/* out: bitmap */
	__u32 pad;
	struct irqlab_softirq_slot slot[IRQLAB_NR_SOFTIRQS];
	IRQLAB_SOFTIRQ_CPU_FIELDS(IRQLAB_UAPI_FIELD)
};

#define IRQLAB_POOL_HIGHPRI	_BITUL(0)
#define IRQLAB_POOL_BH		_BITUL(1)
#define IRQLAB_POOL_UNBOUND	_BITUL(2)

/* IRQLAB_IOC_ENGINE_POOL: one worker pool of the engine's workqueues. */
struct irqlab_engine_pool {
	__u32 index;			/* in: 0 .. nr_pools - 1 */
	__u32 nr_pools;			/* out */
	__u32 id;
	__s32 cpu;			/* -1: unbound */
	__u32 flags;			/* IRQLAB_POOL_* */
	IRQLAB_POOL_GAUGE_FIELDS(IRQLAB_UAPI_FIELD)
	__u32 pad;
	IRQLAB_POOL_COUNTER_FIELDS(IRQLAB_UAPI_FIELD)
};

#define IRQLAB_WQ_UNBOUND	_BITUL(0)
#define IRQLAB_WQ_HIGHPRI	_BITUL(1)
#define IRQLAB_WQ_CPU_INTENSIVE	_BITUL(2)
#define IRQLAB_WQ_MEM_RECLAIM	_BITUL(3)
#define IRQLAB_WQ_BH		_BITUL(4)
#define IRQLAB_WQ_ORDERED	_BITUL(5)

/* IRQLAB_IOC_ENGINE_WORKQUEUE: one of the engine's workqueues. */
struct irqlab_engine_workqueue {
	__u32 index;			/* in: 0 .. nr_workqueues - 1 */
	__u32 nr_workqueues;		/* out */
	char name[IRQLAB_NAME_LEN];
	__u32 flags;			/* IRQLAB_WQ_* */
	IRQLAB_WQ_GAUGE_FIELDS(IRQLAB_UAPI_FIELD)
	IRQLAB_WQ_COUNTER_FIELDS(IRQLAB_UAPI_FIELD)
};

#define IRQLAB_CONFIG_FORCED_THREADING	_BITUL(0)
#define IRQLAB_CONFIG_WORKER_FAULT	_BITUL(1)

/*
 * IRQLAB_IOC_ENGINE_CONFIG: engine options. Fields named in 'set' are
 * written (forced threading applies to lines attached later); all are
 * read back.
 */
struct irqlab_engine_config {
	__u32 set;			/* in: IRQLAB_CONFIG_* */
	__u32 forced_threading;		/* threadirqs: plain handlers threaded */
	__u32 worker_fault;		/* new workers cannot be created */
	__u32 pad;
};

/*
 * IRQLAB_IOC_ENGINE_FLUSH: wait until the lines' deferred work is done
 * (flush_workqueue, synchronize_irq with its threads, an idle poll).
 * Interruptible by a fatal signal (EINTR); ETIMEDOUT when a NAPI line's
 * poll is still not idle after 10 s.
 */
struct irqlab_engine_flush {
	char bdf[IRQLAB_BDF_LEN];
	struct irqlab_array vectors;	/* in: bitmap, not empty */
};

#define IRQLAB_IOC_ENGINE_ATTACH	_IOW(IRQLAB_IOC_MAGIC, 0x20, struct irqlab_engine_attach)
#define IRQLAB_IOC_ENGINE_DETACH	_IOW(IRQLAB_IOC_MAGIC, 0x21, struct irqlab_engine_detach)
#define IRQLAB_IOC_ENGINE_LINE	_IOWR(IRQLAB_IOC_MAGIC, 0x22, struct irqlab_engine_line)
#define IRQLAB_IOC_ENGINE_SOFTIRQS	_IOWR(IRQLAB_IOC_MAGIC, 0x23, struct irqlab_engine_softirqs)
#define IRQLAB_IOC_ENGINE_POOL	_IOWR(IRQLAB_IOC_MAGIC, 0x24, struct irqlab_engine_pool)
#define IRQLAB_IOC_ENGINE_WORKQUEUE \
	_IOWR(IRQLAB_IOC_MAGIC, 0x25, struct irqlab_engine_workqueue)
#define IRQLAB_IOC_ENGINE_CONFIG	_IOWR(IRQLAB_IOC_MAGIC, 0x26, struct irqlab_engine_config)
#define IRQLAB_IOC_ENGINE_FLUSH	_IOW(IRQLAB_IOC_MAGIC, 0x27, struct irqlab_engine_flush)

/*
 * Measuring (docs/measuring.md): the same interrupts deferred through one
 * mechanism, by the engine or by the native kernel, timed at the same
 * points. A vector is attached to one mechanism and one path at a time.
 */
enum irqlab_mechanism {
	IRQLAB_MECH_SOFTIRQ = 0,	/* TASKLET_SOFTIRQ: raise -> entry */
	IRQLAB_MECH_TASKLET = 1,
	IRQLAB_MECH_TASKLET_HI = 2,
	IRQLAB_MECH_WQ_SYSTEM = 3,	/* system_wq: per-CPU */
	IRQLAB_MECH_WQ_HIGHPRI = 4,
	IRQLAB_MECH_WQ_UNBOUND = 5,
	IRQLAB_MECH_WQ_PERCPU = 6,	/* a per-CPU workqueue of irqlab's */
	IRQLAB_MECH_WQ_ORDERED = 7,
	IRQLAB_MECH_WQ_BH = 8,		/* native: Linux 6.9+ */
	IRQLAB_MECH_THREAD = 9,		/* request_threaded_irq */
	IRQLAB_MECH_THREAD_ONESHOT = 10,	/* ... with IRQF_ONESHOT */
	IRQLAB_NR_MECHS = 11,
	IRQLAB_MECH_NONE = 255,		/* tracepoints: not measured */
};

enum irqlab_path {
	IRQLAB_PATH_ENGINE = 0,
	IRQLAB_PATH_NATIVE = 1,
	IRQLAB_NR_PATHS = 2,
};

/* t0 trigger, t1 handler entry, t2 bottom half start, t3 its end. */
enum irqlab_metric {
	IRQLAB_METRIC_DELIVERY = 0,	/* t1 - t0 */
	IRQLAB_METRIC_DEFERRAL = 1,	/* t2 - t1 */
	IRQLAB_METRIC_RUNTIME = 2,	/* t3 - t2 */
	IRQLAB_METRIC_END_TO_END = 3,	/* t2 - t0 */
	IRQLAB_METRIC_HARDIRQ = 4,	/* irqlab's hardirq handler, entry to return */
	IRQLAB_NR_METRICS = 5,
};

/*
 * IRQLAB_IOC_MECH_ATTACH: defer the vectors' interrupts through a
 * mechanism, measured into the calling file's histograms. The vectors
 * belong to that open file: closing it detaches them. EBUSY: a vector is
 * attached already (here or with ENGINE_ATTACH); EOPNOTSUPP: the native
 * kernel lacks the mechanism (BH workqueues before 6.9, TASKLET_SOFTIRQ
 * tracepoints).
 */
struct irqlab_mech_attach {
	char bdf[IRQLAB_BDF_LEN];
	struct irqlab_array vectors;	/* in: bitmap, not empty */
	__u32 mechanism;	/* enum irqlab_mechanism */
	__u32 path;		/* enum irqlab_path */
	__u32 flags;		/* zero */
	__u32 pad;		/* zero */
};

/* IRQLAB_IOC_MECH_DETACH: waits until every deferred run has ended. */
struct irqlab_mech_detach {
	char bdf[IRQLAB_BDF_LEN];
	struct irqlab_array vectors;	/* in: bitmap, not empty */
};

/*
 * IRQLAB_IOC_MECH_STATS: one vector's measuring counters, kept after
 * detach until the next attach. Once every bottom half ran (after
 * detach): served == hardirqs, and coalesced = served - runs; natively
 * hardirqs == arrivals (the engine adds replays and drops latched ones).
 */
struct irqlab_mech_stats {
	char bdf[IRQLAB_BDF_LEN];	/* in */
	__u32 vector;			/* in */
	__u32 attached;			/* out: 1 while attached */
	__u32 mechanism;
	__u32 path;
	IRQLAB_MECH_FIELDS(IRQLAB_UAPI_FIELD)
	__u64 samples[IRQLAB_NR_METRICS];	/* histogram entries per metric */
};

/*
 * Histograms: per open file, mechanism, path, metric and CPU, in the
 * module. Each open /dev/irqlab has its own set, fed by the vectors it
 * attached (MECH_ATTACH), so callers on different devices measure at the
 * same time; the set goes with the file.
 * Linear: bucket i holds [i * width, (i + 1) * width). Log2: bucket 0
 * holds [0, width), bucket i > 0 [width << (i - 1), width << i). Values
 * past the last bucket go to 'overflow' (and count, min, max, sum).
 */
#define IRQLAB_HIST_MAX_BUCKETS	64
enum irqlab_hist_scale {
	IRQLAB_HIST_LINEAR = 0,
	IRQLAB_HIST_LOG2 = 1,
};

/*
 * IRQLAB_IOC_HIST_CONFIG: set the layout and empty every histogram of the
 * calling file. EBUSY while that file measures a vector.
 */
struct irqlab_hist_config {
	__u32 scale;		/* enum irqlab_hist_scale */
	__u32 buckets;		/* 1..IRQLAB_HIST_MAX_BUCKETS */
	__u64 width_ns;		/* 1..1000000000 (1 s) */
};

/* IRQLAB_IOC_HIST_READ: one histogram of the calling file. */
struct irqlab_hist {
	__u32 mechanism;	/* in */
	__u32 path;		/* in */
	__u32 metric;		/* in */
	__s32 cpu;		/* in: -1 sums every CPU */
	struct irqlab_hist_config config;	/* out */
	IRQLAB_HIST_FIELDS(IRQLAB_UAPI_FIELD)
	__u64 bucket[IRQLAB_HIST_MAX_BUCKETS];
};

#define IRQLAB_IOC_MECH_ATTACH	_IOW(IRQLAB_IOC_MAGIC, 0x30, struct irqlab_mech_attach)
#define IRQLAB_IOC_MECH_DETACH	_IOW(IRQLAB_IOC_MAGIC, 0x31, struct irqlab_mech_detach)
#define IRQLAB_IOC_MECH_STATS	_IOWR(IRQLAB_IOC_MAGIC, 0x32, struct irqlab_mech_stats)
#define IRQLAB_IOC_HIST_CONFIG	_IOW(IRQLAB_IOC_MAGIC, 0x33, struct irqlab_hist_config)
#define IRQLAB_IOC_HIST_READ	_IOWR(IRQLAB_IOC_MAGIC, 0x34, struct irqlab_hist)

/*
 * Sizes are part of the ABI. Checked wherever static_assert is available:
 * C++ (the CLI), the kernel (linux/build_bug.h) and C11 with <assert.h>.
 */
#if defined(__cplusplus) || defined(static_assert)
static_assert(sizeof(struct irqlab_version) == 112, "irqlab ABI changed");
static_assert(sizeof(struct irqlab_array) == 16, "irqlab ABI changed");
static_assert(sizeof(struct irqlab_info) == 16, "irqlab ABI changed");
static_assert(sizeof(struct irqlab_claim) == 64, "irqlab ABI changed");
static_assert(sizeof(struct irqlab_release) == 24, "irqlab ABI changed");
static_assert(sizeof(struct irqlab_vector_info) == 64, "irqlab ABI changed");
static_assert(sizeof(struct irqlab_vector_route) == 48, "irqlab ABI changed");
static_assert(sizeof(struct irqlab_affinity) == 40, "irqlab ABI changed");
static_assert(sizeof(struct irqlab_fire) == 56, "irqlab ABI changed");
static_assert(sizeof(struct irqlab_run_status) == 56, "irqlab ABI changed");
static_assert(sizeof(struct irqlab_stop) == 16, "irqlab ABI changed");
static_assert(sizeof(struct irqlab_vector_stats) == 40, "irqlab ABI changed");
static_assert(sizeof(struct irqlab_reset) == 16, "irqlab ABI changed");
static_assert(sizeof(struct irqlab_device_list) == 16, "irqlab ABI changed");
static_assert(sizeof(struct irqlab_device_caps) == 48, "irqlab ABI changed");
static_assert(sizeof(struct irqlab_engine_attach) == 80, "irqlab ABI changed");
static_assert(sizeof(struct irqlab_engine_detach) == 32, "irqlab ABI changed");
static_assert(sizeof(struct irqlab_engine_line) == 56 + 64 + 16 + 32 + 2 * 48 + 21 * 8 + 16,
	      "irqlab ABI changed");
static_assert(sizeof(struct irqlab_softirq_slot) == 64, "irqlab ABI changed");
static_assert(sizeof(struct irqlab_engine_softirqs) == 16 + 640 + 72, "irqlab ABI changed");
static_assert(sizeof(struct irqlab_engine_pool) == 40 + 48, "irqlab ABI changed");
static_assert(sizeof(struct irqlab_engine_workqueue) == 8 + 48 + 16 + 16, "irqlab ABI changed");
static_assert(sizeof(struct irqlab_engine_config) == 16, "irqlab ABI changed");
static_assert(sizeof(struct irqlab_engine_flush) == 32, "irqlab ABI changed");
static_assert(sizeof(struct irqlab_mech_attach) == 48, "irqlab ABI changed");
static_assert(sizeof(struct irqlab_mech_detach) == 32, "irqlab ABI changed");
static_assert(sizeof(struct irqlab_mech_stats) == 32 + 7 * 8 + 5 * 8, "irqlab ABI changed");
static_assert(sizeof(struct irqlab_hist_config) == 16, "irqlab ABI changed");
static_assert(sizeof(struct irqlab_hist) == 32 + 40 + 64 * 8, "irqlab ABI changed");
#endif

#endif /* _IRQLAB_UAPI_H */
