// A structure-aware fuzzer of /dev/irqlab, run inside the test box with
// irqlab.ko loaded and the devices it may use claimed: every command with
// boundary values per field, wrong sizes and directions, unknown numbers,
// NULL, unmapped, kernel and page-straddling pointers for requests and
// their arrays, valid sequences (claim, attach, fire, detach, release)
// from several threads and processes, and open files shared across fork
// and closed at random moments. Each outcome is checked against the ABI
// (include/irqlab/uapi.h); KTAP, one case per command and per sequence,
// each with its counts per errno.
//
// Seeded and replayable: call K of worker W depends on (seed, W, K) only;
// --replay W:K issues W's calls 0..K again, one thread, and prints each.
#include "fuzz/calls.h"
#include "fuzz/support.h"
#include "irqlab/uapi.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using namespace fuzz;

constexpr uint64_t sec = 1000000000ull;
// A call that has not returned after this long is a hang (the slowest
// legitimate ones: an engine flush gives up after 10 s, a detach waits for
// a 100 ms hold per deferred run).
constexpr uint64_t hang_ns = 60 * sec;

struct Options {
    uint64_t seed = 0;
    bool seed_given = false;
    unsigned duration_s = 120;
    unsigned threads = 3;
    unsigned procs = 2;
    std::vector<std::string> claimed, unclaimed, missing;
    bool replay = false;
    unsigned replay_worker = 0;
    uint64_t replay_call = 0;
    bool verbose = false;
};

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "irqlab-ioctl-fuzz: %s\n"
                 "usage: irqlab-ioctl-fuzz [--seed N] [--duration S] [--threads N] [--procs N]\n"
                 "         --claimed BDF... [--unclaimed BDF]... [--missing BDF]...\n"
                 "         [--replay WORKER:CALL] [--verbose]\n"
                 "  --claimed    a device the fuzzer may claim, release and fire (repeat)\n"
                 "  --unclaimed  a device that exists and is never irqlab's: bound to a\n"
                 "               driver or without MSI-X (never claimed with FORCE)\n"
                 "  --missing    a well-formed address with no device\n",
                 why);
    std::exit(2);
}

uint64_t number(const char* text, const char* what) {
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(text, &end, 0);
    if (errno || !end || *end || end == text)
        usage((std::string{"not a number for "} + what + ": " + text).c_str());
    return v;
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> const char* {
            if (i + 1 >= argc)
                usage((arg + " needs a value").c_str());
            return argv[++i];
        };
        if (arg == "--seed") {
            o.seed = number(value(), "--seed");
            o.seed_given = true;
        } else if (arg == "--duration") {
            o.duration_s = static_cast<unsigned>(number(value(), "--duration"));
        } else if (arg == "--threads") {
            o.threads = static_cast<unsigned>(number(value(), "--threads"));
        } else if (arg == "--procs") {
            o.procs = static_cast<unsigned>(number(value(), "--procs"));
        } else if (arg == "--claimed") {
            o.claimed.emplace_back(value());
        } else if (arg == "--unclaimed") {
            o.unclaimed.emplace_back(value());
        } else if (arg == "--missing") {
            o.missing.emplace_back(value());
        } else if (arg == "--replay") {
            const std::string spec = value();
            const size_t colon = spec.find(':');
            if (colon == std::string::npos)
                usage("--replay takes WORKER:CALL");
            o.replay = true;
            o.replay_worker =
                static_cast<unsigned>(number(spec.substr(0, colon).c_str(), "--replay"));
            o.replay_call = number(spec.substr(colon + 1).c_str(), "--replay");
        } else if (arg == "--verbose") {
            o.verbose = true;
        } else if (arg == "--help" || arg == "-h") {
            usage("help");
        } else {
            usage(("unknown argument " + arg).c_str());
        }
    }
    if (o.threads < 1 || o.procs < 1 || o.threads * o.procs > max_workers)
        usage("--threads x --procs must be 1..64");
    for (const auto& list : {o.claimed, o.unclaimed, o.missing})
        for (const std::string& bdf : list)
            if (bdf.size() >= IRQLAB_BDF_LEN)
                usage(("not a PCI address: " + bdf).c_str());
    if (o.replay && o.replay_worker >= max_workers)
        usage("--replay: no such worker");
    return o;
}

