// The CLI's CPU and vector sets in the ABI's bitmap layout (uapi.h), wide
// enough for 8192 CPUs and 2048 vectors.
#include "userspace/src/bitmap.h"
#include "userspace/src/cpulist.h"

#include <gtest/gtest.h>

namespace irqlab::cli {
namespace {

const uint64_t* words(const irqlab_array& array) {
    return reinterpret_cast<const uint64_t*>(static_cast<uintptr_t>(array.ptr));
}

TEST(Bitmap, LaysOutBitsInU64WordsAndCountsBits) {
    const Bitmap set = Bitmap::of({0, 63, 64, 70, 2047}, 2048);
    const irqlab_array array = set.in();
    EXPECT_EQ(array.nr, 2048u);
    EXPECT_EQ(array.pad, 0u);
    EXPECT_EQ(words(array)[0], 0x8000000000000001ull);
    EXPECT_EQ(words(array)[1], (1ull << 0) | (1ull << 6));
    EXPECT_EQ(words(array)[31], 1ull << 63);
    EXPECT_EQ(set.count(), 5u);
    EXPECT_EQ(set.ids(), (std::vector<unsigned>{0, 63, 64, 70, 2047}));
}

TEST(Bitmap, GrowsToTheLargestIdAndHasNoBitPastItsEnd) {
    Bitmap set;
    EXPECT_TRUE(set.empty());
    set.set(8191);
    EXPECT_EQ(set.bits(), 8192u);
    EXPECT_EQ(set.in().nr, 8192u);
    EXPECT_TRUE(set.test(8191));
    EXPECT_FALSE(set.test(8192));
    EXPECT_FALSE(set.test(100000));

    // What the module writes past nr bits is not part of the set.
    Bitmap out{128};
    const irqlab_array array = out.out();
    auto* raw = reinterpret_cast<uint64_t*>(static_cast<uintptr_t>(array.ptr));
    raw[0] = 1;
    raw[1] = ~0ull;
    out.resize(72);
    EXPECT_EQ(out.count(), 9u);
    EXPECT_EQ(format_cpu_ids(out.ids()), "0,64-71");
}

TEST(Bitmap, CpuListsRoundTripThroughTheBitmap) {
    const Bitmap cpus = Bitmap::of(parse_cpu_ids("0-3,64-71", 72), 72);
    EXPECT_EQ(format_cpu_ids(cpus.ids()), "0-3,64-71");
    const Bitmap wanted = Bitmap::of(parse_cpu_ids("70", 72), 72);
    EXPECT_EQ(format_cpu_ids(cpus.minus(wanted).ids()), "0-3,64-69,71");
    EXPECT_TRUE(wanted.minus(cpus).empty());
}

TEST(Bitmap, OutArrayCountsElements) {
    std::vector<irqlab_counters> rows(72);
    const irqlab_array array = out_array(rows);
    EXPECT_EQ(array.nr, 72u);
    EXPECT_EQ(array.ptr, reinterpret_cast<uintptr_t>(rows.data()));
}

} // namespace
} // namespace irqlab::cli
