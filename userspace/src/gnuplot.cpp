#include "gnuplot.h"

#include "subprocess.h"

#include <cerrno>
#include <fmt/format.h>
#include <sys/stat.h>

namespace irqlab::cli {

namespace {

// Runs gnuplot on 'script'. Returns its error messages on failure, empty on
// success; 'missing' tells that gnuplot is not installed.
std::string run_gnuplot(const std::string& script, bool& missing) {
    // With no usable output file, gnuplot writes the image to stdout: that
    // is no message to show.
    const ProcessResult ran = run_process({"gnuplot"}, script, Stdout::discard);
    missing = !ran.started && ran.error_number == ENOENT;
    if (missing)
        return "gnuplot not found (install gnuplot-nox)";
    if (!ran.started)
        return ran.error;
    if (!ran.error.empty())
        return fmt::format("running gnuplot: {}", ran.error);
    if (ran.exit_code == 0)
        return {};
    std::string said = ran.err;
    while (!said.empty() && (said.back() == '\n' || said.back() == ' '))
        said.pop_back();
    return fmt::format("gnuplot failed{}{}", said.empty() ? "" : ": ", said);
}

} // namespace

std::string gnuplot_quoted(const std::string& text) {
    std::string quoted = "'";
    for (char c : text) {
        quoted += c;
        if (c == '\'')
            quoted += '\'';
    }
    return quoted + "'";
}

std::string latency_cell(uint64_t ns) {
    return ns ? fmt::format(" {:.3f}", static_cast<double>(ns) / 1000.0) : " -";
}

std::string latency_bars_script(const std::string& terminal, const std::string& png_path,
                                unsigned width, const std::string& title, const std::string& data,
                                const std::vector<BarSeries>& series) {
    std::string plot;
    for (size_t i = 0; i < series.size(); ++i) {
        const unsigned column = static_cast<unsigned>(i) + 2;
        plot += fmt::format(
            "{}{} using {}{} title {}{}", i ? ", \\\n     " : "plot ", i ? "''" : "$data", column,
            i ? "" : ":xtic(1)", gnuplot_quoted(series[i].title),
            series[i].colour.empty() ? ""
                                     : fmt::format(" lc rgb {}", gnuplot_quoted(series[i].colour)));
    }
    return fmt::format("set terminal {} size {},900 noenhanced\n"
                       "set output {}\n"
                       "$data << EOD\n{}EOD\n"
                       "set title {}\n"
                       "set datafile missing '-'\n"
                       "set style data histogram\n"
                       "set style histogram clustered gap 1\n"
                       "set style fill solid 0.85 border -1\n"
                       "set boxwidth 0.9\n"
                       "set logscale y\n"
                       "set ylabel 'microseconds (log scale)'\n"
                       "set grid ytics\n"
                       "set key top left\n"
                       "set xtics rotate by -30\n"
                       "{}\n"
                       "unset output\n",
                       terminal, width, gnuplot_quoted(png_path), data, gnuplot_quoted(title),
                       plot);
}

int draw_png(const std::function<std::string(const std::string& terminal)>& script_for,
             const std::string& png_path, std::string& error) {
    for (const char* terminal : {"pngcairo", "png"}) {
        bool missing = false;
        error = run_gnuplot(script_for(terminal), missing);
        if (missing)
            return 1;
        struct stat st {};
        if (error.empty() && stat(png_path.c_str(), &st) == 0 && st.st_size > 0)
            return 0;
        if (error.empty())
            error = fmt::format("gnuplot wrote no image to {}", png_path);
    }
    return 1;
}

} // namespace irqlab::cli