// "0-1,3" -> 0 1 3
std::vector<uint32_t> online_cpus() {
    std::vector<uint32_t> cpus;
    FILE* file = std::fopen("/sys/devices/system/cpu/online", "r");
    char text[512] = {};
    if (file) {
        if (!std::fgets(text, sizeof(text), file))
            text[0] = '\0';
        std::fclose(file);
    }
    for (char* part = std::strtok(text, ",\n"); part; part = std::strtok(nullptr, ",\n")) {
        unsigned first = 0, last = 0;
        const int n = std::sscanf(part, "%u-%u", &first, &last);
        if (n < 1)
            continue;
        if (n == 1)
            last = first;
        for (unsigned cpu = first; cpu <= last; ++cpu)
            cpus.push_back(cpu);
    }
    return cpus;
}

// IRQLAB_FUZZ_SELFTEST=1: the fuzzer's own smoke test on a machine
// without irqlab (/dev/null stands in and answers ENOTTY to everything;
// the device facts are made up). Only the generators and checks run.
bool selftest() {
    const char* env = std::getenv("IRQLAB_FUZZ_SELFTEST");
    return env && *env == '1';
}

int open_dev() {
    return ::open(selftest() ? "/dev/null" : IRQLAB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
}

// The device's vector count; claims it first when nobody has.
bool learn_device(int fd, const std::string& bdf, uint32_t& nr_vectors) {
    if (selftest()) {
        nr_vectors = 5;
        return true;
    }
    irqlab_vector_info info{};
    std::snprintf(info.bdf, sizeof(info.bdf), "%s", bdf.c_str());
    if (::ioctl(fd, IRQLAB_IOC_VECTOR_INFO, &info) == 0 || errno == E2BIG) {
        nr_vectors = info.nr_vectors;
        return nr_vectors > 0;
    }
    irqlab_claim claim{};
    std::snprintf(claim.bdf, sizeof(claim.bdf), "%s", bdf.c_str());
    if (::ioctl(fd, IRQLAB_IOC_CLAIM, &claim))
        return false;
    nr_vectors = claim.nr_vectors;
    return nr_vectors > 0;
}

// One forked process uses a file the worker opened; both issue calls on
// it and close it at moments of their own streams.
void fd_across_fork(const World& w, Arenas& arenas, Rng& rng, const CallId& id) {
    if (w.own.empty())
        return;
    int fd = open_dev();
    if (fd < 0)
        return;
    const unsigned dev = static_cast<unsigned>(rng.below(w.own.size()));
    std::vector<uint32_t> vectors{static_cast<uint32_t>(rng.below(w.own[dev].nr_vectors))};
    static constexpr unsigned owned[] = {13 /* engine_attach */, 21 /* mech_attach */, 6 /* fire */,
                                         24 /* hist_config */};
    static constexpr unsigned any[] = {13, 21, 6, 24, 15, 7, 8, 14, 22, 25, 23, 20};
    CallId step = id;
    step.seq_kind = kind_seq_fork_fd;
    for (unsigned i = 0, n = static_cast<unsigned>(rng.below(3)); i < n; ++i) {
        ++step.sub;
        valid_call(w, arenas, rng, fd, owned[rng.below(4)], dev, step, vectors);
    }
    // Both sides' streams are fixed before the fork.
    const uint64_t child_seed = rng.next();
    const pid_t child = ::fork();
    const bool in_child = child == 0;
    Rng side{in_child ? child_seed : rng.next()};
    if (in_child)
        step.sub = 100;
    const unsigned steps = 1 + static_cast<unsigned>(side.below(6));
    const unsigned close_at = static_cast<unsigned>(side.below(steps + 1));
    for (unsigned i = 0; i < steps; ++i) {
        if (i == close_at && fd >= 0) {
            ::close(fd);
            fd = -1;
        }
        if (fd < 0)
            break;
        ++step.sub;
        if (side.chance(70))
            valid_call(w, arenas, side, fd, any[side.below(std::size(any))], dev, step, vectors);
        else
            fuzz_one(w, arenas, side, fd, static_cast<unsigned>(side.below(command_count())), step);
    }
    if (in_child) {
        // Half of the children leave their copy to exit.
        if (fd >= 0 && side.chance(50))
            ::close(fd);
        _exit(0);
    }
    if (fd >= 0)
        ::close(fd);
    if (child > 0)
        ::waitpid(child, nullptr, 0);
}

// Weights of the single-call kinds: releases are rare (a claim cycle takes
// seconds under the debug kernel's sanitizers, and a released device
// answers little else), attach and fire calls are common.
unsigned pick_command(Rng& rng) {
    static constexpr unsigned weight[] = {
        2, 2, 2, 1, 3, 3, 5, 3, 3, 3, 2, 3, 2, // version .. device_caps
        5, 3, 3, 2, 2, 2, 2, 3,                // engine_*
        4, 3, 3, 3, 3,                         // mech_*, hist_*
        2,                                     // vector_route
    };
    static_assert(std::size(weight) == c_vector_route + 1);
    unsigned total = 0;
    for (unsigned w : weight)
        total += w;
    unsigned roll = static_cast<unsigned>(rng.below(total));
    for (unsigned i = 0; i < std::size(weight); ++i) {
        if (roll < weight[i])
            return i;
        roll -= weight[i];
    }
    return 0;
}

void worker(const World& w, unsigned id, int shared_fd, uint64_t deadline, uint64_t max_calls) {
    Arenas arenas;
    int own_fd = open_dev();
    for (uint64_t call = 0;; ++call) {
        if (max_calls ? call >= max_calls : now_ns() >= deadline)
            break;
        Rng rng{mix(mix(w.seed, id), call)};
        const CallId cid{id, call, 0, 0};
        const unsigned roll = static_cast<unsigned>(rng.below(1000));
        // Drawn whether or not there is a shared file: a replay (which
        // has none) takes the same stream.
        const bool on_shared = rng.chance(40);
        const int fd = on_shared && shared_fd >= 0 ? shared_fd : own_fd;
        if (roll < 15) {
            // What the old file owned goes with it (uapi.h, "Ownership").
            ::close(own_fd);
            own_fd = open_dev();
        } else if (roll < 30) {
            fd_across_fork(w, arenas, rng, cid);
        } else if (roll < 110) {
            const unsigned seq = rng.pick<unsigned>(
                {kind_seq_claim, kind_seq_engine, kind_seq_engine, kind_seq_engine, kind_seq_mech,
                 kind_seq_mech, kind_seq_fire, kind_seq_fire});
            run_sequence(w, arenas, rng, fd, seq, cid);
        } else if (roll < 170) {
            fuzz_one(w, arenas, rng, fd, kind_wrong_encoding, cid);
        } else if (roll < 185) {
            fuzz_one(w, arenas, rng, fd, kind_unknown_command, cid);
        } else {
            fuzz_one(w, arenas, rng, fd, pick_command(rng), cid);
        }
    }
    if (own_fd >= 0)
        ::close(own_fd);
}

[[noreturn]] void worker_process(const World& w, const Options& o, unsigned proc,
                                 uint64_t deadline) {
    const int shared_fd = open_dev();
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < o.threads; ++t)
        threads.emplace_back(worker, std::cref(w), proc * o.threads + t, shared_fd, deadline, 0);
    for (std::thread& t : threads)
        t.join();
    if (shared_fd >= 0)
        ::close(shared_fd);
    _exit(0);
}

