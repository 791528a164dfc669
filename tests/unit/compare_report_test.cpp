// 'irqlab compare' reports: the histogram math (percentiles, bucket bounds)
// and what the table, histograms, JSON, CSV and plot make of a Result.
#include "userspace/src/compare_report.h"

#include "compare_sample.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <sstream>
#include <string>
#include <unistd.h>

namespace irqlab::cli::compare {
namespace {

TEST(CompareHistogram, LinearBucketBounds) {
    const Histogram h = layout(IRQLAB_HIST_LINEAR, 10, 1000);
    EXPECT_EQ(h.bucket_low_ns(0), 0u);
    EXPECT_EQ(h.bucket_high_ns(0), 1000u);
    EXPECT_EQ(h.bucket_low_ns(3), 3000u);
    EXPECT_EQ(h.bucket_high_ns(3), 4000u);
}

TEST(CompareHistogram, Log2BucketBounds) {
    const Histogram h = layout(IRQLAB_HIST_LOG2, 64, 1000);
    EXPECT_EQ(h.bucket_low_ns(0), 0u);
    EXPECT_EQ(h.bucket_high_ns(0), 1000u);
    EXPECT_EQ(h.bucket_low_ns(1), 1000u);
    EXPECT_EQ(h.bucket_high_ns(1), 2000u);
    EXPECT_EQ(h.bucket_low_ns(3), 4000u);
    EXPECT_EQ(h.bucket_high_ns(3), 8000u);
    // Past 2^64 the bounds saturate rather than wrap.
    EXPECT_EQ(h.bucket_high_ns(63), UINT64_MAX);
}

TEST(CompareHistogram, LinearPercentiles) {
    Histogram h = layout(IRQLAB_HIST_LINEAR, 10, 1000);
    add(h, 1100, 50);
    add(h, 2500, 40);
    add(h, 3500, 9);
    add(h, 50000, 1); // overflow
    ASSERT_EQ(h.overflow, 1u);
    EXPECT_EQ(h.percentile_ns(0.50), 2000u);
    EXPECT_EQ(h.percentile_ns(0.90), 3000u);
    EXPECT_EQ(h.percentile_ns(0.99), 4000u);
    EXPECT_EQ(h.percentile_ns(0.999), 50000u); // in the overflow: max
    EXPECT_EQ(h.percentile_ns(1.0), 50000u);
    EXPECT_EQ(h.percentile_bucket(0.50), 1);
    EXPECT_EQ(h.percentile_bucket(0.99), 3);
    EXPECT_EQ(h.percentile_bucket(1.0), 10); // the overflow
}

TEST(CompareHistogram, Log2PercentilesInterpolateWithinTheBucket) {
    Histogram h = layout(IRQLAB_HIST_LOG2, 8, 1000);
    add(h, 1200, 10);
    add(h, 3000, 80);
    add(h, 7000, 10);
    // Interpolated: the 50th of 100 is the 40th of 80 in [2000, 4000).
    EXPECT_EQ(h.percentile_ns(0.50), 3000u);
    EXPECT_EQ(h.percentile_ns(0.90), 4000u);
    // The 9th of 10 in [4000, 8000), narrowed to [4000, 7000]: max.
    EXPECT_EQ(h.percentile_ns(0.99), 6700u);
}

TEST(CompareHistogram, EmptyAndOverflowOnly) {
    Histogram h = layout(IRQLAB_HIST_LINEAR, 4, 1000);
    EXPECT_EQ(h.percentile_ns(0.5), 0u);
    EXPECT_EQ(h.percentile_bucket(0.5), -1);
    add(h, 123456, 5);
    EXPECT_EQ(h.percentile_ns(0.5), 123456u);
}

TEST(CompareHistogram, FromUapi) {
    irqlab_hist raw{};
    raw.config = {IRQLAB_HIST_LOG2, 3, 500};
    raw.count = 7;
    raw.sum_ns = 7000;
    raw.min_ns = 400;
    raw.max_ns = 5000;
    raw.overflow = 1;
    raw.bucket[0] = 2;
    raw.bucket[2] = 4;
    raw.bucket[3] = 99; // past config.buckets: not part of the histogram
    const Histogram h = from_uapi(raw);
    EXPECT_EQ(h.config.width_ns, 500u);
    EXPECT_EQ(h.count, 7u);
    EXPECT_EQ(h.overflow, 1u);
    EXPECT_EQ(h.buckets, (std::vector<uint64_t>{2, 0, 4}));
    EXPECT_DOUBLE_EQ(h.avg_ns(), 1000.0);
}

TEST(CompareReport, TableShowsRatiosAndAccounting) {
    const std::string table = capture([](std::FILE* out) { print_table(out, sample_result()); });
    EXPECT_NE(table.find("kernel 6.12.9-amd64"), std::string::npos) << table;
    EXPECT_NE(table.find("preemption dynamic (full) | hypervisor tcg"), std::string::npos);
    EXPECT_NE(table.find("device 0000:00:04.0"), std::string::npos);
    EXPECT_NE(table.find("101 per path"), std::string::npos);
    // deferral p50, interpolated: engine 1,755 ns in [1500, 2000], native
    // 755 ns in [500, 1000]; both max 4.5 us.
    const size_t deferral = table.find("deferral");
    ASSERT_NE(deferral, std::string::npos);
    const std::string row = table.substr(deferral, table.find('\n', deferral) - deferral);
    EXPECT_NE(row.find("2.32x"), std::string::npos) << row;
    EXPECT_NE(row.find("1.00x"), std::string::npos) << row;
    EXPECT_NE(row.find("4.50"), std::string::npos) << row;
    EXPECT_NE(table.find("native: unavailable (BH workqueues need Linux 6.9)"), std::string::npos);
    EXPECT_NE(table.find("note (native): one run still pending"), std::string::npos);
    EXPECT_NE(table.find("bh-merged"), std::string::npos);
}

// A device-trigger run whose device merged 4 triggers and which saw one
// arrival nobody fired: every term of the identity is on screen.
TEST(CompareReport, AccountingAddsUpOnScreen) {
    Result r = sample_result();
    PathResult& engine = r.mechanisms[0].paths[IRQLAB_PATH_ENGINE];
    engine.fired = 2000;
    engine.coalesced_triggers = 4;
    engine.unexpected = 1;
    engine.received = engine.hardirqs = engine.served = 1997;
    engine.runs = 1990;
    const std::string table = capture([&](std::FILE* out) { print_table(out, r); });
    const size_t header = table.find("accounting");
    ASSERT_NE(header, std::string::npos) << table;
    std::istringstream columns{table.substr(header, table.find('\n', header) - header)};
    const std::vector<std::string> names{std::istream_iterator<std::string>{columns}, {}};
    EXPECT_EQ(names,
              (std::vector<std::string>{"accounting", "fired", "dev-merged", "unexpected",
                                        "received", "handled", "runs", "bh-merged", "lost"}));
    const size_t row = table.find("  engine ", header);
    ASSERT_NE(row, std::string::npos) << table;
    std::istringstream values{table.substr(row, table.find('\n', row) - row)};
    const std::vector<std::string> cells{std::istream_iterator<std::string>{values}, {}};
    EXPECT_EQ(cells, (std::vector<std::string>{"engine", "2000", "4", "1", "1997", "1997", "1990",
                                               "7", "0"}));
}

TEST(CompareReport, TableSaysWhereAHandlerWasForcedIntoAThread) {
    Result r = sample_result();
    const std::string stock = capture([&](std::FILE* out) { print_table(out, r); });
    EXPECT_EQ(stock.find("forced into an irq thread"), std::string::npos) << stock;
    r.env.preemption = "rt";
    r.mechanisms[0].paths[IRQLAB_PATH_NATIVE].forced_threaded = 101;
    const std::string rt = capture([&](std::FILE* out) { print_table(out, r); });
    EXPECT_NE(rt.find("native: handler forced into an irq thread for 101 of 101 interrupts"),
              std::string::npos)
        << rt;
    EXPECT_EQ(rt.find("engine: handler forced"), std::string::npos) << rt;
    r.mechanisms[0].paths[IRQLAB_PATH_ENGINE].forced_threaded = 100;
    const std::string both = capture([&](std::FILE* out) { print_table(out, r); });
    EXPECT_NE(both.find("engine: handler forced into an irq thread for 100 of"), std::string::npos)
        << both;
    EXPECT_EQ(to_json(r)["mechanisms"][0]["paths"]["native"]["accounting"]["forced_threaded"], 101);
}

TEST(CompareReport, HistogramsDrawBarsAndOverflow) {
    const std::string text = capture(
        [](std::FILE* out) { print_histograms(out, sample_result(), IRQLAB_METRIC_DEFERRAL); });
    EXPECT_NE(text.find("tasklet engine deferral: 101 samples"), std::string::npos) << text;
    EXPECT_NE(text.find("[1.00 us, 2.00 us)  100  " + std::string(40, '#')), std::string::npos)
        << text;
    EXPECT_NE(text.find("[8.00 us, inf)"), std::string::npos) << text;
    EXPECT_NE(text.find("tasklet engine deferral (bpf, the run with the probes)"),
              std::string::npos);
    EXPECT_NE(text.find("wq-bh native deferral: unavailable"), std::string::npos);
}

TEST(CompareReport, BucketBoundsCarryTheirUnit) {
    EXPECT_EQ(format_bound(0), "0 ns");
    EXPECT_EQ(format_bound(512), "512 ns");
    EXPECT_EQ(format_bound(1000), "1.00 us");
    EXPECT_EQ(format_bound(2'048'000), "2.05 ms");
    // The module's default layout (log2, 32 buckets from 1 us) overflows
    // at 2^31 us: seconds, not a 10-digit count of microseconds.
    Result r = sample_result();
    r.params.hist = {IRQLAB_HIST_LOG2, 32, 1000};
    Histogram& h = r.mechanisms[0].paths[IRQLAB_PATH_ENGINE].metrics[IRQLAB_METRIC_DEFERRAL];
    h = layout(IRQLAB_HIST_LOG2, 32, 1000);
    add(h, 5000, 1);
    const std::string text =
        capture([&](std::FILE* out) { print_histograms(out, r, IRQLAB_METRIC_DEFERRAL); });
    EXPECT_NE(text.find("[4.00 us, 8.00 us)  1"), std::string::npos) << text;
    EXPECT_NE(text.find("[2147.48 s, inf)  0"), std::string::npos) << text;
}

TEST(CompareReport, JsonHasEverything) {
    const nlohmann::json j = to_json(sample_result());
    EXPECT_EQ(j["params"]["device"], "0000:00:04.0");
    EXPECT_EQ(j["params"]["hist"]["scale"], "linear");
    EXPECT_EQ(j["environment"]["kernel_release"], "6.12.9-amd64");
    EXPECT_EQ(j["environment"]["preemption"], "dynamic (full)");
    EXPECT_EQ(j["environment"]["hypervisor"], "tcg");
    EXPECT_EQ(j["environment"]["cpus"], 4);
    EXPECT_EQ(j["environment"]["module_version"], "0.9.0");
    EXPECT_EQ(j["environment"]["timestamp"], "2025-01-01T00:00:00Z");
    ASSERT_EQ(j["mechanisms"].size(), 2u);
    const nlohmann::json& engine = j["mechanisms"][0]["paths"]["engine"];
    EXPECT_TRUE(engine["available"]);
    EXPECT_EQ(engine["accounting"]["fired"], 101);
    EXPECT_EQ(engine["accounting"]["coalesced"], 1);
    const nlohmann::json& deferral = engine["metrics"]["deferral"];
    for (const char* key : {"count", "min_ns", "avg_ns", "max_ns", "p50_ns", "p90_ns", "p99_ns",
                            "p999_ns", "overflow", "config", "buckets"})
        EXPECT_TRUE(deferral.contains(key)) << key;
    EXPECT_EQ(deferral["p50_ns"], 1755);
    EXPECT_EQ(deferral["buckets"].size(), 8u);
    EXPECT_TRUE(engine.contains("bpf"));
    EXPECT_FALSE(j["mechanisms"][0]["paths"]["native"].contains("bpf"));
    const nlohmann::json& missing = j["mechanisms"][1]["paths"]["native"];
    EXPECT_FALSE(missing["available"]);
    EXPECT_EQ(missing["why_unavailable"], "BH workqueues need Linux 6.9");
    ASSERT_EQ(j["overhead"].size(), 1u);
    EXPECT_EQ(j["overhead"][0]["p50_with_ns"], 1100.0);
}

TEST(CompareReport, CsvHasOneRowPerMechanismPathAndMetric) {
    const std::string csv = capture([](std::FILE* out) { write_csv(out, sample_result()); });
    std::istringstream lines{csv};
    std::string line;
    std::vector<std::string> rows;
    while (std::getline(lines, line))
        rows.push_back(line);
    ASSERT_EQ(rows.size(), 1u + 2 * IRQLAB_NR_PATHS * IRQLAB_NR_METRICS);
    EXPECT_EQ(rows[0], "mechanism,path,metric,count,min_ns,avg_ns,max_ns,p50_ns,p90_ns,p99_ns,"
                       "p999_ns,overflow,fired,received,hardirqs,runs,lost");
    for (const std::string& row : rows)
        EXPECT_EQ(std::count(row.begin(), row.end(), ','), 16) << row;
    EXPECT_EQ(rows[2].rfind("tasklet,engine,deferral,101,", 0), 0u) << rows[2];
}

TEST(CompareReport, PlotWritesPng) {
    if (!gnuplot_installed())
        GTEST_SKIP() << "gnuplot not installed (scripts/deps.sh check)";
    const std::string png =
        testing::TempDir() + "irqlab_compare_" + std::to_string(getpid()) + ".png";
    std::string error;
    ASSERT_EQ(write_plot(sample_result(), png, error), 0) << error;
    std::ifstream file{png, std::ios::binary};
    const std::string bytes{std::istreambuf_iterator<char>{file}, {}};
    std::remove(png.c_str());
    ASSERT_GT(bytes.size(), 8u);
    EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}

TEST(CompareReport, PlotSaysWhatGnuplotSaid) {
    if (!gnuplot_installed())
        GTEST_SKIP() << "gnuplot not installed (scripts/deps.sh check)";
    std::string error;
    EXPECT_NE(write_plot(sample_result(), "/nonexistent-irqlab-dir/plot.png", error), 0);
    EXPECT_EQ(error.rfind("gnuplot failed: ", 0), 0u) << error;
    EXPECT_NE(error.find("cannot open file"), std::string::npos) << error;
    EXPECT_NE(error.back(), '\n') << error;
}

TEST(CompareReport, PlotRefusesAnEmptyResult) {
    Result empty;
    std::string error;
    EXPECT_NE(write_plot(empty, testing::TempDir() + "irqlab_never.png", error), 0);
    EXPECT_NE(error.find("nothing to plot"), std::string::npos) << error;
}

} // namespace
} // namespace irqlab::cli::compare
