// What the workqueue layer reports about its pools and workqueues.
#pragma once

#include <stdint.h>

namespace irqlab::workqueue {

// alloc_workqueue() flags, with Linux's values (include/linux/workqueue.h).
inline constexpr unsigned wq_bh = 1u << 0;
inline constexpr unsigned wq_unbound = 1u << 1;
inline constexpr unsigned wq_mem_reclaim = 1u << 3;
inline constexpr unsigned wq_highpri = 1u << 4;
inline constexpr unsigned wq_cpu_intensive = 1u << 5;
// __WQ_ORDERED: set by alloc_ordered_workqueue().
inline constexpr unsigned wq_ordered = 1u << 17;

inline constexpr int wq_max_active = 512; // WQ_MAX_ACTIVE
inline constexpr int wq_dfl_active = 256; // WQ_DFL_ACTIVE

inline constexpr unsigned wq_name_len = 24;

struct PoolStats {
    unsigned id = 0;
    int cpu = -1; // -1: unbound
    bool highpri = false;
    bool bh = false;
    unsigned workers = 0;
    unsigned idle = 0;
    int running = 0;     // nr_running
    unsigned queued = 0; // worklist length
    uint64_t concurrency_wakeups = 0;
    uint64_t workers_created = 0;
    uint64_t workers_retired = 0;
    uint64_t creation_failures = 0;
    uint64_t maydays = 0;
    uint64_t rescued = 0;
    uint64_t executed = 0;
};

struct WorkqueueStats {
    char name[wq_name_len] = {};
    unsigned flags = 0;
    int max_active = 0;
    int in_flight = 0; // nr_active over its pwqs
    int inactive = 0;
    uint64_t executed = 0;
    uint64_t rescued = 0;
    // Queueings refused because the workqueue was draining.
    uint64_t refused = 0;
};

} // namespace irqlab::workqueue
