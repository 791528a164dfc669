// The softirq slots, in Linux's order, which is also their priority order:
// a processing pass runs the lowest pending number first.
#pragma once

namespace irqlab::softirq {

enum class SoftirqNr : unsigned {
    hi,
    timer,
    net_tx,
    net_rx,
    block,
    irq_poll,
    tasklet,
    sched,
    hrtimer,
    rcu
};

inline constexpr unsigned nr_softirqs = 10;

inline constexpr unsigned softirq_bit(SoftirqNr nr) {
    return 1u << static_cast<unsigned>(nr);
}

// The names /proc/softirqs prints (Linux's softirq_to_name[]).
constexpr const char* softirq_name(SoftirqNr nr) {
    constexpr const char* names[nr_softirqs] = {"HI",       "TIMER",   "NET_TX", "NET_RX",  "BLOCK",
                                                "IRQ_POLL", "TASKLET", "SCHED",  "HRTIMER", "RCU"};
    const unsigned index = static_cast<unsigned>(nr);
    return index < nr_softirqs ? names[index] : "?";
}

} // namespace irqlab::softirq
