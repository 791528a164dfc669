// The CLI's JSON keys and columns come from include/irqlab/schema.h: every
// schema member appears in the JSON of a record, with the record's value,
// and nothing else the schema describes is keyed by hand.
#include "userspace/src/accounting.h"
#include "userspace/src/schema_json.h"

#include <cstring>
#include <gtest/gtest.h>
#include <set>
#include <string>

namespace irqlab::cli {
namespace {

template <size_t N>
std::set<std::string> keys_of(const schema::Field (&fields)[N]) {
    std::set<std::string> keys;
    for (const auto& field : fields) {
        EXPECT_NE(std::string{field.doc}, "") << field.key << " has no doc";
        EXPECT_NE(std::string{field.column}, "") << field.key << " has no column";
        keys.insert(field.key);
    }
    EXPECT_EQ(keys.size(), N) << "a key appears twice";
    return keys;
}

std::set<std::string> keys_of(const nlohmann::json& json) {
    std::set<std::string> keys;
    for (const auto& [key, value] : json.items())
        keys.insert(key);
    return keys;
}

TEST(SchemaJson, CountersJsonHasExactlyTheSchemaKeysAndValues) {
    irqlab_counters c{};
    c.fired = 5;
    c.received = 3;
    c.handled = 3;
    c.coalesced = 1;
    c.busy = 1;
    const nlohmann::json json = counters_json(c);
    EXPECT_EQ(keys_of(json), keys_of(schema::counters_fields));
    const std::vector<uint64_t> values = schema::counters_values(c);
    ASSERT_EQ(values.size(), std::size(schema::counters_fields));
    for (size_t i = 0; i < values.size(); ++i)
        EXPECT_EQ(json.at(schema::counters_fields[i].key).get<uint64_t>(), values[i]);
    EXPECT_EQ(json.at("fired").get<uint64_t>(), 5u);
}

// Each member gets a distinct value through the uapi struct's memory, so a
// key bound to the wrong member would show.
template <typename Record, size_t N>
void expect_distinct_values(void (*put)(nlohmann::json&, const Record&),
                            const schema::Field (&fields)[N], Record record) {
    nlohmann::json json = nlohmann::json::object();
    put(json, record);
    EXPECT_EQ(keys_of(json), keys_of(fields));
    std::set<uint64_t> values;
    for (const auto& field : fields)
        values.insert(json.at(field.key).template get<uint64_t>());
    EXPECT_EQ(values.size(), N) << "two keys read the same member";
}

template <typename Record>
Record numbered() {
    Record record{};
    static_assert(sizeof(record) % sizeof(uint32_t) == 0);
    for (size_t i = 0; i < sizeof(record) / sizeof(uint32_t); ++i) {
        const auto word = static_cast<uint32_t>(i + 1);
        std::memcpy(reinterpret_cast<char*>(&record) + i * sizeof(word), &word, sizeof(word));
    }
    return record;
}

TEST(SchemaJson, EngineRecordsCarryEverySchemaKey) {
    expect_distinct_values(schema::put_line, schema::line_fields, numbered<irqlab_engine_line>());
    expect_distinct_values(schema::put_softirq_slot, schema::softirq_slot_fields,
                           numbered<irqlab_softirq_slot>());
    expect_distinct_values(schema::put_softirq_cpu, schema::softirq_cpu_fields,
                           numbered<irqlab_engine_softirqs>());
    expect_distinct_values(schema::put_pool, schema::pool_fields, numbered<irqlab_engine_pool>());
    expect_distinct_values(schema::put_workqueue, schema::workqueue_fields,
                           numbered<irqlab_engine_workqueue>());
    expect_distinct_values(schema::put_run, schema::run_fields, numbered<irqlab_run_status>());
}

TEST(SchemaJson, AddCountersSumsEveryMember) {
    irqlab_counters a = numbered<irqlab_counters>();
    const irqlab_counters b = numbered<irqlab_counters>();
    const std::vector<uint64_t> before = schema::counters_values(a);
    schema::add_counters(a, b);
    const std::vector<uint64_t> after = schema::counters_values(a);
    for (size_t i = 0; i < before.size(); ++i)
        EXPECT_EQ(after[i], 2 * before[i]) << schema::counters_fields[i].key;
}

} // namespace
} // namespace irqlab::cli
