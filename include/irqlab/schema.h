/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The records that cross the /dev/irqlab boundary, declared once.
 *
 * Freestanding: no includes, valid C and C++. Each list below is an X-macro
 * whose entries are X(type, name, column, doc):
 *   type    u32 or u64 (uapi.h makes it __u32/__u64, core.h unsigned
 *           int/long long);
 *   name    the C member, in the uapi struct, in the core's struct when the
 *           core keeps the record, and the CLI's JSON key (#name);
 *   column  the CLI's table column header;
 *   doc     what the value counts: this is the only place it is described.
 *
 * The uapi structs (uapi.h), the core's structs (core.h), the module's copy
 * code (module/engine.c, module/measure.c) and the CLI's JSON keys and
 * columns (userspace/src/schema_json.h) all expand these lists. Adding a
 * counter is one line here plus the code that counts it; a u32 must be
 * added in pairs (or with a pad) to keep each uapi struct free of holes,
 * which the size asserts in uapi.h check.
 */
#ifndef _IRQLAB_SCHEMA_H
#define _IRQLAB_SCHEMA_H

/*
 * The expansions every side shares (checkpatch cannot parse X-macros:
 * tests/style/run.sh relaxes its macro checks for this file only).
 */
/* Number of entries of a list: (0 IRQLAB_SCHEMA_LIST(IRQLAB_SCHEMA_ONE)). */
#define IRQLAB_SCHEMA_ONE(type, name, column, doc)	+ 1
/* uapi.h's members: X(u64, fired, ...) -> __u64 fired; */
#define IRQLAB_UAPI_FIELD(type, name, column, doc)	__##type name;
/* core.h's members (no linux/types.h there): -> unsigned long long fired; */
#define IRQLAB_CORE_TYPE_u32	unsigned int
#define IRQLAB_CORE_TYPE_u64	unsigned long long
#define IRQLAB_CORE_FIELD(type, name, column, doc)	IRQLAB_CORE_TYPE_##type name;
/* The module's copy of a core record into a uapi one: dst->x = src->x; */
#define IRQLAB_SCHEMA_COPY(type, name, column, doc)	dst->name = src->name;

/* A vector's counters on one CPU (IRQLAB_IOC_STATS). */
#define IRQLAB_COUNTERS_FIELDS(X)						\
	X(u64, fired, "FIRED", "triggers issued")				\
	X(u64, received, "RECEIVED", "hardirq handler entered")		\
	X(u64, handled, "HANDLED", "handler returned IRQ_HANDLED")		\
	X(u64, coalesced, "COALESCED", "trigger merged into one still in flight") \
	X(u64, busy, "BUSY", "ipi: previous injection still pending")	\
	X(u64, unexpected, "UNEXPECTED", "arrived with no trigger in flight")

/* A firing run's progress (IRQLAB_IOC_RUN_STATUS). */
#define IRQLAB_RUN_FIELDS(X)							\
	X(u64, issued, "ISSUED", "triggers attempted")				\
	X(u64, planned, "PLANNED", "triggers the run was asked for")		\
	X(u64, undelivered, "UNDELIVERED", "in flight at the end, never arrived")

/* An engine line's hardirq-side counters (IRQLAB_IOC_ENGINE_LINE). */
#define IRQLAB_LINE_IRQ_FIELDS(X)						\
	X(u64, unhandled, "UNHANDLED", "interrupts no action handled")		\
	X(u64, handled, "HANDLED", "main action returned IRQ_HANDLED")		\
	X(u64, none, "NONE", "main action returned IRQ_NONE")			\
	X(u64, sharer_calls, "SHARERS", "calls of the IRQ_NONE sharers")	\
	X(u64, softirq_raised, "RAISED", "softirq slot raised by the action")	\
	X(u64, tasklet_scheduled, "SCHEDULED", "tasklet scheduled")		\
	X(u64, tasklet_coalesced, "COALESCED", "tasklet scheduled while still pending") \
	X(u64, tasklet_runs, "RUNS", "tasklet function runs")			\
	X(u64, pending_arrivals, "PENDING",					\
	  "arrivals on a disabled or masked line, kept pending (the MSI-X pending bit)") \
	X(u64, replays, "REPLAYS", "pending interrupts replayed at enable")

/* An engine line's deferred-side counters (IRQLAB_IOC_ENGINE_LINE). */
#define IRQLAB_LINE_DEFERRED_FIELDS(X)						\
	X(u64, work_queued, "QUEUED", "the line's work queued")		\
	X(u64, work_coalesced, "COALESCED", "queue_work found it pending")	\
	X(u64, work_runs, "RUNS", "work function runs")			\
	X(u64, thread_wakeups, "WAKEUPS", "IRQ_WAKE_THREAD returned")		\
	X(u64, thread_merged, "MERGED", "wakeups while a thread run was still due") \
	X(u64, thread_runs, "RUNS", "thread function runs")			\
	X(u64, napi_events_produced, "PRODUCED", "NAPI events the interrupts produced") \
	X(u64, napi_events_consumed, "CONSUMED", "NAPI events the polls consumed") \
	X(u64, napi_scheduled, "SCHEDULED", "napi_schedule that scheduled a poll") \
	X(u64, napi_missed, "MISSED", "scheduled while scheduled: polled again") \
	X(u64, napi_polls, "POLLS", "poll function runs")			\
	X(u64, napi_budget_exhausted, "EXHAUSTED", "polls that used their whole budget") \
	X(u64, napi_completed, "COMPLETED", "napi_complete_done that unmasked the line")

