// Snapshots of the softirq counters: what /proc/softirqs shows, and more.
// Plain values, so the facade can copy them into an ioctl structure.
#pragma once

#include <stdint.h>

namespace irqlab::softirq {

// One slot on one CPU.
struct SlotStats {
    uint64_t raised = 0;
    // Raised while already pending: the raises one run served together.
    uint64_t coalesced = 0;
    uint64_t runs = 0;
    uint64_t ns = 0;
};

// One CPU.
struct CpuStats {
    // Processing rounds by where they started.
    uint64_t irq_exit_rounds = 0;
    uint64_t bh_enable_rounds = 0;
    uint64_t daemon_rounds = 0;
    // Passes after the first of a round, in total and the most in one round.
    uint64_t restarts = 0;
    uint64_t max_round_restarts = 0;
    // Wake-ups sent to the daemon: raises from process context, handovers.
    uint64_t daemon_wakeups = 0;
    // Rounds outside the daemon that stopped with work pending and left it
    // to the daemon, by the exit of Linux's __do_softirq loop they took.
    uint64_t handover_time = 0;
    uint64_t handover_restarts = 0;
    uint64_t handover_resched = 0;
    // Daemon rounds that ran out of budget and yielded before going on.
    uint64_t daemon_yields = 0;
    // CPU hotplug: pending slots this CPU took over from dead CPUs, and
    // daemon runs skipped because the scheduler had moved the daemon off
    // its dying CPU before it was parked (counted on the daemon's CPU).
    uint64_t taken_over = 0;
    uint64_t daemon_displaced = 0;
};

} // namespace irqlab::softirq