int case_index = 0;
int cases_failed = 0;

void ktap(bool ok, const char* name, const char* directive = "") {
    ++case_index;
    cases_failed += ok ? 0 : 1;
    std::printf("%s %d %s%s\n", ok ? "ok" : "not ok", case_index, name, directive);
    std::fflush(stdout);
}

// "# fire: 5321 calls, slowest 12 ms: success 800, EINVAL 3000, ..."
void kind_case(const World& w, unsigned kind) {
    const KindTally& t = w.shared->kinds[kind];
    const uint64_t calls = t.calls.load();
    std::string line = std::string{"# "} + kind_name(kind) + ": " + std::to_string(calls) +
                       " calls, slowest " + std::to_string(t.max_ns.load() / 1000000) + " ms";
    const char* sep = ": ";
    for (int e = 0; e <= max_errno; ++e) {
        const uint64_t n = t.by_errno[e].load();
        if (!n)
            continue;
        line += sep + std::string{errno_name(e)} + " " + std::to_string(n);
        sep = ", ";
    }
    const uint64_t failures = t.failures.load();
    if (failures)
        line += "; " + std::to_string(failures) + " outside the ABI (# FAIL lines above)";
    std::printf("%s\n", line.c_str());
    const std::string name = std::string{"ioctl_"} + kind_name(kind);
    if (!calls)
        ktap(true, name.c_str(), " # SKIP not reached in this run");
    else
        ktap(failures == 0, name.c_str());
}

