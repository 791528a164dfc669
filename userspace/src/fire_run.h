// Firing runs as 'fire' and 'compare' drive them: trigger names, and
// waiting for a run to end, turning Ctrl-C (and SIGTERM) into a stop.
#pragma once

#include "device.h"

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace irqlab::cli {

// "device", "ipi", "external".
const std::map<std::string, irqlab_trigger>& trigger_names();
const char* run_state_name(uint32_t state);

// Polls until the device's run is no longer running. At 'stop_at' (if
// given) or on Ctrl-C, stops the run and goes on waiting for it to end.
irqlab_run_status wait_for_run(const Device& module, const std::string& bdf,
                               std::optional<std::chrono::steady_clock::time_point> stop_at = {});

// True once Ctrl-C or SIGTERM stopped a run: the caller should give up.
bool run_interrupted();

} // namespace irqlab::cli
