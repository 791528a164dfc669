// One fuzzed ioctl: how it is generated from a seeded stream, what the ABI
// (include/irqlab/uapi.h) allows as its outcome, and the check of the
// outcome, counted in the shared tallies.
#pragma once

#include "support.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace fuzz {

// A device the fuzzer may claim and release: the guest scenario claimed it
// before the run.
struct OwnDevice {
    std::string bdf; // "0000:00:03.0"
    uint32_t nr_vectors;
};

// What the run knows before it starts; the generators read nothing else,
// so a call depends on (seed, worker, call) only.
struct World {
    uint64_t seed = 0;
    uint32_t nr_cpu_ids = 0;
    std::vector<uint32_t> online; // online CPU ids
    std::vector<OwnDevice> own;
    std::vector<std::string> foreign; // exist, never ours: bound or no MSI-X
    std::vector<std::string> missing; // well-formed, no such device
    Shared* shared = nullptr;
    bool verbose = false;
};

// The commands, in the order of uapi.h's numbers (those of later ABI
// minors at the end); the tally kinds start with them.
enum Cmd : unsigned {
    c_version,
    c_info,
    c_claim,
    c_release,
    c_vector_info,
    c_set_affinity,
    c_fire,
    c_run_status,
    c_stop,
    c_stats,
    c_reset,
    c_list,
    c_device_caps,
    c_engine_attach,
    c_engine_detach,
    c_engine_line,
    c_engine_softirqs,
    c_engine_pool,
    c_engine_workqueue,
    c_engine_config,
    c_engine_flush,
    c_mech_attach,
    c_mech_detach,
    c_mech_stats,
    c_hist_config,
    c_hist_read,
    c_vector_route, // 5.1
};

// The tally kinds: one per command, then these.
enum ExtraKind : unsigned {
    kind_wrong_encoding = c_vector_route + 1,
    kind_unknown_command,
    kind_seq_claim,
    kind_seq_engine,
    kind_seq_mech,
    kind_seq_fire,
    kind_seq_fork_fd,
    kind_count,
};
const char* kind_name(unsigned kind);
unsigned command_count();
unsigned long command_word(unsigned kind);

// A worker's memory: one arena for the struct, one per array in it.
struct Arenas {
    Arena request;
    Arena array[2];
};

// Where a call's outcome is counted and its failure named.
struct CallId {
    unsigned worker;
    uint64_t call;
    unsigned sub;      // steps of a sequence, 0 for a single call
    unsigned seq_kind; // 0, or the sequence's tally kind
};

// Generates a random call of 'kind' (a command, kind_wrong_encoding or
// kind_unknown_command) into the arenas, issues it on 'fd' and checks it.
void fuzz_one(const World& world, Arenas& arenas, Rng& rng, int fd, unsigned kind,
              const CallId& id);

// Sequences: well-formed requests in an order that makes sense (claim,
// attach, fire, detach, release), checked against the ABI's errnos only:
// other workers change the state in between.
void run_sequence(const World& world, Arenas& arenas, Rng& rng, int fd, unsigned seq_kind,
                  const CallId& id);

// A well-formed request of command 'kind' on device 'dev' (an index into
// world.own) and 'vectors' of it, issued and checked; the sequences' steps.
int valid_call(const World& world, Arenas& arenas, Rng& rng, int fd, unsigned kind, unsigned dev,
               const CallId& id, const std::vector<uint32_t>& vectors);

} // namespace fuzz
