// cxxrt in the environment it was written for: allocation contexts with
// interrupts really off, atomics raced across real CPUs, and the
// constant-only static initialisation policy.
#include "tests/cases/ktest.h"
#include "tests/cases/on_each_cpu.h"

#include "core/base/cpu.h"
#include "cxxrt/atomic.h"
#include "cxxrt/unique_ptr.h"

namespace {

void atomic_allocation_with_irqs_off(irqlab_ktest_ctx* ctx) {
    irqlab::base::IrqSaveGuard irqs_off;
    KT_EXPECT(ctx, irqlab::base::irqs_disabled());
    int* value = new (cxxrt::atomic_ctx) int{5};
    KT_ASSERT(ctx, value != nullptr);
    KT_EXPECT(ctx, *value == 5);
    delete value;
}

void may_sleep_allocation_in_process_context(irqlab_ktest_ctx* ctx) {
    irqlab_plat_might_sleep();
    auto block = new (cxxrt::may_sleep_ctx) unsigned char[64 * 1024];
    KT_ASSERT(ctx, block != nullptr);
    block[0] = 1;
    block[64 * 1024 - 1] = 2;
    KT_EXPECT(ctx, block[0] + block[64 * 1024 - 1] == 3);
    delete[] block;
}

struct Counted {
    static inline cxxrt::atomic<int> live{0};
    Counted() { live.fetch_add(1); }
    virtual ~Counted() { live.fetch_sub(1); }
};
struct CountedChild : Counted {
    char payload[100] = {};
};

void unique_ptr_frees_through_virtual_destructor(irqlab_ktest_ctx* ctx) {
    {
        cxxrt::unique_ptr<Counted> owner = cxxrt::make_unique<CountedChild>(cxxrt::may_sleep_ctx);
        KT_ASSERT(ctx, owner);
        KT_EXPECT(ctx, Counted::live.load() == 1);
    }
    KT_EXPECT(ctx, Counted::live.load() == 0);
}

void array_new_delete_runs_every_destructor(irqlab_ktest_ctx* ctx) {
    Counted* many = new (cxxrt::atomic_ctx) Counted[10];
    KT_ASSERT(ctx, many != nullptr);
    KT_EXPECT(ctx, Counted::live.load() == 10);
    delete[] many;
    KT_EXPECT(ctx, Counted::live.load() == 0);
}

void atomic_operations(irqlab_ktest_ctx* ctx) {
    cxxrt::atomic<unsigned long> a{1};
    KT_EXPECT(ctx, a.fetch_add(2) == 1);
    KT_EXPECT(ctx, a.fetch_or(0x10) == 3);
    KT_EXPECT(ctx, a.fetch_and(0x12) == 0x13);
    KT_EXPECT(ctx, a.exchange(9) == 0x12);
    unsigned long expected = 8;
    KT_EXPECT(ctx, !a.compare_exchange_strong(expected, 1));
    KT_EXPECT(ctx, expected == 9);
    KT_EXPECT(ctx, a.compare_exchange_strong(expected, 1));
    KT_EXPECT(ctx, a.load(cxxrt::memory_order::acquire) == 1);
}

constexpr unsigned long increments_per_cpu = 200000;

void add_many(void* counter, unsigned) {
    auto* total = static_cast<cxxrt::atomic<unsigned long>*>(counter);
    for (unsigned long i = 0; i < increments_per_cpu; ++i)
        total->fetch_add(1, cxxrt::memory_order::relaxed);
}

void atomic_increments_race_across_cpus(irqlab_ktest_ctx* ctx) {
    cxxrt::atomic<unsigned long> total{0};
    const unsigned cpus = ktest::on_each_cpu(add_many, &total);
    KT_ASSERT(ctx, cpus > 0);
    KT_EXPECT(ctx, total.load() == cpus * increments_per_cpu);
}

// The static-initialisation policy: globals are constant-initialised, so
// they hold their values with no constructor ever having run (the kernel
// runs .init_array only on CONFIG_CONSTRUCTORS kernels).
struct Config {
    int version;
    const char* name;
    constexpr Config(int v, const char* n) : version{v}, name{n} {}
};
constinit Config static_config{3, "constinit"};
constinit cxxrt::atomic<int> static_counter{42};

void static_objects_are_constant_initialised(irqlab_ktest_ctx* ctx) {
    KT_EXPECT(ctx, static_config.version == 3);
    KT_EXPECT(ctx, static_config.name[0] == 'c');
    KT_EXPECT(ctx, static_counter.load() == 42);
}

constexpr irqlab_ktest_case cases[] = {
    {"atomic_allocation_with_irqs_off", atomic_allocation_with_irqs_off},
    {"may_sleep_allocation_in_process_context", may_sleep_allocation_in_process_context},
    {"unique_ptr_frees_through_virtual_destructor", unique_ptr_frees_through_virtual_destructor},
    {"array_new_delete_runs_every_destructor", array_new_delete_runs_every_destructor},
    {"atomic_operations", atomic_operations},
    {"atomic_increments_race_across_cpus", atomic_increments_race_across_cpus},
    {"static_objects_are_constant_initialised", static_objects_are_constant_initialised},
};

} // namespace

extern "C" constinit const irqlab_ktest_suite irqlab_ktest_cxxrt_suite =
    ktest::suite("irqlab_cxxrt", cases);
