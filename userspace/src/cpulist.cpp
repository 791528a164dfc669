#include "cpulist.h"

#include "device.h"

#include <algorithm>
#include <charconv>
#include <fmt/format.h>

namespace irqlab::cli {

namespace {

unsigned parse_cpu(std::string_view text, const std::string& list, unsigned limit) {
    unsigned cpu = 0;
    const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), cpu);
    if (err != std::errc{} || end != text.data() + text.size() || text.empty() || cpu >= limit)
        throw Error{
            fmt::format("'{}' is not a CPU list of CPUs 0-{} (e.g. 0-3,6)", list, limit - 1)};
    return cpu;
}

} // namespace

std::vector<unsigned> parse_cpu_ids(const std::string& list, unsigned limit) {
    std::vector<unsigned> cpus;
    std::string_view rest{list};
    while (!rest.empty()) {
        const size_t comma = rest.find(',');
        const std::string_view item = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        const size_t dash = item.find('-');
        const unsigned first = parse_cpu(item.substr(0, dash), list, limit);
        const unsigned last =
            dash == std::string_view::npos ? first : parse_cpu(item.substr(dash + 1), list, limit);
        if (last < first)
            throw Error{fmt::format("'{}': range {}-{} runs backwards", list, first, last)};
        for (unsigned cpu = first; cpu <= last; ++cpu)
            cpus.push_back(cpu);
    }
    if (cpus.empty())
        throw Error{"empty CPU list"};
    std::sort(cpus.begin(), cpus.end());
    cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
    return cpus;
}

std::string format_cpu_ids(const std::vector<unsigned>& cpus) {
    std::string out;
    for (size_t i = 0; i < cpus.size();) {
        size_t last = i;
        while (last + 1 < cpus.size() && cpus[last + 1] == cpus[last] + 1)
            ++last;
        out += out.empty() ? "" : ",";
        out += last == i ? fmt::format("{}", cpus[i]) : fmt::format("{}-{}", cpus[i], cpus[last]);
        i = last + 1;
    }
    return out.empty() ? "-" : out;
}

} // namespace irqlab::cli
