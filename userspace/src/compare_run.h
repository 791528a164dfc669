// Running `irqlab compare`: every chosen mechanism once through the engine
// and once through the native kernel, on two vectors of one device fired
// in the same run, measured by the module (and by BPF with --probe bpf).
#pragma once

#include "compare_model.h"
#include "device.h"

#include <string>
#include <vector>

namespace irqlab::cli::compare {

struct MechanismInfo {
    unsigned id;      // enum irqlab_mechanism
    const char* name; // as the CLI spells it
    const char* what;
};

// Every mechanism, in the order compare runs them.
const std::vector<MechanismInfo>& mechanisms();
// Throws Error naming the valid ones.
unsigned mechanism_id(const std::string& name);
const char* mechanism_name(unsigned id);
// enum irqlab_metric by its name (metric_name()); throws Error naming the
// valid ones.
unsigned metric_id(const std::string& name);

struct RunOptions {
    Parameters params;
    std::vector<unsigned> mechanisms; // empty: all
    unsigned engine_vector = 0;
    unsigned native_vector = 1;
    bool progress = true; // one line per phase on stderr
};

// Claims nothing: the device must be claimed. Leaves no vector attached,
// also when it throws.
Result run(const Device& module, const RunOptions& options);

} // namespace irqlab::cli::compare