// One line for summaries (make soak): "# fuzz totals: 26979 calls, 5120
// succeeded, 0 outside the ABI".
void print_totals(const World& w) {
    uint64_t calls = 0, succeeded = 0, failures = 0;
    for (unsigned k = 0; k < kind_count; ++k) {
        const KindTally& t = w.shared->kinds[k];
        calls += t.calls.load();
        succeeded += t.by_errno[0].load();
        failures += t.failures.load();
    }
    std::printf("# fuzz totals: %llu calls, %llu succeeded, %llu outside the ABI\n",
                static_cast<unsigned long long>(calls), static_cast<unsigned long long>(succeeded),
                static_cast<unsigned long long>(failures));
}

// After every worker's files are closed: stop what outlives a file (a
// detached run, a kept engine line) and check that nothing else is left.
void cleanup_and_check(const World& w) {
    const int fd = open_dev();
    if (fd < 0) {
        std::printf("# cannot open %s: %s\n", IRQLAB_DEVICE_PATH, std::strerror(errno));
        ktap(false, "cleanup");
        return;
    }
    irqlab_stop stop{};
    bool ok = ::ioctl(fd, IRQLAB_IOC_STOP, &stop) == 0;
    irqlab_engine_config config{};
    config.set = IRQLAB_CONFIG_FORCED_THREADING | IRQLAB_CONFIG_WORKER_FAULT;
    ok = ::ioctl(fd, IRQLAB_IOC_ENGINE_CONFIG, &config) == 0 && ok;
    std::string left;
    for (const OwnDevice& d : w.own) {
        for (uint32_t v = 0; v < d.nr_vectors; ++v) {
            std::vector<uint64_t> words(IRQLAB_BITMAP_WORDS(v + 1));
            words[v / 64] = uint64_t{1} << (v % 64);
            irqlab_engine_detach detach{};
            std::snprintf(detach.bdf, sizeof(detach.bdf), "%s", d.bdf.c_str());
            detach.vectors = {reinterpret_cast<uintptr_t>(words.data()), v + 1, 0};
            ::ioctl(fd, IRQLAB_IOC_ENGINE_DETACH, &detach); // ENOENT: none kept there

            irqlab_mech_stats stats{};
            std::snprintf(stats.bdf, sizeof(stats.bdf), "%s", d.bdf.c_str());
            stats.vector = v;
            if (::ioctl(fd, IRQLAB_IOC_MECH_STATS, &stats) == 0 && stats.attached)
                left += " " + d.bdf + " v" + std::to_string(v) + " measured;";
            auto* line = new irqlab_engine_line{};
            std::snprintf(line->bdf, sizeof(line->bdf), "%s", d.bdf.c_str());
            line->vector = v;
            std::vector<uint64_t> counts(w.nr_cpu_ids);
            line->count = {reinterpret_cast<uintptr_t>(counts.data()), w.nr_cpu_ids, 0};
            if (::ioctl(fd, IRQLAB_IOC_ENGINE_LINE, line) == 0 || errno != ENOENT)
                left += " " + d.bdf + " v" + std::to_string(v) + " engine line;";
            delete line;
        }
        irqlab_run_status status{};
        std::snprintf(status.bdf, sizeof(status.bdf), "%s", d.bdf.c_str());
        if (::ioctl(fd, IRQLAB_IOC_RUN_STATUS, &status) == 0 && status.state == IRQLAB_RUN_RUNNING)
            left += " " + d.bdf + " run still running;";
    }
    ::close(fd);
    if (!ok)
        std::printf("# cleanup: STOP or ENGINE_CONFIG failed\n");
    ktap(ok, "cleanup_stop_every_run_and_reset_config");
    if (!left.empty())
        std::printf("# left:%s\n", left.c_str());
    ktap(left.empty(), "nothing_owned_left_after_every_file_closed");
}

