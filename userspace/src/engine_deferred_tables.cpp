// irqlab engine workqueues|threads|napi: the engine's deferred-work tables.
#include "engine_tables.h"

#include "schema_json.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace irqlab::cli {

namespace {

std::vector<irqlab_engine_pool> all_pools(const Device& module) {
    std::vector<irqlab_engine_pool> pools;
    for (unsigned i = 0;; ++i) {
        const auto pool = module.engine_pool(i);
        if (!pool)
            return pools;
        pools.push_back(*pool);
    }
}

std::vector<irqlab_engine_workqueue> all_workqueues(const Device& module) {
    std::vector<irqlab_engine_workqueue> wqs;
    for (unsigned i = 0;; ++i) {
        const auto wq = module.engine_workqueue(i);
        if (!wq)
            return wqs;
        wqs.push_back(*wq);
    }
}

// Linux's pool naming in kworker names: "0", "0H", "0B" (BH), "u4".
std::string pool_label(const irqlab_engine_pool& pool) {
    if (pool.flags & IRQLAB_POOL_UNBOUND)
        return fmt::format("u{}{}", pool.id, pool.flags & IRQLAB_POOL_HIGHPRI ? "H" : "");
    return fmt::format("{}{}{}", pool.cpu, pool.flags & IRQLAB_POOL_BH ? "B" : "",
                       pool.flags & IRQLAB_POOL_HIGHPRI ? "H" : "");
}

std::string wq_flags(uint32_t flags) {
    static const std::pair<uint32_t, const char*> names[] = {
        {IRQLAB_WQ_UNBOUND, "UNBOUND"},
        {IRQLAB_WQ_HIGHPRI, "HIGHPRI"},
        {IRQLAB_WQ_CPU_INTENSIVE, "CPU_INTENSIVE"},
        {IRQLAB_WQ_MEM_RECLAIM, "MEM_RECLAIM"},
        {IRQLAB_WQ_BH, "BH"},
        {IRQLAB_WQ_ORDERED, "ORDERED"}};
    std::string out;
    for (const auto& [bit, name] : names) {
        if (flags & bit)
            out += out.empty() ? name : std::string{"|"} + name;
    }
    return out.empty() ? "-" : out;
}

} // namespace

void print_workqueues(const Device& module, bool json) {
    const std::vector<irqlab_engine_pool> pools = all_pools(module);
    const std::vector<irqlab_engine_workqueue> wqs = all_workqueues(module);
    if (json) {
        nlohmann::json out_pools = nlohmann::json::array();
        for (const auto& p : pools) {
            nlohmann::json entry = {{"pool", pool_label(p)},
                                    {"id", p.id},
                                    {"cpu", p.cpu},
                                    {"highpri", (p.flags & IRQLAB_POOL_HIGHPRI) != 0},
                                    {"bh", (p.flags & IRQLAB_POOL_BH) != 0},
                                    {"unbound", (p.flags & IRQLAB_POOL_UNBOUND) != 0}};
            schema::put_pool(entry, p);
            out_pools.push_back(entry);
        }
        nlohmann::json out_wqs = nlohmann::json::array();
        for (const auto& w : wqs) {
            nlohmann::json entry = {{"name", w.name}, {"flags", wq_flags(w.flags)}};
            schema::put_workqueue(entry, w);
            out_wqs.push_back(entry);
        }
        fmt::print("{}\n", nlohmann::json{{"pools", out_pools}, {"workqueues", out_wqs}}.dump(2));
        return;
    }
    // Columns and their order come from the schema (schema.h).
    fmt::print("{:<6}", "pool");
    for (const auto& field : schema::pool_fields)
        fmt::print(" {:>10}", field.column);
    fmt::print("\n");
    for (const auto& p : pools) {
        fmt::print("{:<6}", pool_label(p));
        for (const uint64_t value : schema::pool_values(p))
            fmt::print(" {:>10}", value);
        fmt::print("\n");
    }
    fmt::print("\n{:<28} {:<26}", "workqueue", "flags");
    for (const auto& field : schema::workqueue_fields)
        fmt::print(" {:>10}", field.column);
    fmt::print("\n");
    for (const auto& w : wqs) {
        fmt::print("{:<28} {:<26}", w.name, wq_flags(w.flags));
        for (const uint64_t value : schema::workqueue_values(w))
            fmt::print(" {:>10}", value);
        fmt::print("\n");
    }
}

