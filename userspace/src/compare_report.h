// The reports of 'irqlab compare': the side-by-side table, text histograms,
// JSON, CSV and a gnuplot chart of one Result (compare_model.h).
#pragma once

#include "compare_model.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

namespace irqlab::cli::compare {

// Nanoseconds as the reports show them: microseconds, two decimals below
// 100 us, one above.
std::string format_us(uint64_t ns);

// A histogram bucket bound with the unit that keeps it short: ns below
// 1 us, then us, ms and s ("512 ns", "2.05 ms", "2147.48 s"), so a log2
// layout's far end reads as what it is.
std::string format_bound(uint64_t ns);

// Per mechanism: engine and native percentiles of every metric, in
// microseconds, their ratios, and each path's accounting.
void print_table(std::FILE* out, const Result& r);

// One metric (enum irqlab_metric) of every mechanism and path, as bars.
void print_histograms(std::FILE* out, const Result& r, unsigned metric);

// Everything the run measured. Histogram buckets are plain counts; their
// bounds follow from "config" as include/irqlab/uapi.h describes.
nlohmann::json to_json(const Result& r);

// One row per mechanism, path and metric, after a header line.
void write_csv(std::FILE* out, const Result& r);

// The metric the charts show: end-to-end, unless no mechanism has the
// trigger's time (t0; an external trigger does not give it): then deferral.
unsigned plotted_metric(const Result& r);

// A PNG of the p50 and p99 latencies, drawn by gnuplot. Returns 0, or
// nonzero with 'error' set.
int write_plot(const Result& r, const std::string& png_path, std::string& error);

} // namespace irqlab::cli::compare
