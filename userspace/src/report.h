// 'irqlab report': saved 'irqlab compare' results (of any kernels, boxes,
// runs) side by side, every figure also as a ratio to the first result,
// the baseline. Pure: the results come in read (compare_json_read.h).
#pragma once

#include "compare_model.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace irqlab::cli::report {

struct Input {
    std::string file;
    compare::Result result;
};

// Why 'other' cannot stand beside 'baseline': the parameters that change
// what a figure means (trigger, run length, rate, placement, warmup,
// repeats, histogram layout) differ. Empty when they match. The device
// and the probe may differ: the same device sits at another address in
// another box, and the module's histograms are the same with either probe.
std::string incompatibility(const compare::Parameters& baseline, const compare::Parameters& other);

// One line of the report: a mechanism's path and metric in every input.
struct Row {
    std::string mechanism;
    unsigned path = 0;   // enum irqlab_path
    unsigned metric = 0; // enum irqlab_metric
    // Per input, in order; null where that result has no samples of it
    // (the kernel lacks the mechanism, the trigger gives no t0).
    std::vector<const compare::Histogram*> cells;
};

// The rows of every mechanism any input measured, in the order they first
// appear, each path and metric (only 'metric' when given); rows with no
// samples in any input are left out.
std::vector<Row> rows(const std::vector<Input>& inputs, std::optional<unsigned> metric);

// value / baseline value; nullopt when either is missing or the baseline
// is zero.
std::optional<double> ratio(const compare::Histogram* cell, const compare::Histogram* baseline,
                            double q);

// What the accounting of every path of one result came to: "exact" or
// "N lost", and ", N unexpected" when arrivals came that nobody fired.
std::string accounting_text(const compare::Result& r);

// The inputs, then the p50 and p99 tables (us, ratio to input 1).
void print_report(std::FILE* out, const std::vector<Input>& inputs, const std::vector<Row>& rows);

nlohmann::json to_json(const std::vector<Input>& inputs, const std::vector<Row>& rows);

// One line per row and input, after a header line.
void write_csv(std::FILE* out, const std::vector<Input>& inputs, const std::vector<Row>& rows);

// A PNG of each mechanism's p50 on both paths in every input (the metric
// compare's own chart shows). Returns 0, or nonzero with 'error' set.
int write_plot(const std::vector<Input>& inputs, const std::string& png_path, std::string& error);

} // namespace irqlab::cli::report
