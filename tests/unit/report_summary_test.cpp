// 'irqlab report --summary': the ratio matrix of the first result, flagged
// outside 0.8-1.2, and one accounting verdict per result.
#include "userspace/src/report_summary.h"

#include "compare_sample.h"

#include <gtest/gtest.h>

#include <string>

namespace irqlab::cli::report {
namespace {

using compare::capture;
using compare::sample_result;

// The text of the line that starts with 'prefix'.
std::string line_of(const std::string& text, const std::string& prefix) {
    const size_t at = text.find("\n" + prefix);
    if (at == std::string::npos)
        return {};
    const size_t end = text.find('\n', at + 1);
    return text.substr(at + 1, end - at - 1);
}

TEST(ReportSummary, RatiosKeepFourCharactersAndFlagTheUnalike) {
    EXPECT_EQ(summary_ratio(1.0), "1.00 ");
    EXPECT_EQ(summary_ratio(0.8), "0.80 ");
    EXPECT_EQ(summary_ratio(1.2), "1.20 ");
    EXPECT_EQ(summary_ratio(0.79), "0.79*");
    EXPECT_EQ(summary_ratio(8.65), "8.65*");
    EXPECT_EQ(summary_ratio(12.34), "12.3*");
    EXPECT_EQ(summary_ratio(150.2), "150*");
}

TEST(ReportSummary, MatrixOfTheFirstResultAndAVerdictPerResult) {
    Input device{"results/x/ivshmem-device.json", sample_result()};
    Input external{"results/x/ivshmem-external.json", sample_result()};
    compare::PathResult& engine = external.result.mechanisms[0].paths[IRQLAB_PATH_ENGINE];
    engine.fired = 2000;
    engine.coalesced_triggers = 3;
    engine.unexpected = 1;
    engine.lost = 2;
    const std::string text = capture([&](std::FILE* out) {
        print_summary(out, {device, external});
    });

    EXPECT_NE(text.find("ivshmem-device: device trigger, Linux 6.12.9-amd64 (tcg)\n"),
              std::string::npos)
        << text;
    // tasklet deferral: engine p50 1,755 ns vs native 755 ns (2.32, flagged);
    // p99 both in the 4.5 us sample's bucket. End-to-end 3.5 vs 2.5 us.
    const std::string tasklet = line_of(text, "tasklet ");
    EXPECT_NE(tasklet.find("2.32*/"), std::string::npos) << text;
    EXPECT_EQ(tasklet.substr(0, 15), "tasklet        ") << text;
    // No delivery samples (no t0 in the sample): a dash.
    EXPECT_EQ(tasklet.substr(15, 1), "-") << text;
    // wq-bh's native path is unavailable: no ratios at all.
    EXPECT_EQ(line_of(text, "wq-bh ").find('/'), std::string::npos) << text;

    EXPECT_EQ(line_of(text, "accounting"),
              "accounting           fired  received dev-merged unexpected  verdict")
        << text;
    EXPECT_EQ(line_of(text, "ivshmem-device "),
              "ivshmem-device         303       303          0          0  exact")
        << text;
    EXPECT_EQ(line_of(text, "ivshmem-external "),
              "ivshmem-external      2202       303          3          1  2 LOST")
        << text;
    // Every line fits an 80-column terminal.
    size_t start = 0;
    for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
        EXPECT_LE(end - start, 80u) << text.substr(start, end - start);
}

TEST(ReportSummary, VerdictSaysWhetherTheProbesAgreed) {
    compare::Result r = sample_result();
    EXPECT_EQ(accounting_verdict(r), "exact");
    compare::CrossCheck check;
    check.mechanism = "tasklet";
    for (compare::CrossCheck::Metric& m : check.metrics)
        m.agrees = true;
    r.crosschecks = {check, check};
    EXPECT_EQ(accounting_verdict(r), "exact; BPF agrees");
    r.crosschecks[1].metrics[IRQLAB_METRIC_HARDIRQ].agrees = false;
    EXPECT_EQ(accounting_verdict(r), "exact; BPF DISAGREES");
}

// Nothing in the box fires an external trigger: no fired or unexpected
// figures, only what arrived.
TEST(ReportSummary, AnExternalTriggerShowsWhatArrived) {
    Input external{"ivshmem-external.json", sample_result()};
    external.result.params.trigger = "external";
    for (compare::MechanismResult& m : external.result.mechanisms)
        for (compare::PathResult& path : m.paths)
            path.fired = 0, path.unexpected = path.received;
    const std::string text = capture([&](std::FILE* out) { print_summary(out, {external}); });
    EXPECT_EQ(line_of(text, "ivshmem-external "),
              "ivshmem-external         -       303          0          -  exact")
        << text;
}

} // namespace
} // namespace irqlab::cli::report
