// What irqlab torture's actors share: the devices and the state of each
// vector (free, an engine line, a native mechanism; firing or not), the
// CPUs taken offline, the event counts of the statistics lines, the
// failures found, and one heartbeat per actor for the stuck watchdog.
#pragma once

#include "device.h"
#include "torture_options.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

namespace irqlab::cli::torture {

using Clock = std::chrono::steady_clock;

enum class VectorKind { free, engine, mech };

// One attachment of a vector, from attach to detach.
struct Attachment {
    std::string label;
    uint32_t action = 0; // engine lines
    unsigned mechanism = 0;
    // The vector's native received count at attach, when no run fired it
    // then: the engine's arrivals are exact from there.
    std::optional<uint64_t> received_at_attach;
    bool forced_threading = false; // the engine's, at the attach
};

struct VectorState {
    VectorKind kind = VectorKind::free;
    bool firing = false; // in the device's current run
    bool busy = false;   // an attach or detach is under way
    Attachment attachment;
};

struct DeviceState {
    std::string bdf;
    unsigned nr_vectors = 0;
    uint32_t triggers = 0; // the ones to fire with: supported and asked for
    std::mutex mutex;      // guards 'vectors'
    std::vector<VectorState> vectors;
};

struct Counts {
    std::atomic<uint64_t> runs{0}, issued{0}, stopped_runs{0};
    std::atomic<uint64_t> attaches{0}, detaches{0}, hot_attaches{0}, hot_detaches{0};
    std::atomic<uint64_t> mech_attaches{0}, mech_detaches{0}, mech_absent{0};
    std::atomic<uint64_t> lines_checked{0}, mechs_checked{0};
    std::atomic<uint64_t> shuffles{0}, shuffles_refused{0};
    std::atomic<uint64_t> offline{0}, online{0}, onoff_refused{0};
    std::atomic<uint64_t> flips{0}, stutters{0};
    std::atomic<uint64_t> received{0}; // every vector's, as the stats actor last read it
    // Checks of arrivals skipped: an arrival nobody triggered kept
    // landing while the counts were read (between_arrivals()).
    std::atomic<uint64_t> arrival_races{0};
};

// An actor's current operation, for the watchdog.
struct Beat {
    explicit Beat(std::string name) : actor{std::move(name)} {}
    std::string actor;
    std::mutex mutex;
    std::string op; // empty: between operations
    Clock::time_point since;
};

class Shared {
public:
    Shared(const Device& module, const Options& options) : module{module}, options{options} {}

    const Device& module;
    const Options& options;
    std::vector<std::unique_ptr<DeviceState>> devices;
    std::vector<std::string> slot_names; // the engine's softirq slots, lower case
    std::vector<unsigned> free_slots;    // slots only attached lines feed
    std::vector<unsigned> hotpluggable;  // CPUs with a writable online file
    std::string hotplug_note;            // why there is no hotplug, if so
    Counts n;
    std::atomic<bool> silent{false}; // stutter: no new firing runs
    // Held shared by an engine attach, exclusive by a forced-threading
    // flip: an attach requests its line's actions one by one, and a flip
    // between them would make them disagree on ONESHOT (EBUSY). Linux's
    // threadirqs never changes after boot.
    std::shared_mutex config;

    bool stopping() const { return stop_.load(); }
    void request_stop();
    // Sleeps up to 'ms'; false when the torture is stopping.
    bool nap(unsigned ms);

    void fail(const std::string& what);
    std::vector<std::string> failures();
    bool failed();

    // Softirq work units handed over by lines whose life was checked.
    void add_units(unsigned slot, uint64_t units);
    std::map<unsigned, uint64_t> units();

    // CPUs: online as far as the torture knows (it is the only one to take
    // them down), and pinned by a run pointed at them (not taken down then).
    std::vector<unsigned> online_cpus();
    bool pin_cpu(unsigned cpu);
    void unpin_cpu(unsigned cpu);
    // Marks 'cpu' offline unless a run is pointed at it.
    bool take_cpu(unsigned cpu);
    void give_cpu(unsigned cpu);
    void set_present_cpus(const std::vector<unsigned>& cpus);

    Beat& beat(const std::string& actor);
    // The actor and operation stuck for longer than 'limit', if any.
    std::optional<std::string> stuck(Clock::duration limit);

private:
    std::atomic<bool> stop_{false};
    std::mutex stop_mutex_;
    std::condition_variable stop_cv_;
    std::mutex mutex_; // failures, units, CPUs, beats
    std::vector<std::string> failures_;
    std::map<unsigned, uint64_t> units_;
    std::vector<unsigned> present_;
    std::map<unsigned, unsigned> pins_;
    std::map<unsigned, bool> offline_;
    std::deque<Beat> beats_;
};

// Marks the actor's beat busy with 'op' for its lifetime.
class Operation {
public:
    Operation(Beat& beat, std::string op);
    ~Operation();
    Operation(const Operation&) = delete;
    Operation& operator=(const Operation&) = delete;

private:
    Beat& beat_;
};

} // namespace irqlab::cli::torture
