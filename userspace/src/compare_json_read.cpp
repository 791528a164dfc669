#include "compare_json_read.h"

#include <fmt/format.h>
#include <string_view>

namespace irqlab::cli::compare {

namespace {

// A field that is missing or of the wrong type, by its path in the document.
struct BadField {
    std::string path;
};

template <typename T>
T field(const nlohmann::json& parent, const std::string& where, const char* key) {
    const std::string path = where.empty() ? key : fmt::format("{}.{}", where, key);
    if (!parent.is_object() || !parent.contains(key))
        throw BadField{path};
    try {
        return parent.at(key).get<T>();
    } catch (const nlohmann::json::exception&) {
        throw BadField{path};
    }
}

// A field results saved by older versions lack.
template <typename T>
T field_or(const nlohmann::json& parent, const std::string& where, const char* key, T absent) {
    return parent.contains(key) ? field<T>(parent, where, key) : absent;
}

const nlohmann::json& object(const nlohmann::json& parent, const std::string& where,
                             const char* key) {
    const std::string path = where.empty() ? key : fmt::format("{}.{}", where, key);
    if (!parent.is_object() || !parent.contains(key) || !parent.at(key).is_object())
        throw BadField{path};
    return parent.at(key);
}

irqlab_hist_config config_from(const nlohmann::json& c, const std::string& at) {
    const auto scale = field<std::string>(c, at, "scale");
    if (scale != "log2" && scale != "linear")
        throw BadField{at + ".scale"};
    irqlab_hist_config config{};
    config.scale = scale == "log2" ? IRQLAB_HIST_LOG2 : IRQLAB_HIST_LINEAR;
    config.buckets = field<uint32_t>(c, at, "buckets");
    config.width_ns = field<uint64_t>(c, at, "width_ns");
    return config;
}

Histogram histogram_from(const nlohmann::json& h, const std::string& at) {
    Histogram out;
    out.config = config_from(object(h, at, "config"), at + ".config");
    out.count = field<uint64_t>(h, at, "count");
    out.sum_ns = field<uint64_t>(h, at, "sum_ns");
    out.min_ns = field<uint64_t>(h, at, "min_ns");
    out.max_ns = field<uint64_t>(h, at, "max_ns");
    out.overflow = field<uint64_t>(h, at, "overflow");
    out.buckets = field<std::vector<uint64_t>>(h, at, "buckets");
    if (out.buckets.size() != out.config.buckets)
        throw BadField{at + ".buckets"};
    return out;
}

PathResult path_from(const nlohmann::json& p, const std::string& at) {
    PathResult out;
    out.available = field<bool>(p, at, "available");
    if (!out.available) {
        out.why_unavailable = field<std::string>(p, at, "why_unavailable");
        return out;
    }
    out.vector = field<unsigned>(p, at, "vector");
    const nlohmann::json& acc = object(p, at, "accounting");
    const std::string acc_at = at + ".accounting";
    out.fired = field<uint64_t>(acc, acc_at, "fired");
    out.received = field<uint64_t>(acc, acc_at, "received");
    out.arrivals = field<uint64_t>(acc, acc_at, "arrivals");
    out.coalesced_triggers = field<uint64_t>(acc, acc_at, "coalesced_triggers");
    out.unexpected = field_or<uint64_t>(acc, acc_at, "unexpected", 0); // ABI 3.0 on
    out.hardirqs = field<uint64_t>(acc, acc_at, "hardirqs");
    out.served = field<uint64_t>(acc, acc_at, "served");
    out.runs = field<uint64_t>(acc, acc_at, "runs");
    out.ends = field<uint64_t>(acc, acc_at, "ends");
    out.forced_threaded = field_or<uint64_t>(acc, acc_at, "forced_threaded", 0); // ABI 5.0 on
    out.lost = field<int64_t>(acc, acc_at, "lost");
    out.accounting_note = field<std::string>(acc, acc_at, "note");
    const nlohmann::json& metrics = object(p, at, "metrics");
    for (unsigned metric = 0; metric < IRQLAB_NR_METRICS; ++metric) {
        const char* name = metric_name(metric);
        out.metrics[metric] = histogram_from(object(metrics, at + ".metrics", name),
                                             fmt::format("{}.metrics.{}", at, name));
    }
    return out;
}

CrossCheck crosscheck_from(const nlohmann::json& c, const std::string& at) {
    CrossCheck out;
    out.mechanism = field<std::string>(c, at, "mechanism");
    const std::string path = field<std::string>(c, at, "path");
    while (out.path < IRQLAB_NR_PATHS && path != path_name(out.path))
        ++out.path;
    if (out.path == IRQLAB_NR_PATHS)
        throw BadField{at + ".path"};
    const nlohmann::json& metrics = object(c, at, "metrics");
    for (unsigned metric = 0; metric < IRQLAB_NR_METRICS; ++metric) {
        const std::string m_at = fmt::format("{}.metrics.{}", at, metric_name(metric));
        const nlohmann::json& m = object(metrics, at + ".metrics", metric_name(metric));
        CrossCheck::Metric& to = out.metrics[metric];
        to.module_count = field<uint64_t>(m, m_at, "module_count");
        to.bpf_count = field<uint64_t>(m, m_at, "bpf_count");
        to.module_p50_bucket = field<int>(m, m_at, "module_p50_bucket");
        to.bpf_p50_bucket = field<int>(m, m_at, "bpf_p50_bucket");
        to.agrees = field<bool>(m, m_at, "agrees");
    }
    return out;
}

} // namespace

bool result_from_json(const nlohmann::json& j, Result& out, std::string& error) {
    Result r;
    try {
        const nlohmann::json& params = object(j, "", "params");
        Parameters& p = r.params;
        p.device = field<std::string>(params, "params", "device");
        p.trigger = field<std::string>(params, "params", "trigger");
        p.count = field<uint64_t>(params, "params", "count");
        p.duration_s = field<double>(params, "params", "duration_s");
        p.rate_hz = field<unsigned>(params, "params", "rate_hz");
        p.cpu = field<int>(params, "params", "cpu");
        p.warmup = field<uint64_t>(params, "params", "warmup");
        p.repeat = field<unsigned>(params, "params", "repeat");
        p.probe = field<std::string>(params, "params", "probe");
        p.hist = config_from(object(params, "params", "hist"), "params.hist");

        const nlohmann::json& env = object(j, "", "environment");
        r.env.kernel_release = field<std::string>(env, "environment", "kernel_release");
        r.env.preemption = field<std::string>(env, "environment", "preemption");
        r.env.hypervisor = field_or<std::string>(env, "environment", "hypervisor", "unknown");
        r.env.cpus = field<unsigned>(env, "environment", "cpus");
        r.env.module_version = field<std::string>(env, "environment", "module_version");
        r.env.timestamp = field<std::string>(env, "environment", "timestamp");
        r.env.fired_from_cpu = field<int>(env, "environment", "fired_from_cpu");

        if (!j.contains("mechanisms") || !j.at("mechanisms").is_array())
            throw BadField{"mechanisms"};
        for (size_t i = 0; i < j.at("mechanisms").size(); ++i) {
            const nlohmann::json& m = j.at("mechanisms").at(i);
            const std::string at = fmt::format("mechanisms[{}]", i);
            MechanismResult mech;
            mech.mechanism = field<unsigned>(m, at, "mechanism");
            mech.name = field<std::string>(m, at, "name");
            const nlohmann::json& paths = object(m, at, "paths");
            for (unsigned path = 0; path < IRQLAB_NR_PATHS; ++path)
                mech.paths[path] = path_from(object(paths, at + ".paths", path_name(path)),
                                             fmt::format("{}.paths.{}", at, path_name(path)));
            r.mechanisms.push_back(std::move(mech));
        }
        // With --probe bpf only; older results may lack the array.
        if (j.contains("crosschecks")) {
            if (!j.at("crosschecks").is_array())
                throw BadField{"crosschecks"};
            for (size_t i = 0; i < j.at("crosschecks").size(); ++i)
                r.crosschecks.push_back(
                    crosscheck_from(j.at("crosschecks").at(i), fmt::format("crosschecks[{}]", i)));
        }
    } catch (const BadField& bad) {
        error = fmt::format("not an irqlab compare result: '{}' is missing or not valid", bad.path);
        return false;
    }
    out = std::move(r);
    return true;
}

} // namespace irqlab::cli::compare
