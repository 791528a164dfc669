// NAPI polling (Linux's net/core/dev.c: napi_schedule, napi_complete_done,
// net_rx_action, napi_disable/enable): per-CPU poll lists of scheduled
// instances, polled from the NET_RX softirq within a total budget.
//
// The NET_RX slot is not opened here: it is shared, and its owner's handler
// calls net_rx_action().
#pragma once

#include "core/base/percpu.h"
#include "core/napi/napi.h"
#include "core/softirq/softirqs.h"
#include "cxxrt/atomic.h"

#include <stdint.h>

namespace irqlab::napi {

struct NapiCpuStats {
    // net_rx_action() calls on the CPU.
    uint64_t rounds = 0;
    // Rounds cut short by the packet budget or the time limit.
    uint64_t time_squeeze = 0;
    // Poll rounds that returned more than the weight (a driver bug).
    uint64_t over_weight = 0;
};

class NapiPolls {
public:
    // netdev_budget and netdev_budget_usecs.
    struct Budget {
        int events = 300;
        uint64_t usecs = 2000;
    };

    explicit NapiPolls(softirq::Softirqs& softirqs) : softirqs_{softirqs} {}
    NapiPolls(const NapiPolls&) = delete;
    NapiPolls& operator=(const NapiPolls&) = delete;

    // May sleep. The per-CPU poll lists; false when out of memory.
    [[nodiscard]] bool init();

    // netif_napi_add_weight(): the instance starts disabled (SCHED held),
    // as in Linux; enable() it before scheduling. Weight <= 0 means
    // default_weight.
    void add(Napi& napi, PollFn poll, int weight = default_weight);
    // netif_napi_del(): the instance must be disabled.
    void del(Napi& napi);

    // napi_schedule(): any context, engine hardirq with interrupts off
    // included. False when it was already scheduled (MISSED is set, so it
    // is polled once more) or is being disabled.
    bool schedule(Napi& napi);
    // napi_complete_done(): from the poll, when it consumed less than its
    // budget. False when MISSED was set: it stays scheduled (queued again)
    // and the driver must not re-enable its interrupt yet.
    bool complete_done(Napi& napi, int work_done);

    // The NET_RX softirq's work on this CPU; engine serving-softirq
    // context only.
    void net_rx_action();

    // napi_disable(): no new schedules, waits until a scheduled or running
    // poll completed and net_rx_action let go of the instance, then holds
    // SCHED. May sleep. Afterwards the owner may del() and free it.
    void disable(Napi& napi);
    // napi_enable(): after disable() or add().
    void enable(Napi& napi);

    void set_budget(Budget budget);
    Budget budget() const;

    NapiCpuStats cpu_stats(unsigned cpu) const;

    // CPU hotplug, Linux's dev_cpu_dead(): on a live CPU once 'dead_cpu'
    // is gone, its scheduled instances move to this CPU's poll list, in
    // order, and NET_RX is raised here. Process context.
    void take_over(unsigned dead_cpu);

private:
    struct alignas(64) Cpu {
        // Scheduled instances waiting for net_rx_action (softnet_data's
        // poll_list): changed only on this CPU, interrupts off.
        PollList poll_list;
        // Set while net_rx_action runs here: schedules then need no raise.
        cxxrt::atomic<bool> in_net_rx_action{false};
        cxxrt::atomic<uint64_t> rounds{0};
        cxxrt::atomic<uint64_t> time_squeeze{0};
        cxxrt::atomic<uint64_t> over_weight{0};
        unsigned cpu = 0;
    };

    bool schedule_prep(Napi& napi);
    // __napi_schedule() / ____napi_schedule(): onto this CPU's list.
    void queue(Napi& napi);
    // napi_poll(): one round of one instance, moved to 'repoll' when it
    // stays scheduled.
    int poll(Cpu& cpu, Napi& napi, PollList& repoll);
    int poll_once(Cpu& cpu, Napi& napi, PollList& repoll);

    softirq::Softirqs& softirqs_;
    base::PerCpu<Cpu> cpus_;
    cxxrt::atomic<int> budget_events_{Budget{}.events};
    cxxrt::atomic<uint64_t> budget_usecs_{Budget{}.usecs};
};

} // namespace irqlab::napi
