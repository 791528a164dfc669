// Drawing a PNG with gnuplot, for the charts of 'irqlab compare' and
// 'irqlab report'.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace irqlab::cli {

// A gnuplot string literal: single quotes take everything but themselves.
std::string gnuplot_quoted(const std::string& text);

// One series of a clustered bar chart: its legend and colour (empty:
// gnuplot's own).
struct BarSeries {
    std::string title;
    std::string colour;
};

// A data cell of such a chart: " 12.345" (microseconds), or " -" for no
// value, as zero cannot sit on a log axis either (gnuplot leaves a gap).
std::string latency_cell(uint64_t ns);

// A script drawing 'data' (one line per cluster: its name, then a
// latency_cell() per series) as clustered bars on a log scale of
// microseconds, 'width' pixels wide, into 'png_path'.
std::string latency_bars_script(const std::string& terminal, const std::string& png_path,
                                unsigned width, const std::string& title, const std::string& data,
                                const std::vector<BarSeries>& series);

// Runs the script 'script_for(terminal)' makes, for the pngcairo terminal
// and, when that draws nothing (a gnuplot built without cairo), for the
// libgd one. Returns 0 once 'png_path' holds an image, or nonzero with
// 'error' set (gnuplot's own messages, or that it is not installed).
int draw_png(const std::function<std::string(const std::string& terminal)>& script_for,
             const std::string& png_path, std::string& error);

} // namespace irqlab::cli
