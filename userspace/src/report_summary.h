// 'irqlab report --summary': compare results in one screen. The first
// result's engine/native ratios as a matrix (mechanism x metric, p50 and
// p99), flagged where the twins differ by more than a fifth, then one
// accounting verdict per result. make demo ends with it; the full tables
// stay in the files it names.
#pragma once

#include "report.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace irqlab::cli::report {

// Engine/native ratios inside [alike_low, alike_high] are not flagged.
inline constexpr double alike_low = 0.8;
inline constexpr double alike_high = 1.2;

// A ratio in four characters ("0.97", "12.3", "150"), flagged with '*'
// outside the alike range, else padded with a blank.
std::string summary_ratio(double ratio);

// One result's accounting over every mechanism and available path.
struct AccountingTotals {
    uint64_t fired = 0;
    uint64_t received = 0;
    uint64_t dev_merged = 0; // triggers the device merged before arrival
    uint64_t unexpected = 0; // arrivals no trigger explains
    int64_t lost = 0;        // what did not add up
};
AccountingTotals accounting_totals(const compare::Result& r);

// "exact" or "N LOST", and with the BPF probes whether they agreed
// with the module's histograms.
std::string accounting_verdict(const compare::Result& r);

void print_summary(std::FILE* out, const std::vector<Input>& inputs);

} // namespace irqlab::cli::report