/* One engine softirq slot on one CPU (IRQLAB_IOC_ENGINE_SOFTIRQS). */
#define IRQLAB_SOFTIRQ_SLOT_FIELDS(X)						\
	X(u64, raised, "RAISED", "raise_softirq calls")			\
	X(u64, coalesced, "COALESCED", "raised while already pending")		\
	X(u64, runs, "RUNS", "handler runs (a /proc/softirqs cell)")		\
	X(u64, ns, "NS", "time in the handler")				\
	X(u64, work, "WORK", "attached lines' work units done")		\
	X(u64, idle_runs, "IDLE", "runs that found no unit left")

/* Softirq processing on one CPU (IRQLAB_IOC_ENGINE_SOFTIRQS). */
#define IRQLAB_SOFTIRQ_CPU_FIELDS(X)						\
	X(u64, irq_exit_rounds, "irq_exit", "processing started at irq_exit")	\
	X(u64, bh_enable_rounds, "bh_enable", "processing started at local_bh_enable") \
	X(u64, daemon_rounds, "daemon", "processing in irqlab-sirqd/N")	\
	X(u64, restarts, "restarts", "rounds restarted for newly raised slots") \
	X(u64, handover_time, "by time", "handed to the daemon: 2 ms used up") \
	X(u64, handover_restarts, "by count", "handed to the daemon: 10 restarts used up") \
	X(u64, handover_resched, "resched", "handed to the daemon: need_resched") \
	X(u64, net_rx_rounds, "rounds", "NAPI: net_rx_action runs")		\
	X(u64, time_squeeze, "squeezed", "NAPI: rounds that left polls for later")

/* A worker pool's gauges, then its counters (IRQLAB_IOC_ENGINE_POOL). */
#define IRQLAB_POOL_GAUGE_FIELDS(X)						\
	X(u32, workers, "workers", "workers in the pool")			\
	X(u32, idle, "idle", "idle workers")					\
	X(u32, running, "running", "concurrency-managed nr_running")		\
	X(u32, queued, "queued", "work items on the worklist")

#define IRQLAB_POOL_COUNTER_FIELDS(X)						\
	X(u64, concurrency_wakeups, "cm-wakeups", "a worker blocked: another woken") \
	X(u64, workers_created, "created", "workers created")			\
	X(u64, workers_retired, "retired", "idle workers retired")		\
	X(u64, create_failures, "failed", "worker creations that failed")	\
	X(u64, maydays, "mayday", "calls for a rescuer")			\
	X(u64, executed, "executed", "work items run")

/* A workqueue's gauges (after its flags word), then counters. */
#define IRQLAB_WQ_GAUGE_FIELDS(X)						\
	X(u32, max_active, "max_active", "in-flight limit per pool")		\
	X(u32, active, "in flight", "work items in flight")			\
	X(u32, inactive, "inactive", "held back by max_active")

#define IRQLAB_WQ_COUNTER_FIELDS(X)						\
	X(u64, executed, "executed", "work items run")				\
	X(u64, rescued, "rescued", "run by the rescuer")

/* A measured vector's counters (IRQLAB_IOC_MECH_STATS). */
#define IRQLAB_MECH_FIELDS(X)							\
	X(u64, triggers, "TRIGGERS", "t0 taken: triggers with nothing in flight") \
	X(u64, arrivals, "ARRIVALS", "irqlab's hardirq handler entered, measured") \
	X(u64, hardirqs, "HARDIRQS", "t1: the mechanism's handler ran")	\
	X(u64, served, "SERVED", "interrupts the bottom halves took over")	\
	X(u64, runs, "RUNS", "t2: bottom half runs")				\
	X(u64, ends, "ENDS", "t3: bottom half ends")				\
	X(u64, forced_threaded, "FORCED_THREADED",				\
	  "t1s taken in an irq thread the handler was forced into (RT, engine config)")

/* A histogram's summary, before its buckets (IRQLAB_IOC_HIST_READ). */
#define IRQLAB_HIST_FIELDS(X)							\
	X(u64, count, "COUNT", "values recorded")				\
	X(u64, sum_ns, "SUM", "their sum")					\
	X(u64, min_ns, "MIN", "smallest value, 0 when empty")			\
	X(u64, max_ns, "MAX", "largest value")					\
	X(u64, overflow, "OVERFLOW", "values past the last bucket")

#endif /* _IRQLAB_SCHEMA_H */
