// CPU lists of any width and the CPU columns of the per-CPU tables.
#include "userspace/src/cpu_columns.h"
#include "userspace/src/cpulist.h"
#include "userspace/src/device.h"

#include <gtest/gtest.h>

namespace irqlab::cli {
namespace {

TEST(CpuList, ParsesPastCpu63AndFormatsBack) {
    const std::vector<unsigned> cpus = parse_cpu_ids("70,0-3,64-71,2");
    std::vector<unsigned> expected{0, 1, 2, 3};
    for (unsigned cpu = 64; cpu <= 71; ++cpu)
        expected.push_back(cpu);
    EXPECT_EQ(cpus, expected);
    EXPECT_EQ(format_cpu_ids(cpus), "0-3,64-71");
    EXPECT_EQ(format_cpu_ids(parse_cpu_ids("8191")), "8191");
    EXPECT_EQ(format_cpu_ids({}), "-");
}

TEST(CpuList, RefusesMalformedListsAndCpusPastTheLimit) {
    for (const char* bad : {"", "a", "3-1", "1,,2", "-1", "0-", "72"})
        EXPECT_THROW(parse_cpu_ids(bad, 72), Error) << bad;
    EXPECT_NO_THROW(parse_cpu_ids("71", 72));
}

TEST(CpuColumns, ActiveCpusByDefaultListOrAllOnRequest) {
    const auto active = [](unsigned cpu) { return cpu == 1 || cpu == 70; };
    EXPECT_EQ(cpu_columns({}, 72, active), (std::vector<unsigned>{1, 70}));
    EXPECT_EQ(cpu_columns({"", true}, 72, active).size(), 72u);
    EXPECT_EQ(cpu_columns({"0,64-65", false}, 72, active), (std::vector<unsigned>{0, 64, 65}));
    EXPECT_THROW(cpu_columns({"72", false}, 72, active), Error);
    // Nothing active: CPU 0 keeps the table's shape.
    EXPECT_EQ(cpu_columns({}, 72, [](unsigned) { return false; }), (std::vector<unsigned>{0}));
}

} // namespace
} // namespace irqlab::cli
