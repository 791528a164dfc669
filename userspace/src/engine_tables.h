// The engine's tables (irqlab engine interrupts|softirqs|tasklets|
// workqueues|threads|napi) and the names they share with 'engine attach'.
#pragma once

#include "cpu_columns.h"
#include "device.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace irqlab::cli {

extern const std::map<std::string, uint32_t> engine_flows;
extern const std::map<std::string, uint32_t> engine_simple_actions;
extern const std::map<std::string, uint32_t> engine_work_kinds;

std::string lower(std::string text);
// The engine's slot names, as the module reports them (HI, TIMER, ...).
std::vector<std::string> softirq_names(const Device& module);
// "tasklet", "softirq:net_rx", "work:unbound", "thread:oneshot", ...
std::string action_label(const irqlab_engine_line& line, const std::vector<std::string>& names);

struct AttachedVector {
    std::string bdf;
    unsigned vector;
    EngineLine line;
};

// Every claimed vector that is attached to the engine.
std::vector<AttachedVector> attached_vectors(const Device& module);
unsigned online_cpus(const Device& module);

void print_interrupts(const Device& module, bool json, const CpuColumns& columns);
void print_softirqs(const Device& module, bool json, const CpuColumns& columns);
void print_tasklets(const Device& module, bool json);
void print_workqueues(const Device& module, bool json);
void print_threads(const Device& module, bool json);
void print_napi(const Device& module, bool json);

} // namespace irqlab::cli