// A call under way since 'started' has hung by 'now'. A worker may start
// a call after the supervisor read the clock: 'started' later than 'now'
// is a call just begun, not one that began 584 years ago.
bool call_hung(uint64_t started, uint64_t now) {
    return started && now > started && now - started > hang_ns;
}

void print_hung(const World& w, unsigned nr_workers, uint64_t now) {
    for (unsigned i = 0; i < nr_workers; ++i) {
        const WorkerSlot& s = w.shared->workers[i];
        const uint64_t started = s.started_ns.load();
        if (call_hung(started, now))
            std::printf("# worker %u: call %llu (%s) has not returned after %llu s; replay: "
                        "--seed %llu --replay %u:%llu\n",
                        i, static_cast<unsigned long long>(s.call.load()), kind_name(s.kind.load()),
                        static_cast<unsigned long long>((now - started) / sec),
                        static_cast<unsigned long long>(w.seed), i,
                        static_cast<unsigned long long>(s.call.load()));
    }
}

} // namespace

int main(int argc, char** argv) {
    const Options o = parse(argc, argv);
    World w;
    w.seed = o.seed_given ? o.seed : mix(now_ns(), static_cast<uint64_t>(::getpid()));
    w.verbose = o.verbose || o.replay;
    w.own.reserve(o.claimed.size());
    w.foreign = o.unclaimed;
    w.missing = o.missing;
    std::printf("KTAP version 1\n");
    std::printf("# seed %llu (replay this run: --seed %llu; one worker's calls: --seed %llu "
                "--replay WORKER:CALL)\n",
                static_cast<unsigned long long>(w.seed), static_cast<unsigned long long>(w.seed),
                static_cast<unsigned long long>(w.seed));
    std::fflush(stdout);

    const int fd = open_dev();
    if (fd < 0) {
        std::printf("Bail out! cannot open %s: %s\n", IRQLAB_DEVICE_PATH, std::strerror(errno));
        return 1;
    }
    irqlab_version version{};
    irqlab_info info{};
    if (selftest())
        info.nr_cpu_ids = 2;
    else if (::ioctl(fd, IRQLAB_IOC_VERSION, &version) || version.abi_major != IRQLAB_ABI_MAJOR ||
             ::ioctl(fd, IRQLAB_IOC_INFO, &info)) {
        std::printf("Bail out! not an irqlab ABI %d module\n", IRQLAB_ABI_MAJOR);
        return 1;
    }
    w.nr_cpu_ids = info.nr_cpu_ids;
    w.online = online_cpus();
    for (const std::string& bdf : o.claimed) {
        uint32_t nr = 0;
        if (!learn_device(fd, bdf, nr)) {
            std::printf("Bail out! cannot claim %s: %s\n", bdf.c_str(), std::strerror(errno));
            return 1;
        }
        w.own.push_back({bdf, nr});
        std::printf("# device %s: %u vectors\n", bdf.c_str(), nr);
    }
    ::close(fd);
    std::printf("# nr_cpu_ids %u, %zu online; %u processes x %u threads for %u s\n", w.nr_cpu_ids,
                w.online.size(), o.procs, o.threads, o.duration_s);

    // An address that was mapped once: nothing there now. Far below where
    // mmap places new mappings (top down from under the stack), so that no
    // later arena or thread stack lands on it.
    void* gone = ::mmap(reinterpret_cast<void*>(0x200000000000ull), 4096, PROT_READ,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (gone == MAP_FAILED)
        gone = ::mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unmapped_page = reinterpret_cast<uintptr_t>(gone);
    ::munmap(gone, 4096);
    w.shared = shared_create();
    std::fflush(stdout);

    if (o.replay) {
        worker(w, o.replay_worker, -1, 0, o.replay_call + 1);
        for (unsigned k = 0; k < kind_count; ++k)
            if (w.shared->kinds[k].calls.load())
                kind_case(w, k);
        std::printf("1..%d\n# %d cases passed, %d failed\n", case_index, case_index - cases_failed,
                    cases_failed);
        return cases_failed ? 1 : 0;
    }

    const uint64_t start = now_ns();
    const uint64_t deadline = start + o.duration_s * sec;
    std::vector<pid_t> children;
    for (unsigned p = 0; p < o.procs; ++p) {
        const pid_t pid = ::fork();
        if (pid == 0)
            worker_process(w, o, p, deadline);
        if (pid > 0)
            children.push_back(pid);
    }

    // Supervise: every worker exits, no call hangs.
    const unsigned nr_workers = o.procs * o.threads;
    bool crashed = false, hung = false, reported = false;
    size_t running = children.size();
    while (running) {
        for (pid_t& pid : children) {
            int status = 0;
            if (pid <= 0 || ::waitpid(pid, &status, WNOHANG) != pid)
                continue;
            if (!WIFEXITED(status) || WEXITSTATUS(status)) {
                std::printf("# worker process %d ended with status %#x\n", pid, status);
                crashed = true;
            }
            pid = 0;
            --running;
        }
        const uint64_t now = now_ns();
        for (unsigned i = 0; i < nr_workers && !reported; ++i) {
            const uint64_t started = w.shared->workers[i].started_ns.load();
            if (call_hung(started, now))
                hung = true;
        }
        if (hung && !reported) {
            print_hung(w, nr_workers, now);
            reported = true;
        }
        if (running && now > deadline + hang_ns + 30 * sec) {
            print_hung(w, nr_workers, now);
            std::printf("# workers still running %llu s after the deadline: killed\n",
                        static_cast<unsigned long long>((now - deadline) / sec));
            for (pid_t pid : children)
                if (pid > 0)
                    ::kill(pid, SIGKILL);
            hung = true;
            // A process stuck in the kernel may not die: give up on it.
            for (int i = 0; i < 100 && running; ++i) {
                for (pid_t& pid : children) {
                    if (pid > 0 && ::waitpid(pid, nullptr, WNOHANG) == pid) {
                        pid = 0;
                        --running;
                    }
                }
                ::usleep(100000);
            }
            break;
        }
        ::usleep(200000);
    }
    std::printf("# fuzzing took %llu s\n",
                static_cast<unsigned long long>((now_ns() - start) / sec));

    for (unsigned k = 0; k < kind_count; ++k)
        kind_case(w, k);
    print_totals(w);
    ktap(!crashed, "worker_processes_exited_cleanly");
    ktap(!hung && running == 0, "every_call_returned_within_60s");
    if (running == 0)
        cleanup_and_check(w);
    std::printf("1..%d\n# %d cases passed, %d failed\n", case_index, case_index - cases_failed,
                cases_failed);
    return cases_failed ? 1 : 0;
}
