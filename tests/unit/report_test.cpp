// 'irqlab report': a saved compare result read back as it was written, the
// parameters that make two results incomparable, and the side-by-side
// rows, ratios, tables, JSON, CSV and plot of several results.
#include "userspace/src/compare_json_read.h"
#include "userspace/src/compare_report.h"
#include "userspace/src/hypervisor.h"
#include "userspace/src/report.h"

#include "compare_sample.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>

namespace irqlab::cli {
namespace {

using compare::Histogram;
using compare::Result;

TEST(CompareJsonRead, ReadsBackWhatCompareWrote) {
    const Result written = compare::sample_result();
    Result read;
    std::string error;
    ASSERT_TRUE(compare::result_from_json(compare::to_json(written), read, error)) << error;
    // The probes' overhead and histograms are not read back; the rest is.
    Result expected = written;
    expected.overhead.clear();
    for (compare::MechanismResult& m : expected.mechanisms)
        for (compare::PathResult& p : m.paths)
            p.bpf.reset();
    EXPECT_EQ(compare::to_json(read).dump(), compare::to_json(expected).dump());
    EXPECT_EQ(read.mechanisms[1].paths[IRQLAB_PATH_NATIVE].why_unavailable,
              "BH workqueues need Linux 6.9");
}

TEST(CompareJsonRead, ReadsBackTheProbesCrossChecks) {
    Result written = compare::sample_result();
    compare::CrossCheck check;
    check.mechanism = "tasklet";
    check.path = IRQLAB_PATH_NATIVE;
    for (compare::CrossCheck::Metric& m : check.metrics)
        m = {100, 100, 2, 2, true};
    check.metrics[IRQLAB_METRIC_RUNTIME] = {100, 99, 2, 3, false};
    written.crosschecks.push_back(check);
    Result read;
    std::string error;
    ASSERT_TRUE(compare::result_from_json(compare::to_json(written), read, error)) << error;
    ASSERT_EQ(read.crosschecks.size(), 1u);
    EXPECT_EQ(read.crosschecks[0].path, unsigned{IRQLAB_PATH_NATIVE});
    EXPECT_FALSE(read.crosschecks[0].agrees());
    EXPECT_EQ(read.crosschecks[0].metrics[IRQLAB_METRIC_RUNTIME].bpf_count, 99u);
    EXPECT_EQ(compare::to_json(read)["crosschecks"], compare::to_json(written)["crosschecks"]);

    nlohmann::json bad = compare::to_json(written);
    bad["crosschecks"][0]["path"] = "elsewhere";
    EXPECT_FALSE(compare::result_from_json(bad, read, error));
    EXPECT_NE(error.find("crosschecks[0].path"), std::string::npos) << error;
}

// Results saved before the hypervisor was recorded still read.
TEST(CompareJsonRead, AnOlderResultHasAnUnknownHypervisor) {
    nlohmann::json j = compare::to_json(compare::sample_result());
    j["environment"].erase("hypervisor");
    Result read;
    std::string error;
    ASSERT_TRUE(compare::result_from_json(j, read, error)) << error;
    EXPECT_EQ(read.env.hypervisor, "unknown");
}

TEST(Hypervisor, SignaturesHaveShortNames) {
    EXPECT_EQ(hypervisor_name("KVMKVMKVM"), "kvm");
    EXPECT_EQ(hypervisor_name("TCGTCGTCGTCG"), "tcg");
    EXPECT_EQ(hypervisor_name("Microsoft Hv"), "hyper-v");
    EXPECT_EQ(hypervisor_name("ACRNACRNACRN"), "ACRNACRNACRN");
    EXPECT_EQ(hypervisor_name(""), "unknown hypervisor");
}

TEST(CompareJsonRead, NamesTheFieldThatIsMissingOrWrong) {
    nlohmann::json j = compare::to_json(compare::sample_result());
    Result read;
    std::string error;

    nlohmann::json no_trigger = j;
    no_trigger["params"].erase("trigger");
    EXPECT_FALSE(compare::result_from_json(no_trigger, read, error));
    EXPECT_NE(error.find("'params.trigger'"), std::string::npos) << error;

    nlohmann::json bad_buckets = j;
    bad_buckets["mechanisms"][0]["paths"]["native"]["metrics"]["deferral"]["buckets"] = {1, 2};
    EXPECT_FALSE(compare::result_from_json(bad_buckets, read, error));
    EXPECT_NE(error.find("'mechanisms[0].paths.native.metrics.deferral.buckets'"),
              std::string::npos)
        << error;

    nlohmann::json bad_scale = j;
    bad_scale["params"]["hist"]["scale"] = "cubic";
    EXPECT_FALSE(compare::result_from_json(bad_scale, read, error));
    EXPECT_NE(error.find("'params.hist.scale'"), std::string::npos) << error;

    EXPECT_FALSE(compare::result_from_json(nlohmann::json::array(), read, error));
    EXPECT_NE(error.find("'params'"), std::string::npos) << error;
}

TEST(Report, ParametersThatChangeAFigureAreIncompatible) {
    const compare::Parameters base = compare::sample_result().params;
    compare::Parameters other = base;
    other.device = "0000:00:05.0"; // another box's address: comparable
    other.probe = "bpf";
    EXPECT_EQ(report::incompatibility(base, other), "");
    other.trigger = "ipi";
    other.hist.width_ns = 500;
    const std::string why = report::incompatibility(base, other);
    EXPECT_NE(why.find("trigger device vs ipi"), std::string::npos) << why;
    EXPECT_NE(why.find("--hist linear:1000:8 vs linear:500:8"), std::string::npos) << why;
    other = base;
    other.count = 0;
    other.duration_s = 2;
    EXPECT_NE(report::incompatibility(base, other).find("run length"), std::string::npos);
}

// The sample, and a second kernel's where tasklet's native deferral is
// twice as long and the kernel has no wq-bh at all.
std::vector<report::Input> two_kernels() {
    report::Input first{"a.json", compare::sample_result()};
    report::Input second{"b.json", compare::sample_result()};
    second.result.env.kernel_release = "6.1.0-57-amd64";
    Histogram& deferral =
        second.result.mechanisms[0].paths[IRQLAB_PATH_NATIVE].metrics[IRQLAB_METRIC_DEFERRAL];
    deferral = compare::layout(IRQLAB_HIST_LINEAR, 8, 1000);
    compare::add(deferral, 1000, 100);
    compare::add(deferral, 4500, 1);
    second.result.mechanisms.pop_back();
    return {first, second};
}

TEST(Report, RowsCoverEveryMeasuredFigureWithRatiosToTheFirst) {
    const std::vector<report::Input> inputs = two_kernels();
    const std::vector<report::Row> rows = report::rows(inputs, std::nullopt);
    // tasklet: deferral and end-to-end on both paths; wq-bh: the engine's
    // deferral and end-to-end, in the first result only.
    ASSERT_EQ(rows.size(), 6u);
    const report::Row& native_deferral = rows[2];
    EXPECT_EQ(native_deferral.mechanism, "tasklet");
    EXPECT_EQ(native_deferral.path, unsigned{IRQLAB_PATH_NATIVE});
    EXPECT_EQ(native_deferral.metric, unsigned{IRQLAB_METRIC_DEFERRAL});
    const std::optional<double> r =
        report::ratio(native_deferral.cells[1], native_deferral.cells[0], 0.50);
    ASSERT_TRUE(r);
    EXPECT_GT(*r, 1.0);
    EXPECT_EQ(native_deferral.cells[1]->percentile_ns(0.50),
              static_cast<uint64_t>(*r * native_deferral.cells[0]->percentile_ns(0.50) + 0.5));
    EXPECT_EQ(rows[4].mechanism, "wq-bh");
    EXPECT_EQ(rows[4].cells[1], nullptr);
    EXPECT_FALSE(report::ratio(rows[4].cells[1], rows[4].cells[0], 0.50));
    EXPECT_EQ(report::rows(inputs, IRQLAB_METRIC_DEFERRAL).size(), 3u);
}

TEST(Report, TablesJsonAndCsvShowEveryResult) {
    const std::vector<report::Input> inputs = two_kernels();
    const std::vector<report::Row> rows = report::rows(inputs, std::nullopt);
    const std::string text =
        compare::capture([&](std::FILE* out) { report::print_report(out, inputs, rows); });
    EXPECT_NE(text.find("2 compare results, ratios to result 1"), std::string::npos) << text;
    EXPECT_NE(text.find("6.1.0-57-amd64"), std::string::npos) << text;
    EXPECT_NE(text.find("b.json"), std::string::npos) << text;
    EXPECT_NE(text.find("\np50 (us"), std::string::npos) << text;
    EXPECT_NE(text.find("\np99 (us"), std::string::npos) << text;
    EXPECT_EQ(text.find("different hypervisors"), std::string::npos) << text;
    const nlohmann::json j = report::to_json(inputs, rows);
    EXPECT_EQ(j["results"].size(), 2u);
    EXPECT_EQ(j["rows"].size(), rows.size());
    EXPECT_TRUE(j["rows"][4]["results"][1].is_null());
    EXPECT_GT(j["rows"][2]["results"][1]["p50_ratio"].get<double>(), 1.0);
    const std::string csv =
        compare::capture([&](std::FILE* out) { report::write_csv(out, inputs, rows); });
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), static_cast<long>(1 + 2 * rows.size()));
}

TEST(Report, SaysWhenResultsRanUnderDifferentHypervisors) {
    std::vector<report::Input> inputs = two_kernels();
    inputs[1].result.env.hypervisor = "kvm";
    const std::string text = compare::capture([&](std::FILE* out) {
        report::print_report(out, inputs, report::rows(inputs, std::nullopt));
    });
    EXPECT_NE(text.find("tcg"), std::string::npos) << text;
    EXPECT_NE(text.find("different hypervisors"), std::string::npos) << text;
}

TEST(Report, PlotWritesPng) {
    if (!compare::gnuplot_installed())
        GTEST_SKIP() << "gnuplot not installed (scripts/deps.sh check)";
    const std::string png =
        testing::TempDir() + "irqlab_report_" + std::to_string(getpid()) + ".png";
    std::string error;
    ASSERT_EQ(report::write_plot(two_kernels(), png, error), 0) << error;
    std::ifstream file{png, std::ios::binary};
    const std::string bytes{std::istreambuf_iterator<char>{file}, {}};
    std::remove(png.c_str());
    ASSERT_GT(bytes.size(), 8u);
    EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}

} // namespace
} // namespace irqlab::cli
