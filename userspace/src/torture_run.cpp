#include "torture_run.h"

#include "accounting.h"
#include "commands.h"
#include "cpulist.h"
#include "engine_tables.h"
#include "schema_json.h"
#include "torture_actors.h"
#include "torture_identities.h"
#include "torture_kmsg.h"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fmt/format.h>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace irqlab::cli::torture {

namespace {

const char* const prefix = "irqlab-torture:";

volatile std::sig_atomic_t interrupted = 0;

void on_signal(int) {
    interrupted = 1;
}

// Slots that only attached lines feed: HI and TASKLET carry the tasklets,
// TIMER the engine's timers, NET_RX the NAPI polls (docs/engine.md).
std::vector<unsigned> line_slots(const std::vector<std::string>& names) {
    std::vector<unsigned> out;
    for (unsigned slot = 0; slot < names.size(); ++slot) {
        const std::string& n = names[slot];
        if (n != "hi" && n != "tasklet" && n != "timer" && n != "net_rx")
            out.push_back(slot);
    }
    return out;
}

std::map<unsigned, SlotTotals> slot_totals(const Device& module) {
    std::map<unsigned, SlotTotals> totals;
    const unsigned cpus = module.engine_softirqs(0).nr_cpus;
    for (unsigned cpu = 0; cpu < cpus; ++cpu) {
        const irqlab_engine_softirqs s = module.engine_softirqs(cpu);
        for (unsigned slot = 0; slot < IRQLAB_NR_SOFTIRQS; ++slot) {
            totals[slot].work += s.slot[slot].work;
            totals[slot].runs += s.slot[slot].runs;
            totals[slot].idle += s.slot[slot].idle_runs;
        }
    }
    return totals;
}

// CPUs whose pending softirqs are not yet done, "" when none.
std::string softirqs_pending(const Device& module) {
    std::string out;
    const unsigned cpus = module.engine_softirqs(0).nr_cpus;
    for (unsigned cpu = 0; cpu < cpus; ++cpu) {
        const irqlab_engine_softirqs s = module.engine_softirqs(cpu);
        if (s.pending)
            out += fmt::format(" CPU{}:{:#x}", cpu, s.pending);
    }
    return out;
}

std::vector<unsigned> present_cpus(unsigned limit) {
    std::ifstream file{"/sys/devices/system/cpu/online"};
    std::string list;
    if (std::getline(file, list) && !list.empty())
        return parse_cpu_ids(list, limit);
    std::vector<unsigned> all;
    for (unsigned cpu = 0; cpu < limit; ++cpu)
        all.push_back(cpu);
    return all;
}

// CPUs the torture may take offline, or why none.
std::vector<unsigned> hotpluggable(const Options& o, const std::vector<unsigned>& present,
                                   std::string& note) {
    std::vector<unsigned> out;
    if (o.onoff_interval == 0) {
        note = "off (--onoff-interval 0)";
        return out;
    }
    if (present.size() < 2) {
        note = "off: one CPU online";
        return out;
    }
    for (const unsigned cpu : present) {
        const std::string file = fmt::format("/sys/devices/system/cpu/cpu{}/online", cpu);
        if (::access(file.c_str(), W_OK) == 0)
            out.push_back(cpu);
    }
    if (out.empty())
        note = "off: no writable /sys/devices/system/cpu/cpuN/online";
    return out;
}

uint64_t total_received(Shared& shared) {
    uint64_t sum = 0;
    for (const auto& device : shared.devices) {
        for (unsigned v = 0; v < device->nr_vectors; ++v)
            sum += VectorTotals{shared.module.stats(device->bdf, v).cpu}.sum.received;
    }
    return sum;
}

// Reads the vectors' counters for the stats lines, every stat interval.
// A thread of its own, under the watchdog like every actor: the ioctl can
// wait behind a CPU going down, and the loop that watches for stuck
// operations must never wait with it.
void stats_actor(Shared& shared) {
    Beat& beat = shared.beat("stats");
    do {
        Operation op{beat, "reading the vectors' counters"};
        shared.n.received = total_received(shared);
    } while (shared.nap(shared.options.stat_interval * 1000));
}

std::string stat_line(Shared& shared, long long t) {
    const Counts& n = shared.n;
    return fmt::format("{} t={}s runs={} fired={} received={} attaches={} detaches={} "
                       "hot={}/{} mech={}/{} checked={}+{} shuffles={}/{} onoff={}/{} "
                       "flips={} stutter={} failures={}",
                       prefix, t, n.runs.load(), n.issued.load(), n.received.load(),
                       n.attaches.load(), n.detaches.load(), n.hot_attaches.load(),
                       n.hot_detaches.load(), n.mech_attaches.load(), n.mech_detaches.load(),
                       n.lines_checked.load(), n.mechs_checked.load(), n.shuffles.load(),
                       n.shuffles_refused.load(), n.offline.load(), n.online.load(), n.flips.load(),
                       n.stutters.load(), shared.failures().size());
}

std::string slot_list(const Shared& shared) {
    std::string out;
    for (const unsigned slot : shared.free_slots)
        out += (out.empty() ? "" : ",") + shared.slot_names[slot];
    return out.empty() ? "-" : out;
}

void check_kmsg(Shared& shared, KmsgWatcher& kmsg) {
    for (const std::string& report : kmsg.poll())
        shared.fail("kernel log: " + report);
}

int verdict(Shared& shared, const std::string& params) {
    const std::vector<std::string> failures = shared.failures();
    // The first ones say it; a systematic break would repeat itself.
    const size_t shown = std::min<size_t>(failures.size(), 20);
    for (size_t i = 0; i < shown; ++i)
        fmt::print("{} FAILURE: {}\n", prefix, failures[i]);
    if (failures.size() > shown)
        fmt::print("{} FAILURE: ... and {} more\n", prefix, failures.size() - shown);
    if (failures.empty()) {
        fmt::print("{} --- End of test: SUCCESS: {}\n", prefix, params);
        std::fflush(stdout);
        return exit_ok;
    }
    fmt::print("{} --- End of test: FAILURE: {}{}: {}\n", prefix, failures.front(),
               failures.size() > 1 ? fmt::format(" (and {} more)", failures.size() - 1) : "",
               params);
    std::fflush(stdout);
    return exit_events_lost;
}

void setup_devices(Shared& shared, const Options& o, const std::vector<std::string>& bdfs) {
    const Device& module = shared.module;
    uint32_t wanted = 0;
    if (o.triggers.find("device") != std::string::npos)
        wanted |= IRQLAB_TRIGGER_BIT(IRQLAB_TRIGGER_DEVICE);
    if (o.triggers.find("ipi") != std::string::npos)
        wanted |= IRQLAB_TRIGGER_BIT(IRQLAB_TRIGGER_IPI);
    for (const std::string& bdf : bdfs) {
        auto device = std::make_unique<DeviceState>();
        device->bdf = bdf;
        const VectorInfo info = module.vector_info(bdf, 0);
        device->nr_vectors = info.nr_vectors;
        device->triggers = info.triggers & wanted;
        if (!device->triggers)
            throw Error{
                fmt::format("{} supports none of the triggers asked for ({})", bdf, o.triggers)};
        device->vectors.resize(info.nr_vectors);
        for (unsigned v = 0; v < info.nr_vectors; ++v) {
            if (module.engine_line(bdf, v))
                throw Error{fmt::format("{} vector {} is attached to the engine already: "
                                        "'irqlab engine detach {} --all-vectors' first",
                                        bdf, v, bdf)};
        }
        // Fails while a run is active: the torture must own the device.
        module.reset(bdf);
        shared.devices.push_back(std::move(device));
    }
}

} // namespace

