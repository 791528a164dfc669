// The engine's execution context per CPU: its own preempt_count.
//
// Linux keeps hardirq and softirq nesting in preempt_count
// (include/linux/preempt.h); the engine keeps the same fields, with the same
// layout, in a per-CPU word of its own, because its "hardirq" and
// "softirq" run inside the host's contexts and must be told apart from
// them. The word says what the *engine* is doing on a CPU: engine code asks
// it, never the host's preempt_count.
//
// Writers change only their own CPU's word, with preemption or interrupts
// off, and undo every change they made before leaving, so nesting (an
// engine hardirq arriving during engine softirq processing) composes as it
// does in Linux. The word is atomic because hosted, several threads share
// one simulated CPU.
#pragma once

#include "core/base/percpu.h"
#include "cxxrt/atomic.h"

#include <stdint.h>

namespace irqlab::engine {

inline constexpr uint32_t softirq_shift = 8;
inline constexpr uint32_t hardirq_shift = 16;
// Serving softirqs adds softirq_offset; local_bh_disable() adds twice that,
// so the low softirq bit says "serving" (Linux's SOFTIRQ_OFFSET and
// SOFTIRQ_DISABLE_OFFSET).
inline constexpr uint32_t softirq_offset = 1u << softirq_shift;
inline constexpr uint32_t softirq_disable_offset = 2u * softirq_offset;
inline constexpr uint32_t softirq_mask = 0xffu << softirq_shift;
inline constexpr uint32_t hardirq_offset = 1u << hardirq_shift;
inline constexpr uint32_t hardirq_mask = 0xfu << hardirq_shift;

class Context {
public:
    Context() = default;
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;

    // May sleep. False when the per-CPU words could not be allocated.
    [[nodiscard]] bool init() { return cpus_.init(); }

    // The calling CPU's word (caller keeps preemption off), or another's
    // for statistics and tests.
    uint32_t word() const;
    uint32_t word_on(unsigned cpu) const;

    bool in_hardirq() const { return (word() & hardirq_mask) != 0; }
    // In softirq processing or with bottom halves disabled.
    bool in_softirq() const { return (word() & softirq_mask) != 0; }
    bool in_serving_softirq() const { return (word() & softirq_offset) != 0; }
    bool in_interrupt() const { return (word() & (hardirq_mask | softirq_mask)) != 0; }

    // Adds to / takes back from this CPU's word; each add is undone by a
    // sub of the same amount on the same CPU.
    void add(uint32_t amount);
    void sub(uint32_t amount);

    // A may-sleep operation is about to run: in engine atomic context
    // (hardirq, softirq, bottom halves off) this is a bug of the caller.
    // It is reported through the platform log and counted, not silently
    // allowed; returns false when it was reported.
    bool might_sleep(const char* operation);
    uint64_t atomic_sleep_reports() const {
        return atomic_sleep_reports_.load(cxxrt::memory_order::relaxed);
    }

private:
    struct alignas(64) CpuWord {
        cxxrt::atomic<uint32_t> word;
    };

    base::PerCpu<CpuWord> cpus_;
    cxxrt::atomic<uint64_t> atomic_sleep_reports_{0};
};

// Engine hardirq nesting for a scope (the counting half of irq_enter() and
// irq_exit(); softirq processing at exit is the caller's: see Engine).
class HardirqScope {
public:
    explicit HardirqScope(Context& context) : context_{context} { context_.add(hardirq_offset); }
    ~HardirqScope() { context_.sub(hardirq_offset); }
    HardirqScope(const HardirqScope&) = delete;
    HardirqScope& operator=(const HardirqScope&) = delete;

private:
    Context& context_;
};

} // namespace irqlab::engine