void print_threads(const Device& module, bool json) {
    nlohmann::json out = nlohmann::json::array();
    std::vector<std::string> rows;
    for (const auto& [bdf, vector, line] : attached_vectors(module)) {
        if (!line.thread_name[0])
            continue;
        const bool oneshot = line.flags & IRQLAB_LINE_THREAD_ONESHOT;
        const bool forced = line.flags & IRQLAB_LINE_THREAD_FORCED;
        const bool fifo = line.flags & IRQLAB_LINE_THREAD_FIFO;
        const std::string flags = forced ? "forced" : oneshot ? "oneshot" : "-";
        out.push_back({{"bdf", bdf},
                       {"vector", vector},
                       {"thread", line.thread_name},
                       {"oneshot", oneshot},
                       {"forced", forced},
                       {"fifo", fifo},
                       {"masked", (line.flags & IRQLAB_LINE_MASKED) != 0},
                       {"wakeups", line.thread_wakeups},
                       {"merged", line.thread_merged},
                       {"runs", line.thread_runs}});
        rows.push_back(fmt::format("{:<36} {:<8} {:<5} {:>12} {:>12} {:>12}", line.thread_name,
                                   flags, fifo ? "FIFO" : "OTHER", line.thread_wakeups,
                                   line.thread_merged, line.thread_runs));
    }
    if (json) {
        fmt::print("{}\n", nlohmann::json{{"threads", out}}.dump(2));
        return;
    }
    if (rows.empty()) {
        fmt::print("no irq thread: attach a vector with --action thread[:oneshot]\n");
        return;
    }
    fmt::print("{:<36} {:<8} {:<5} {:>12} {:>12} {:>12}\n", "thread", "flags", "sched", "wakeups",
               "merged", "runs");
    for (const std::string& row : rows)
        fmt::print("{}\n", row);
}

void print_napi(const Device& module, bool json) {
    static const char* const buckets[IRQLAB_NAPI_HIST] = {"0",    "1",     "2-3",   "4-7",
                                                          "8-15", "16-31", "32-63", "64+"};
    nlohmann::json out = nlohmann::json::array();
    std::vector<const AttachedVector*> napi_lines;
    const std::vector<AttachedVector> lines = attached_vectors(module);
    for (const auto& attached : lines) {
        if (attached.line.action != IRQLAB_ACTION_NAPI)
            continue;
        const irqlab_engine_line& line = attached.line;
        nlohmann::json hist = nlohmann::json::object();
        for (unsigned b = 0; b < IRQLAB_NAPI_HIST; ++b)
            hist[buckets[b]] = line.napi_hist[b];
        out.push_back({{"bdf", attached.bdf},
                       {"vector", attached.vector},
                       {"weight", line.napi_weight},
                       {"events_per_irq", line.napi_events},
                       {"scheduled", line.napi_scheduled},
                       {"missed", line.napi_missed},
                       {"polls", line.napi_polls},
                       {"budget_exhausted", line.napi_budget_exhausted},
                       {"completed", line.napi_completed},
                       {"events_produced", line.napi_events_produced},
                       {"events_consumed", line.napi_events_consumed},
                       {"events_per_poll", hist}});
        napi_lines.push_back(&attached);
    }
    if (json) {
        fmt::print("{}\n", nlohmann::json{{"napi", out}}.dump(2));
        return;
    }
    if (napi_lines.empty()) {
        fmt::print("no NAPI poll: attach a vector with --action napi\n");
        return;
    }
    fmt::print("{:<26} {:>6} {:>10} {:>8} {:>10} {:>10} {:>10} {:>12} {:>12}\n", "poll", "weight",
               "scheduled", "missed", "polls", "exhausted", "completed", "produced", "consumed");
    for (const AttachedVector* attached : napi_lines) {
        const irqlab_engine_line& line = attached->line;
        fmt::print("{:<26} {:>6} {:>10} {:>8} {:>10} {:>10} {:>10} {:>12} {:>12}\n",
                   fmt::format("irqlab-{}-v{}", attached->bdf, attached->vector), line.napi_weight,
                   line.napi_scheduled, line.napi_missed, line.napi_polls,
                   line.napi_budget_exhausted, line.napi_completed, line.napi_events_produced,
                   line.napi_events_consumed);
        fmt::print("  events per poll:");
        for (unsigned b = 0; b < IRQLAB_NAPI_HIST; ++b)
            fmt::print(" {}:{}", buckets[b], line.napi_hist[b]);
        fmt::print("\n");
    }
}

} // namespace irqlab::cli
