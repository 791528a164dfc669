// The load-time self-check: each step exercises one piece of the C++ runtime
// that the engine depends on, so a broken toolchain setup fails loudly at
// insmod instead of deep inside an interrupt.
#include "irqlab/core.h"

#include "cxxrt/atomic.h"
#include "cxxrt/unique_ptr.h"

namespace {

constexpr int einval = 22;
constexpr int enomem = 12;

class Probe {
public:
    virtual ~Probe() = default;
    virtual int answer() const = 0;
};

// Lives in the heap so the call below goes through a real vtable.
class FortyTwo final : public Probe {
public:
    explicit FortyTwo(cxxrt::atomic<int>& live) : live_{live} { live_.fetch_add(1); }
    ~FortyTwo() override { live_.fetch_sub(1); }
    int answer() const override { return 42; }

private:
    cxxrt::atomic<int>& live_;
};

template <typename T, unsigned long N>
constexpr T sum(const T (&values)[N]) {
    T total{};
    for (const T& v : values)
        total += v;
    return total;
}

} // namespace

extern "C" int irqlab_core_selfcheck(void) {
    cxxrt::atomic<int> live{0};
    {
        cxxrt::unique_ptr<Probe> probe = cxxrt::make_unique<FortyTwo>(cxxrt::may_sleep_ctx, live);
        if (!probe)
            return -enomem;
        // Through the base pointer, so the compiler cannot devirtualise.
        const Probe* volatile base = probe.get();
        if (base->answer() != 42 || live.load() != 1)
            return -einval;
    }
    if (live.load() != 0) // the destructor ran through the virtual ~Probe
        return -einval;

    constexpr unsigned long values[] = {1, 2, 3, 4};
    static_assert(sum(values) == 10);
    volatile unsigned long runtime_values[] = {5, 6};
    const unsigned long pair[] = {runtime_values[0], runtime_values[1]};
    if (sum(pair) != 11)
        return -einval;
    return 0;
}
