// The CLI's side of include/irqlab/schema.h: JSON keys and column names of
// every record come from the schema's lists, never from hand-written keys.
#pragma once

#include "irqlab/uapi.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

namespace irqlab::cli::schema {

// One member of a schema list, as the CLI shows it.
struct Field {
    const char* key;    // JSON key, the C member's name
    const char* column; // table column header
    const char* doc;    // what it counts
};

#define IRQLAB_CLI_FIELD(type, name, column, doc) Field{#name, column, doc},
inline constexpr Field counters_fields[] = {IRQLAB_COUNTERS_FIELDS(IRQLAB_CLI_FIELD)};
inline constexpr Field run_fields[] = {IRQLAB_RUN_FIELDS(IRQLAB_CLI_FIELD)};
inline constexpr Field line_fields[] = {IRQLAB_LINE_IRQ_FIELDS(IRQLAB_CLI_FIELD)
                                            IRQLAB_LINE_DEFERRED_FIELDS(IRQLAB_CLI_FIELD)};
inline constexpr Field softirq_slot_fields[] = {IRQLAB_SOFTIRQ_SLOT_FIELDS(IRQLAB_CLI_FIELD)};
inline constexpr Field softirq_cpu_fields[] = {IRQLAB_SOFTIRQ_CPU_FIELDS(IRQLAB_CLI_FIELD)};
inline constexpr Field pool_fields[] = {IRQLAB_POOL_GAUGE_FIELDS(IRQLAB_CLI_FIELD)
                                            IRQLAB_POOL_COUNTER_FIELDS(IRQLAB_CLI_FIELD)};
inline constexpr Field workqueue_fields[] = {IRQLAB_WQ_GAUGE_FIELDS(IRQLAB_CLI_FIELD)
                                                 IRQLAB_WQ_COUNTER_FIELDS(IRQLAB_CLI_FIELD)};
#undef IRQLAB_CLI_FIELD

// put_*(out, record): sets out[key] = record.key for every member of the list.
#define IRQLAB_CLI_PUT(type, name, column, doc) out[#name] = record.name;
inline void put_counters(nlohmann::json& out, const irqlab_counters& record) {
    IRQLAB_COUNTERS_FIELDS(IRQLAB_CLI_PUT)
}
inline void put_run(nlohmann::json& out, const irqlab_run_status& record) {
    IRQLAB_RUN_FIELDS(IRQLAB_CLI_PUT)
}
inline void put_line(nlohmann::json& out, const irqlab_engine_line& record) {
    IRQLAB_LINE_IRQ_FIELDS(IRQLAB_CLI_PUT)
    IRQLAB_LINE_DEFERRED_FIELDS(IRQLAB_CLI_PUT)
}
inline void put_softirq_slot(nlohmann::json& out, const irqlab_softirq_slot& record) {
    IRQLAB_SOFTIRQ_SLOT_FIELDS(IRQLAB_CLI_PUT)
}
inline void put_softirq_cpu(nlohmann::json& out, const irqlab_engine_softirqs& record) {
    IRQLAB_SOFTIRQ_CPU_FIELDS(IRQLAB_CLI_PUT)
}
inline void put_pool(nlohmann::json& out, const irqlab_engine_pool& record) {
    IRQLAB_POOL_GAUGE_FIELDS(IRQLAB_CLI_PUT)
    IRQLAB_POOL_COUNTER_FIELDS(IRQLAB_CLI_PUT)
}
inline void put_workqueue(nlohmann::json& out, const irqlab_engine_workqueue& record) {
    IRQLAB_WQ_GAUGE_FIELDS(IRQLAB_CLI_PUT)
    IRQLAB_WQ_COUNTER_FIELDS(IRQLAB_CLI_PUT)
}
#undef IRQLAB_CLI_PUT

// *_values(record): the members in schema order, for table rows whose
// headers are the *_fields columns.
#define IRQLAB_CLI_VALUE(type, name, column, doc) uint64_t{record.name},
inline std::vector<uint64_t> counters_values(const irqlab_counters& record) {
    return {IRQLAB_COUNTERS_FIELDS(IRQLAB_CLI_VALUE)};
}
inline std::vector<uint64_t> pool_values(const irqlab_engine_pool& record) {
    return {IRQLAB_POOL_GAUGE_FIELDS(IRQLAB_CLI_VALUE)
                IRQLAB_POOL_COUNTER_FIELDS(IRQLAB_CLI_VALUE)};
}
inline std::vector<uint64_t> workqueue_values(const irqlab_engine_workqueue& record) {
    return {IRQLAB_WQ_GAUGE_FIELDS(IRQLAB_CLI_VALUE) IRQLAB_WQ_COUNTER_FIELDS(IRQLAB_CLI_VALUE)};
}
#undef IRQLAB_CLI_VALUE

// a += b for every counter of a vector.
inline void add_counters(irqlab_counters& a, const irqlab_counters& b) {
#define IRQLAB_CLI_ADD(type, name, column, doc) a.name += b.name;
    IRQLAB_COUNTERS_FIELDS(IRQLAB_CLI_ADD)
#undef IRQLAB_CLI_ADD
}

} // namespace irqlab::cli::schema
