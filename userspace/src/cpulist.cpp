#include "cpulist.h"

#include "device.h"

#include <charconv>
#include <fmt/format.h>

namespace irqlab::cli {

namespace {

unsigned parse_cpu(std::string_view text, const std::string& list) {
    unsigned cpu = 0;
    const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), cpu);
    if (err != std::errc{} || end != text.data() + text.size() || text.empty() || cpu > 63)
        throw Error{fmt::format("'{}' is not a CPU list of CPUs 0-63 (e.g. 0-3,6)", list)};
    return cpu;
}

} // namespace

uint64_t parse_cpu_list(const std::string& list) {
    uint64_t mask = 0;
    std::string_view rest{list};
    while (!rest.empty()) {
        const size_t comma = rest.find(',');
        const std::string_view item = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        const size_t dash = item.find('-');
        const unsigned first = parse_cpu(item.substr(0, dash), list);
        const unsigned last =
            dash == std::string_view::npos ? first : parse_cpu(item.substr(dash + 1), list);
        if (last < first)
            throw Error{fmt::format("'{}': range {}-{} runs backwards", list, first, last)};
        for (unsigned cpu = first; cpu <= last; ++cpu)
            mask |= uint64_t{1} << cpu;
    }
    if (!mask)
        throw Error{"empty CPU list"};
    return mask;
}

std::string format_cpu_list(uint64_t mask) {
    std::string out;
    for (unsigned cpu = 0; cpu < 64; ++cpu) {
        if (!(mask >> cpu & 1))
            continue;
        unsigned last = cpu;
        while (last + 1 < 64 && (mask >> (last + 1) & 1))
            ++last;
        out += out.empty() ? "" : ",";
        out += last == cpu ? fmt::format("{}", cpu) : fmt::format("{}-{}", cpu, last);
        cpu = last;
    }
    return out.empty() ? "-" : out;
}

} // namespace irqlab::cli
