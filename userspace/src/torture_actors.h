// irqlab torture's actors: each runs in its own thread until the torture
// stops, drawing its choices from its own seeded stream (torture_plan.h).
// An actor that meets a failure records it (Shared::fail) and returns.
#pragma once

#include "torture_state.h"

namespace irqlab::cli::torture {

// Firing runs of random vectors, sizes, rates, triggers and target CPUs on
// one device, one run at a time (the module's rule); after each run, its
// vectors' native accounting must balance.
void fire_actor(Shared& shared, DeviceState& device);

// Attach and detach on one device: engine lines of every action and flow,
// and native mechanisms; some while the vector fires. A line detached while
// its vector is quiet is flushed and checked first (torture_identities.h).
void line_actor(Shared& shared, DeviceState& device);

// Random CPU sets for random vectors, every --shuffle-interval.
void affinity_actor(Shared& shared);

// A random CPU offline and back online, every --onoff-interval.
void onoff_actor(Shared& shared);

// The engine's forced threading on and off, every --config-interval.
void config_actor(Shared& shared);

// Detaches whatever is attached on the device, checking every line and
// mechanism as a quiet detach does (after the actors stopped).
void detach_all(Shared& shared, DeviceState& device, Beat& beat);

// Writes 0 or 1 to CPU 'cpu''s online file; false when refused.
bool set_cpu_online(unsigned cpu, bool online);

} // namespace irqlab::cli::torture
