#include "torture_state.h"

#include <algorithm>

namespace irqlab::cli::torture {

void Shared::request_stop() {
    {
        std::lock_guard lock{stop_mutex_};
        stop_ = true;
    }
    stop_cv_.notify_all();
}

bool Shared::nap(unsigned ms) {
    std::unique_lock lock{stop_mutex_};
    stop_cv_.wait_for(lock, std::chrono::milliseconds{ms}, [this] { return stop_.load(); });
    return !stop_;
}

void Shared::fail(const std::string& what) {
    std::lock_guard lock{mutex_};
    failures_.push_back(what);
}

std::vector<std::string> Shared::failures() {
    std::lock_guard lock{mutex_};
    return failures_;
}

bool Shared::failed() {
    std::lock_guard lock{mutex_};
    return !failures_.empty();
}

void Shared::add_units(unsigned slot, uint64_t units) {
    std::lock_guard lock{mutex_};
    units_[slot] += units;
}

std::map<unsigned, uint64_t> Shared::units() {
    std::lock_guard lock{mutex_};
    return units_;
}

void Shared::set_present_cpus(const std::vector<unsigned>& cpus) {
    std::lock_guard lock{mutex_};
    present_ = cpus;
}

std::vector<unsigned> Shared::online_cpus() {
    std::lock_guard lock{mutex_};
    std::vector<unsigned> out;
    for (const unsigned cpu : present_) {
        if (!offline_[cpu])
            out.push_back(cpu);
    }
    return out;
}

bool Shared::pin_cpu(unsigned cpu) {
    std::lock_guard lock{mutex_};
    if (offline_[cpu])
        return false;
    ++pins_[cpu];
    return true;
}

void Shared::unpin_cpu(unsigned cpu) {
    std::lock_guard lock{mutex_};
    --pins_[cpu];
}

bool Shared::take_cpu(unsigned cpu) {
    std::lock_guard lock{mutex_};
    if (pins_[cpu] != 0 || offline_[cpu])
        return false;
    offline_[cpu] = true;
    return true;
}

void Shared::give_cpu(unsigned cpu) {
    std::lock_guard lock{mutex_};
    offline_[cpu] = false;
}

Beat& Shared::beat(const std::string& actor) {
    std::lock_guard lock{mutex_};
    return beats_.emplace_back(actor);
}

std::optional<std::string> Shared::stuck(Clock::duration limit) {
    std::lock_guard lock{mutex_};
    const auto now = Clock::now();
    for (Beat& b : beats_) {
        std::lock_guard beat_lock{b.mutex};
        if (!b.op.empty() && now - b.since > limit)
            return b.actor + ": " + b.op + " for " +
                   std::to_string(
                       std::chrono::duration_cast<std::chrono::seconds>(now - b.since).count()) +
                   " s";
    }
    return std::nullopt;
}

Operation::Operation(Beat& beat, std::string op) : beat_{beat} {
    std::lock_guard lock{beat_.mutex};
    beat_.op = std::move(op);
    beat_.since = Clock::now();
}

Operation::~Operation() {
    std::lock_guard lock{beat_.mutex};
    beat_.op.clear();
}

} // namespace irqlab::cli::torture
