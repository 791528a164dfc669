#include "torture_actors.h"

#include "accounting.h"
#include "torture_identities.h"
#include "torture_plan.h"

#include <chrono>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <thread>

namespace irqlab::cli::torture {

namespace {

Bitmap one(unsigned vector) {
    return Bitmap::of({vector});
}

uint64_t received(const Device& module, const std::string& bdf, unsigned vector) {
    return VectorTotals{module.stats(bdf, vector).cpu}.sum.received;
}

// Takes 'snapshot' (the counts an identity checks against the vector's
// native arrivals) between two reads of those arrivals, and returns it
// with the arrivals over the attachment's life at that moment. A quiet
// vector can still take an arrival nobody triggered (x86 retriggers a
// vector it moves), and one landing between the reads is in one count
// and not the other: the reads are taken again, up to 'attempts' times,
// until none landed. The arrivals are nullopt when they kept landing
// (counted in 'arrival_races': that identity goes unchecked) or the
// attach's count is unknown (a hot attach).
template <typename Snapshot>
auto between_arrivals(Shared& shared, const DeviceState& device, unsigned v, const Attachment& a,
                      unsigned attempts, Snapshot snapshot) {
    for (unsigned attempt = 1;; ++attempt) {
        const uint64_t before = received(shared.module, device.bdf, v);
        auto taken = snapshot();
        const uint64_t after = received(shared.module, device.bdf, v);
        if (before == after || attempt >= attempts) {
            std::optional<uint64_t> arrivals;
            if (before != after)
                ++shared.n.arrival_races;
            else if (a.received_at_attach)
                arrivals = after - *a.received_at_attach;
            return std::pair{std::move(taken), arrivals};
        }
        std::this_thread::sleep_for(std::chrono::milliseconds{1});
    }
}

std::string vector_name(const DeviceState& device, unsigned vector, const Attachment& a) {
    return fmt::format("{} v{} ({})", device.bdf, vector, a.label);
}

void report(Shared& shared, const std::vector<std::string>& problems) {
    for (const std::string& p : problems)
        shared.fail(p);
}

// Runs 'body' and turns an unexpected ioctl failure into a failure of
// the torture: the module refused what it should have done.
template <typename Body>
void guarded(Shared& shared, const std::string& actor, Body body) {
    try {
        body();
    } catch (const Error& e) {
        shared.fail(fmt::format("{}: {}", actor, e.what()));
        shared.request_stop();
    }
}

// Polls the run until it ends; a stuck run is a failure (returns nullopt).
std::optional<irqlab_run_status> wait_run(Shared& shared, Beat& beat, const std::string& bdf,
                                          const FireChoice& f) {
    const Device& module = shared.module;
    // Generous: the run's own length at its rate, plus the stuck bound.
    const auto paced = f.rate_hz ? std::chrono::seconds{f.count * f.vectors.size() / f.rate_hz}
                                 : std::chrono::seconds{0};
    const auto deadline = Clock::now() + paced + std::chrono::seconds{shared.options.stuck_timeout};
    bool stop_sent = false;
    for (;;) {
        irqlab_run_status status;
        {
            Operation op{beat, "run status"};
            status = module.run_status(bdf);
        }
        if (status.state != IRQLAB_RUN_RUNNING)
            return status;
        if (Clock::now() > deadline) {
            shared.fail(fmt::format("{}: stuck run: {} of {} triggers issued after {} s", bdf,
                                    status.issued, status.planned,
                                    std::chrono::duration_cast<std::chrono::seconds>(
                                        paced + std::chrono::seconds{shared.options.stuck_timeout})
                                        .count()));
            shared.request_stop();
            return std::nullopt;
        }
        if (shared.stopping() && !stop_sent) {
            Operation op{beat, "stop"};
            module.stop(bdf);
            stop_sent = true;
        }
        const timespec pause{0, 20'000'000};
        nanosleep(&pause, nullptr);
    }
}

void fire_once(Shared& shared, DeviceState& device, Beat& beat, Rng& rng) {
    const Device& module = shared.module;
    std::vector<unsigned> candidates;
    {
        std::lock_guard lock{device.mutex};
        for (unsigned v = 0; v < device.nr_vectors; ++v) {
            if (!device.vectors[v].busy)
                candidates.push_back(v);
        }
    }
    if (candidates.empty()) {
        shared.nap(50);
        return;
    }
    FireChoice f = choose_fire(rng, candidates, device.triggers, shared.online_cpus(),
                               shared.options.max_count);
    {
        // An attach or detach may have begun since: leave those vectors out.
        std::lock_guard lock{device.mutex};
        std::erase_if(f.vectors, [&](unsigned v) { return device.vectors[v].busy; });
        for (const unsigned v : f.vectors)
            device.vectors[v].firing = true;
    }
    if (f.vectors.empty())
        return;
    if (f.cpu >= 0 && !shared.pin_cpu(static_cast<unsigned>(f.cpu)))
        f.cpu = -1;
    irqlab_fire request{};
    copy_bdf(request.bdf, device.bdf);
    request.count = f.count;
    request.rate_hz = f.rate_hz;
    request.trigger = f.trigger;
    request.cpu = f.cpu;
    {
        Operation op{beat, "fire"};
        module.fire(request, Bitmap::of(f.vectors));
    }
    const std::optional<irqlab_run_status> run = wait_run(shared, beat, device.bdf, f);
    if (!run)
        return; // stuck: leave everything as it is
    if (f.cpu >= 0)
        shared.unpin_cpu(static_cast<unsigned>(f.cpu));
    ++shared.n.runs;
    shared.n.issued += run->issued;
    if (run->state == IRQLAB_RUN_STOPPED)
        ++shared.n.stopped_runs;
    const std::string what =
        fmt::format("{} run of {} x {} ({} Hz, trigger {}, cpu {})", device.bdf, f.vectors.size(),
                    f.count, f.rate_hz, f.trigger, f.cpu);
    if (run->state == IRQLAB_RUN_FAILED)
        shared.fail(fmt::format("{}: failed: {}", what, std::strerror(-run->error)));
    if (run->undelivered)
        shared.fail(fmt::format("{}: {} triggers never arrived", what, run->undelivered));
    for (const unsigned v : f.vectors) {
        Operation op{beat, "stats"};
        report(shared, native_problems(fmt::format("{} v{}", device.bdf, v),
                                       VectorTotals{module.stats(device.bdf, v).cpu}.sum));
    }
    std::lock_guard lock{device.mutex};
    for (const unsigned v : f.vectors)
        device.vectors[v].firing = false;
}

void engine_attach(Shared& shared, DeviceState& device, unsigned v, bool hot, Beat& beat,
                   Rng& rng) {
    const Device& module = shared.module;
    LineChoice choice = choose_line(rng, shared.free_slots, shared.slot_names);
    copy_bdf(choice.attach.bdf, device.bdf);
    Attachment a;
    a.label = choice.label;
    a.action = choice.attach.action;
    Operation op{beat, fmt::format("engine attach v{} {}", v, choice.label)};
    if (!hot)
        a.received_at_attach = received(module, device.bdf, v);
    {
        std::shared_lock config{shared.config};
        a.forced_threading = module.engine_config(irqlab_engine_config{}).forced_threading != 0;
        module.engine_attach(choice.attach, one(v));
    }
    ++(hot ? shared.n.hot_attaches : shared.n.attaches);
    std::lock_guard lock{device.mutex};
    device.vectors[v].kind = VectorKind::engine;
    device.vectors[v].attachment = a;
}

// A quiet vector: flush, read, check, detach.
void engine_detach_checked(Shared& shared, DeviceState& device, unsigned v, const Attachment& a,
                           Beat& beat) {
    const Device& module = shared.module;
    const std::string name = vector_name(device, v, a);
    {
        Operation op{beat, "engine flush v" + std::to_string(v)};
        module.engine_flush(device.bdf, one(v));
    }
    Operation op{beat, "engine detach v" + std::to_string(v)};
    const auto [line, arrivals] = between_arrivals(
        shared, device, v, a, 8, [&] { return module.engine_line(device.bdf, v); });
    if (!line) {
        shared.fail(name + ": attached, but the module has no engine line for it");
        return;
    }
    report(shared, line_problems(name, *line, line->cpu_count, arrivals, a.forced_threading));
    if (line->action == IRQLAB_ACTION_SOFTIRQ)
        shared.add_units(line->softirq, line->softirq_raised * line->softirq_rounds);
    module.engine_detach(device.bdf, one(v));
    ++shared.n.detaches;
    ++shared.n.lines_checked;
}

void mech_attach(Shared& shared, DeviceState& device, unsigned v, bool hot, Beat& beat, Rng& rng) {
    const Device& module = shared.module;
    irqlab_mech_attach request{};
    copy_bdf(request.bdf, device.bdf);
    request.mechanism = choose_mechanism(rng);
    request.path = IRQLAB_PATH_NATIVE;
    Attachment a;
    a.label = fmt::format("native mechanism {}", request.mechanism);
    a.mechanism = request.mechanism;
    Operation op{beat, fmt::format("mech attach v{} {}", v, request.mechanism)};
    if (!hot)
        a.received_at_attach = received(module, device.bdf, v);
    if (!module.mech_attach(request, one(v))) {
        ++shared.n.mech_absent; // this kernel lacks it (BH workqueues before 6.9)
        return;
    }
    ++shared.n.mech_attaches;
    std::lock_guard lock{device.mutex};
    device.vectors[v].kind = VectorKind::mech;
    device.vectors[v].attachment = a;
}

void mech_detach_checked(Shared& shared, DeviceState& device, unsigned v, const Attachment& a,
                         Beat& beat) {
    const Device& module = shared.module;
    Operation op{beat, "mech detach v" + std::to_string(v)};
    // The detach is the moment the mechanism's counts stop: one attempt.
    const auto [stats, arrivals] = between_arrivals(shared, device, v, a, 1, [&] {
        module.mech_detach(device.bdf, one(v));
        return module.mech_stats(device.bdf, v);
    });
    report(shared, mech_problems(vector_name(device, v, a), stats, arrivals));
    ++shared.n.mech_detaches;
    ++shared.n.mechs_checked;
}

void line_step(Shared& shared, DeviceState& device, Beat& beat, Rng& rng) {
    if (!shared.nap(static_cast<unsigned>(rng.between(20, 400))))
        return;
    const unsigned v = static_cast<unsigned>(rng.between(0, device.nr_vectors - 1));
    VectorKind kind;
    Attachment a;
    bool hot;
    {
        std::lock_guard lock{device.mutex};
        VectorState& s = device.vectors[v];
        if (s.busy)
            return;
        hot = s.firing;
        kind = s.kind;
        a = s.attachment;
        // While the vector fires: sometimes, and never where the identities
        // would be lost (a softirq line's units, a mechanism's counts).
        if (hot && (!rng.chance(1, 3) || kind == VectorKind::mech ||
                    (kind == VectorKind::engine && a.action == IRQLAB_ACTION_SOFTIRQ)))
            return;
        s.busy = true;
    }
    switch (kind) {
    case VectorKind::free:
        // A native mechanism re-requests the vector (free_irq, then
        // request_irq): never while it fires.
        if (rng.chance(1, 4) && !hot)
            mech_attach(shared, device, v, hot, beat, rng);
        else
            engine_attach(shared, device, v, hot, beat, rng);
        break;
    case VectorKind::engine:
        if (hot) {
            Operation op{beat, "engine detach (firing) v" + std::to_string(v)};
            shared.module.engine_detach(device.bdf, one(v));
            ++shared.n.hot_detaches;
        } else {
            engine_detach_checked(shared, device, v, a, beat);
        }
        {
            std::lock_guard lock{device.mutex};
            device.vectors[v].kind = VectorKind::free;
        }
        break;
    case VectorKind::mech:
        mech_detach_checked(shared, device, v, a, beat);
        {
            std::lock_guard lock{device.mutex};
            device.vectors[v].kind = VectorKind::free;
        }
        break;
    }
    std::lock_guard lock{device.mutex};
    device.vectors[v].busy = false;
}

} // namespace

void fire_actor(Shared& shared, DeviceState& device) {
    const std::string name = "fire " + device.bdf;
    Beat& beat = shared.beat(name);
    Rng rng{shared.options.seed, name};
    guarded(shared, name, [&] {
        while (!shared.stopping()) {
            if (shared.silent) {
                shared.nap(100);
                continue;
            }
            fire_once(shared, device, beat, rng);
        }
    });
}

void line_actor(Shared& shared, DeviceState& device) {
    const std::string name = "lines " + device.bdf;
    Beat& beat = shared.beat(name);
    Rng rng{shared.options.seed, name};
    guarded(shared, name, [&] {
        while (!shared.stopping())
            line_step(shared, device, beat, rng);
    });
}

void affinity_actor(Shared& shared) {
    const std::string name = "affinity";
    Beat& beat = shared.beat(name);
    Rng rng{shared.options.seed, name};
    guarded(shared, name, [&] {
        while (shared.nap(shared.options.shuffle_interval * 1000)) {
            DeviceState& device = *shared.devices[rng.between(0, shared.devices.size() - 1)];
            const unsigned v = static_cast<unsigned>(rng.between(0, device.nr_vectors - 1));
            const std::vector<unsigned> online = shared.online_cpus();
            if (online.empty())
                continue;
            const std::vector<unsigned> cpus = choose_cpus(rng, online);
            try {
                Operation op{beat, "set affinity"};
                shared.module.set_affinity(device.bdf, v,
                                           Bitmap::of(cpus, shared.module.nr_cpus()));
                ++shared.n.shuffles;
            } catch (const Error&) {
                // A CPU of the set went offline meanwhile: Linux refuses too.
                ++shared.n.shuffles_refused;
            }
        }
    });
}

bool set_cpu_online(unsigned cpu, bool online) {
    std::ofstream file{fmt::format("/sys/devices/system/cpu/cpu{}/online", cpu)};
    file << (online ? "1" : "0");
    file.flush();
    return file.good();
}

void onoff_actor(Shared& shared) {
    const std::string name = "onoff";
    Beat& beat = shared.beat(name);
    Rng rng{shared.options.seed, name};
    if (shared.hotpluggable.empty() || shared.options.onoff_interval == 0)
        return;
    if (!shared.nap(shared.options.onoff_holdoff * 1000))
        return;
    while (!shared.stopping()) {
        const unsigned cpu = rng.pick(shared.hotpluggable);
        if (!shared.take_cpu(cpu)) {
            shared.nap(100);
            continue;
        }
        bool down;
        {
            Operation op{beat, fmt::format("cpu{} offline", cpu)};
            down = set_cpu_online(cpu, false);
        }
        if (down) {
            ++shared.n.offline;
            shared.nap(shared.options.onoff_interval * 1000);
            Operation op{beat, fmt::format("cpu{} online", cpu)};
            if (!set_cpu_online(cpu, true)) {
                shared.fail(fmt::format("CPU {} did not come back online", cpu));
                shared.request_stop();
                return;
            }
            ++shared.n.online;
        } else {
            ++shared.n.onoff_refused;
        }
        shared.give_cpu(cpu);
        shared.nap(shared.options.onoff_interval * 1000);
    }
}

void config_actor(Shared& shared) {
    const std::string name = "config";
    Beat& beat = shared.beat(name);
    guarded(shared, name, [&] {
        while (shared.nap(shared.options.config_interval * 1000)) {
            Operation op{beat, "engine config"};
            std::unique_lock config{shared.config};
            irqlab_engine_config request{};
            const irqlab_engine_config now = shared.module.engine_config(request);
            request.set = IRQLAB_CONFIG_FORCED_THREADING;
            request.forced_threading = !now.forced_threading;
            shared.module.engine_config(request);
            ++shared.n.flips;
        }
    });
}

void detach_all(Shared& shared, DeviceState& device, Beat& beat) {
    for (unsigned v = 0; v < device.nr_vectors; ++v) {
        VectorState& s = device.vectors[v];
        if (s.kind == VectorKind::engine)
            engine_detach_checked(shared, device, v, s.attachment, beat);
        else if (s.kind == VectorKind::mech)
            mech_detach_checked(shared, device, v, s.attachment, beat);
        s.kind = VectorKind::free;
    }
}

} // namespace irqlab::cli::torture