int run(const Device& module, const Options& o, const std::vector<std::string>& bdfs) {
    const std::string params = torture::params(o, bdfs);
    Shared shared{module, o};
    module.info();
    setup_devices(shared, o, bdfs);
    for (const std::string& name : softirq_names(module))
        shared.slot_names.push_back(lower(name));
    shared.free_slots = line_slots(shared.slot_names);
    const std::vector<unsigned> present = present_cpus(module.nr_cpus());
    shared.set_present_cpus(present);
    shared.hotpluggable = hotpluggable(o, present, shared.hotplug_note);
    // A fresh file measures nothing yet: the histogram layout may be set.
    module.hist_config({IRQLAB_HIST_LOG2, 32, 1000});
    const irqlab_engine_config config_before = module.engine_config({});
    const std::map<unsigned, SlotTotals> slots_before = slot_totals(module);
    KmsgWatcher kmsg;

    fmt::print("{} --- Start of test: {}\n", prefix, params);
    fmt::print("{} CPU hotplug: {}\n", prefix,
               shared.hotpluggable.empty()
                   ? shared.hotplug_note
                   : fmt::format("CPUs {}", format_cpu_ids(shared.hotpluggable)));
    if (!kmsg.watching())
        fmt::print("{} kernel log: not watched ({})\n", prefix, kmsg.note());
    std::fflush(stdout);

    std::vector<std::thread> actors;
    for (const auto& device : shared.devices) {
        actors.emplace_back(fire_actor, std::ref(shared), std::ref(*device));
        actors.emplace_back(line_actor, std::ref(shared), std::ref(*device));
    }
    if (o.shuffle_interval)
        actors.emplace_back(affinity_actor, std::ref(shared));
    if (!shared.hotpluggable.empty())
        actors.emplace_back(onoff_actor, std::ref(shared));
    if (o.config_interval)
        actors.emplace_back(config_actor, std::ref(shared));
    if (o.stat_interval)
        actors.emplace_back(stats_actor, std::ref(shared));

    const auto start = Clock::now();
    const auto end = start + std::chrono::seconds{o.seconds};
    const auto stuck_limit = std::chrono::seconds{o.stuck_timeout};
    auto next_stat = start + std::chrono::seconds{o.stat_interval};
    auto next_stutter = start + std::chrono::seconds{o.stutter};
    const auto seconds_since_start = [&] {
        return std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - start).count();
    };
    // A stuck actor cannot be joined: report and leave (the module undoes
    // what this process's /dev/irqlab owns when it goes).
    const auto give_up_if_stuck = [&] {
        if (const auto stuck = shared.stuck(stuck_limit)) {
            shared.fail("stuck: " + *stuck);
            check_kmsg(shared, kmsg);
            std::_Exit(verdict(shared, params));
        }
    };
    // Ctrl-C and SIGTERM end the test early, through the final checks, so
    // that every CPU comes back online and the verdict is printed.
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    while (Clock::now() < end && !shared.stopping()) {
        if (interrupted) {
            fmt::print("{} interrupted at t={}s: stopping early\n", prefix, seconds_since_start());
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds{200});
        check_kmsg(shared, kmsg);
        give_up_if_stuck();
        if (shared.failed())
            break;
        const auto now = Clock::now();
        if (o.stutter && now >= next_stutter) {
            shared.silent = !shared.silent;
            if (shared.silent)
                ++shared.n.stutters;
            next_stutter = now + std::chrono::seconds{o.stutter};
        }
        if (o.stat_interval && now >= next_stat) {
            fmt::print("{}\n", stat_line(shared, seconds_since_start()));
            std::fflush(stdout);
            next_stat += std::chrono::seconds{o.stat_interval};
        }
    }

    // Stop: the actors end their runs and operations, then everything left
    // attached is flushed, checked and detached, with every CPU back.
    shared.request_stop();
    std::atomic<unsigned> joined{0};
    std::thread joiner{[&] {
        for (std::thread& t : actors) {
            t.join();
            ++joined;
        }
    }};
    while (joined < actors.size()) {
        std::this_thread::sleep_for(std::chrono::milliseconds{200});
        give_up_if_stuck();
    }
    joiner.join();

    Beat& beat = shared.beat("final check");
    std::optional<irqlab_counters> interrupts; // every vector's, once the final check read them
    std::thread final_check{[&] {
        try {
            for (const unsigned cpu : shared.hotpluggable) {
                Operation op{beat, fmt::format("cpu{} online", cpu)};
                std::ifstream state{fmt::format("/sys/devices/system/cpu/cpu{}/online", cpu)};
                char c = '1';
                state >> c;
                if (c == '0' && !set_cpu_online(cpu, true))
                    shared.fail(fmt::format("CPU {} did not come back online", cpu));
            }
            // An actor that failed may have left its run going.
            for (const auto& device : shared.devices) {
                Operation op{beat, "stop " + device->bdf};
                module.stop(device->bdf);
                while (module.run_status(device->bdf).state == IRQLAB_RUN_RUNNING)
                    std::this_thread::sleep_for(std::chrono::milliseconds{20});
            }
            irqlab_engine_config restore{};
            restore.set = IRQLAB_CONFIG_FORCED_THREADING;
            restore.forced_threading = config_before.forced_threading;
            module.engine_config(restore);
            for (const auto& device : shared.devices)
                detach_all(shared, *device, beat);
            irqlab_counters all{};
            for (const auto& device : shared.devices) {
                for (unsigned v = 0; v < device->nr_vectors; ++v) {
                    const irqlab_counters sum = VectorTotals{module.stats(device->bdf, v).cpu}.sum;
                    schema::add_counters(all, sum);
                    for (const std::string& p :
                         native_problems(fmt::format("{} v{}", device->bdf, v), sum))
                        shared.fail(p);
                }
            }
            interrupts = all;
            // The daemons finish what is pending; give them time.
            std::string pending;
            for (int i = 0; i < 300; ++i) {
                Operation op{beat, "softirqs pending"};
                pending = softirqs_pending(module);
                if (pending.empty())
                    break;
                std::this_thread::sleep_for(std::chrono::milliseconds{100});
            }
            if (!pending.empty())
                shared.fail("softirqs still pending at the end:" + pending);
            const std::map<unsigned, SlotTotals> slots_after = slot_totals(module);
            const std::map<unsigned, uint64_t> units = shared.units();
            for (const unsigned slot : shared.free_slots) {
                const auto fed = units.find(slot);
                for (const std::string& p :
                     slot_problems(shared.slot_names[slot], slots_before.at(slot),
                                   slots_after.at(slot), fed == units.end() ? 0 : fed->second))
                    shared.fail(p);
            }
        } catch (const Error& e) {
            shared.fail(fmt::format("final check: {}", e.what()));
        }
        ++joined;
    }};
    const unsigned all = static_cast<unsigned>(actors.size()) + 1;
    while (joined < all) {
        std::this_thread::sleep_for(std::chrono::milliseconds{200});
        give_up_if_stuck();
    }
    final_check.join();
    // Reports take a moment to reach the log.
    std::this_thread::sleep_for(std::chrono::seconds{1});
    check_kmsg(shared, kmsg);

    if (interrupts)
        shared.n.received = interrupts->received;
    const Counts& n = shared.n;
    fmt::print("{}\n", stat_line(shared, seconds_since_start()));
    if (interrupts)
        fmt::print(
            "{} interrupts: {} triggers, {} arrivals ({} unexpected), {} coalesced, {} busy\n",
            prefix, interrupts->fired, interrupts->received, interrupts->unexpected,
            interrupts->coalesced, interrupts->busy);
    else
        fmt::print("{} interrupts: not read (the final check ended before)\n", prefix);
    fmt::print("{} identities: {} engine lines and {} native mechanisms checked exactly after "
               "their detach ({} attached and {} detached while firing), {} runs balanced, "
               "softirq slots {} exact, {} native mechanisms absent from this kernel, {} "
               "arrival checks skipped (an untriggered arrival raced the read); kernel log {}\n",
               prefix, n.lines_checked.load(), n.mechs_checked.load(), n.hot_attaches.load(),
               n.hot_detaches.load(), n.runs.load(), slot_list(shared), n.mech_absent.load(),
               n.arrival_races.load(),
               kmsg.watching() ? fmt::format("watched ({} losses)", kmsg.lost()) : kmsg.note());
    return verdict(shared, params);
}

} // namespace irqlab::cli::torture
