// Runs inside the test box with irqlab.ko loaded: checks /dev/irqlab and the
// ioctl ABI from raw syscalls (not through the CLI), one KTAP case per rule.
#include "irqlab/uapi.h"
#include "irqlab/version.h"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

int case_index = 0;
int failures = 0;

void report(bool ok, const std::string& name, const std::string& diag = {}) {
    if (!ok && !diag.empty())
        std::printf("# %s: %s\n", name.c_str(), diag.c_str());
    std::printf("%s %d %s\n", ok ? "ok" : "not ok", ++case_index, name.c_str());
    std::fflush(stdout);
    failures += ok ? 0 : 1;
}

// Expects the ioctl to fail with exactly 'want'.
void expect_errno(int fd, unsigned long cmd, void* arg, int want, const std::string& name) {
    errno = 0;
    const int ret = ::ioctl(fd, cmd, arg);
    const int got = ret == 0 ? 0 : errno;
    report(got == want, name,
           "expected " + std::string{strerrorname_np(want)} + ", got " +
               (got ? std::string{strerrorname_np(got)} : std::string{"success"}));
}

// Sets as the ABI takes them: __u64 words, 'nr' counting bits.
const uint64_t vector0_words[1] = {1};
std::vector<uint64_t> only(unsigned id) {
    std::vector<uint64_t> words(IRQLAB_BITMAP_WORDS(id + 1));
    words[id / 64] = uint64_t{1} << (id % 64);
    return words;
}

// Vector 2047, the last any MSI-X table has: past a small device.
const std::vector<uint64_t> vector2047_words = only(IRQLAB_MAX_VECTORS - 1);

irqlab_array set_of(const uint64_t* words, uint32_t bits) {
    return irqlab_array{reinterpret_cast<uintptr_t>(words), bits, 0};
}

const irqlab_array vector0 = set_of(vector0_words, 1);

template <typename T>
irqlab_array array_of(T* elements, uint32_t nr) {
    return irqlab_array{reinterpret_cast<uintptr_t>(elements), nr, 0};
}

// nr_cpu_ids, from /sys/devices/system/cpu/possible ("0-71"): its last id + 1.
unsigned possible_cpus() {
    FILE* file = std::fopen("/sys/devices/system/cpu/possible", "r");
    char text[256] = {};
    if (!file)
        return 0;
    const bool read = std::fgets(text, sizeof(text), file) != nullptr;
    std::fclose(file);
    const char* last = std::strrchr(text, '-');
    const char* comma = std::strrchr(text, ',');
    if (comma && (!last || comma > last))
        last = comma;
    return read ? static_cast<unsigned>(std::strtoul(last ? last + 1 : text, nullptr, 10)) + 1 : 0;
}

// The engine commands' errno rules for a claimed device with nothing
// attached, from raw ioctls.
int engine_cases(int fd, const char* bdf) {
    auto attach = [&](uint32_t action) {
        irqlab_engine_attach a{};
        std::snprintf(a.bdf, sizeof(a.bdf), "%s", bdf);
        a.vectors = vector0;
        a.action = action;
        return a;
    };
    irqlab_engine_attach a = attach(IRQLAB_ACTION_THREAD);
    a.flags = 1u << 7;
    expect_errno(fd, IRQLAB_IOC_ENGINE_ATTACH, &a, EINVAL, "attach_unknown_flag_is_einval");
    a = attach(IRQLAB_ACTION_WORK);
    a.hold = IRQLAB_HOLD_SLEEP;
    a.hold_us = IRQLAB_MAX_HOLD_US + 1;
    expect_errno(fd, IRQLAB_IOC_ENGINE_ATTACH, &a, EINVAL, "attach_hold_too_long_is_einval");
    a = attach(IRQLAB_ACTION_WORK);
    a.work = 99;
    expect_errno(fd, IRQLAB_IOC_ENGINE_ATTACH, &a, EINVAL, "attach_unknown_work_kind_is_einval");
    a = attach(IRQLAB_ACTION_COUNT);
    a.hold = IRQLAB_HOLD_SPIN;
    a.hold_us = 10;
    expect_errno(fd, IRQLAB_IOC_ENGINE_ATTACH, &a, EINVAL, "attach_hold_on_count_is_einval");
    a = attach(IRQLAB_ACTION_NAPI);
    a.napi_weight = IRQLAB_MAX_NAPI_WEIGHT + 1;
    expect_errno(fd, IRQLAB_IOC_ENGINE_ATTACH, &a, EINVAL, "attach_napi_weight_too_big_is_einval");

    irqlab_engine_flush flush{};
    std::snprintf(flush.bdf, sizeof(flush.bdf), "%s", bdf);
    flush.vectors = vector0;
    expect_errno(fd, IRQLAB_IOC_ENGINE_FLUSH, &flush, ENOENT, "flush_unattached_is_enoent");

    irqlab_engine_pool pool{};
    pool.index = 1u << 20;
    expect_errno(fd, IRQLAB_IOC_ENGINE_POOL, &pool, ERANGE, "pool_index_past_end_is_erange");
    irqlab_engine_workqueue wq{};
    wq.index = 1u << 20;
    expect_errno(fd, IRQLAB_IOC_ENGINE_WORKQUEUE, &wq, ERANGE,
                 "workqueue_index_past_end_is_erange");

    irqlab_engine_config config{};
    config.set = 1u << 9;
    expect_errno(fd, IRQLAB_IOC_ENGINE_CONFIG, &config, EINVAL, "config_unknown_option_is_einval");
    return 9;
}

// Issues one ioctl on a file of its own, closed right after: what that
// file owned is undone when this returns.
bool in_closed_file(unsigned long cmd, void* arg) {
    const int owner = ::open(IRQLAB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
    const bool ok = owner >= 0 && ::ioctl(owner, cmd, arg) == 0;
    if (owner >= 0)
        ::close(owner);
    return ok;
}

// What an open file attaches or starts goes when it is closed, unless it
// asked otherwise (uapi.h, "Ownership"); checked from another open file.
int ownership_cases(int fd, const char* bdf) {
    irqlab_mech_attach mech{};
    std::snprintf(mech.bdf, sizeof(mech.bdf), "%s", bdf);
    mech.vectors = vector0;
    mech.mechanism = IRQLAB_MECH_WQ_SYSTEM;
    mech.path = IRQLAB_PATH_NATIVE;
    const bool attached = in_closed_file(IRQLAB_IOC_MECH_ATTACH, &mech);
    irqlab_mech_stats stats{};
    std::snprintf(stats.bdf, sizeof(stats.bdf), "%s", bdf);
    report(attached && ::ioctl(fd, IRQLAB_IOC_MECH_STATS, &stats) == 0 && !stats.attached,
           "mech_detached_when_its_file_closes");

    irqlab_engine_attach engine{};
    std::snprintf(engine.bdf, sizeof(engine.bdf), "%s", bdf);
    engine.vectors = vector0;
    engine.action = IRQLAB_ACTION_WORK;
    bool ok = in_closed_file(IRQLAB_IOC_ENGINE_ATTACH, &engine);
    irqlab_engine_line* line = new irqlab_engine_line{};
    std::snprintf(line->bdf, sizeof(line->bdf), "%s", bdf);
    std::vector<uint64_t> counts(possible_cpus());
    line->count = array_of(counts.data(), static_cast<uint32_t>(counts.size()));
    errno = 0;
    report(ok && ::ioctl(fd, IRQLAB_IOC_ENGINE_LINE, line) == -1 && errno == ENOENT,
           "engine_line_detached_when_its_file_closes", std::strerror(errno));

    engine.flags = IRQLAB_ATTACH_KEEP;
    ok = in_closed_file(IRQLAB_IOC_ENGINE_ATTACH, &engine);
    report(ok && ::ioctl(fd, IRQLAB_IOC_ENGINE_LINE, line) == 0 &&
               (line->attach_flags & IRQLAB_ATTACH_KEEP),
           "kept_engine_line_outlives_its_file", std::strerror(errno));
    // The per-CPU counts follow the buffer rule: one short is E2BIG.
    line->count = array_of(counts.data(), static_cast<uint32_t>(counts.size()) - 1);
    errno = 0;
    const int got = ::ioctl(fd, IRQLAB_IOC_ENGINE_LINE, line) == 0 ? 0 : errno;
    report(got == E2BIG && line->count.nr == counts.size() && line->virq != 0,
           "engine_line_short_count_is_e2big_with_the_size",
           "errno " + std::to_string(got) + ", nr " + std::to_string(line->count.nr));
    delete line;
    irqlab_engine_detach detach{};
    std::snprintf(detach.bdf, sizeof(detach.bdf), "%s", bdf);
    detach.vectors = vector0;
    report(::ioctl(fd, IRQLAB_IOC_ENGINE_DETACH, &detach) == 0, "kept_engine_line_detached",
           std::strerror(errno));

    // A run of 100 s: stopped by its file's close, or left running detached.
    irqlab_fire run{};
    std::snprintf(run.bdf, sizeof(run.bdf), "%s", bdf);
    run.vectors = vector0;
    run.count = 100000;
    run.rate_hz = 1000;
    run.trigger = IRQLAB_TRIGGER_IPI;
    run.cpu = -1;
    irqlab_run_status status{};
    std::snprintf(status.bdf, sizeof(status.bdf), "%s", bdf);
    ok = in_closed_file(IRQLAB_IOC_FIRE, &run);
    report(ok && ::ioctl(fd, IRQLAB_IOC_RUN_STATUS, &status) == 0 &&
               status.state == IRQLAB_RUN_STOPPED,
           "run_stopped_when_its_file_closes", "state " + std::to_string(status.state));
    run.flags = IRQLAB_FIRE_DETACHED;
    ok = in_closed_file(IRQLAB_IOC_FIRE, &run);
    report(ok && ::ioctl(fd, IRQLAB_IOC_RUN_STATUS, &status) == 0 &&
               status.state == IRQLAB_RUN_RUNNING,
           "detached_run_outlives_its_file", "state " + std::to_string(status.state));
    irqlab_stop stop{};
    std::snprintf(stop.bdf, sizeof(stop.bdf), "%s", bdf);
    report(::ioctl(fd, IRQLAB_IOC_STOP, &stop) == 0, "detached_run_stopped", std::strerror(errno));
    return 8;
}

// The measuring commands' errno rules (uapi.h, "Measuring"): bad requests
// change nothing, a measured vector is busy for everything else.
int measure_cases(int fd, const char* bdf) {
    auto attach = [&](uint32_t mechanism, uint32_t path) {
        irqlab_mech_attach a{};
        std::snprintf(a.bdf, sizeof(a.bdf), "%s", bdf);
        a.vectors = vector0;
        a.mechanism = mechanism;
        a.path = path;
        return a;
    };
    irqlab_mech_attach a = attach(IRQLAB_NR_MECHS, IRQLAB_PATH_NATIVE);
    expect_errno(fd, IRQLAB_IOC_MECH_ATTACH, &a, EINVAL, "mech_unknown_mechanism_is_einval");
    a = attach(IRQLAB_MECH_TASKLET, IRQLAB_NR_PATHS);
    expect_errno(fd, IRQLAB_IOC_MECH_ATTACH, &a, EINVAL, "mech_unknown_path_is_einval");
    a = attach(IRQLAB_MECH_TASKLET, IRQLAB_PATH_NATIVE);
    a.flags = 1;
    expect_errno(fd, IRQLAB_IOC_MECH_ATTACH, &a, EINVAL, "mech_unknown_flag_is_einval");
    a = attach(IRQLAB_MECH_TASKLET, IRQLAB_PATH_NATIVE);
    a.vectors = set_of(vector2047_words.data(), IRQLAB_MAX_VECTORS);
    expect_errno(fd, IRQLAB_IOC_MECH_ATTACH, &a, ERANGE, "mech_vector_beyond_device_is_erange");

    irqlab_mech_detach detach{};
    std::snprintf(detach.bdf, sizeof(detach.bdf), "%s", bdf);
    detach.vectors = vector0;
    expect_errno(fd, IRQLAB_IOC_MECH_DETACH, &detach, ENOENT, "mech_detach_unattached_is_enoent");
    irqlab_mech_stats stats{};
    std::snprintf(stats.bdf, sizeof(stats.bdf), "%s", bdf);
    stats.vector = IRQLAB_MAX_VECTORS;
    expect_errno(fd, IRQLAB_IOC_MECH_STATS, &stats, ERANGE, "mech_stats_vector_is_erange");

    irqlab_hist_config config{IRQLAB_HIST_LINEAR, 0, 1000};
    expect_errno(fd, IRQLAB_IOC_HIST_CONFIG, &config, EINVAL, "hist_zero_buckets_is_einval");
    config = {IRQLAB_HIST_LOG2, IRQLAB_HIST_MAX_BUCKETS + 1, 1000};
    expect_errno(fd, IRQLAB_IOC_HIST_CONFIG, &config, EINVAL, "hist_too_many_buckets_is_einval");
    config = {IRQLAB_HIST_LOG2, 8, 0};
    expect_errno(fd, IRQLAB_IOC_HIST_CONFIG, &config, EINVAL, "hist_zero_width_is_einval");
    irqlab_hist* hist = new irqlab_hist{};
    hist->metric = IRQLAB_NR_METRICS;
    expect_errno(fd, IRQLAB_IOC_HIST_READ, hist, EINVAL, "hist_unknown_metric_is_einval");
    *hist = {};
    hist->cpu = static_cast<int>(possible_cpus());
    expect_errno(fd, IRQLAB_IOC_HIST_READ, hist, ERANGE, "hist_cpu_out_of_range_is_erange");
    delete hist;

    // A vector measured natively is busy for the engine, a second attach
    // and a new histogram layout; after detach all of them work again.
    a = attach(IRQLAB_MECH_TASKLET, IRQLAB_PATH_NATIVE);
    report(::ioctl(fd, IRQLAB_IOC_MECH_ATTACH, &a) == 0, "mech_attach_native_tasklet",
           std::strerror(errno));
    expect_errno(fd, IRQLAB_IOC_MECH_ATTACH, &a, EBUSY, "mech_attach_twice_is_ebusy");
    irqlab_engine_attach engine{};
    std::snprintf(engine.bdf, sizeof(engine.bdf), "%s", bdf);
    engine.vectors = vector0;
    engine.action = IRQLAB_ACTION_COUNT;
    expect_errno(fd, IRQLAB_IOC_ENGINE_ATTACH, &engine, EBUSY, "engine_attach_native_is_ebusy");
    config = {IRQLAB_HIST_LOG2, 8, 1000};
    expect_errno(fd, IRQLAB_IOC_HIST_CONFIG, &config, EBUSY, "hist_config_while_measured_is_ebusy");
    // Histograms belong to the open file: another one configures its own.
    report(in_closed_file(IRQLAB_IOC_HIST_CONFIG, &config),
           "hist_config_of_another_file_while_measured", std::strerror(errno));
    report(::ioctl(fd, IRQLAB_IOC_MECH_DETACH, &detach) == 0, "mech_detach", std::strerror(errno));
    report(::ioctl(fd, IRQLAB_IOC_HIST_CONFIG, &config) == 0, "hist_config_after_detach",
           std::strerror(errno));
    return 18 + ownership_cases(fd, bdf);
}

// With a claimed device: each device command's errno rules (uapi.h), from
// raw ioctls, so the module is checked and not the CLI's own validation.
int device_cases(int fd, const char* bdf) {
    auto fire = [&] {
        irqlab_fire f{};
        std::snprintf(f.bdf, sizeof(f.bdf), "%s", bdf);
        f.vectors = vector0;
        f.count = 1;
        f.trigger = IRQLAB_TRIGGER_IPI;
        f.cpu = -1;
        return f;
    };
    irqlab_fire f = fire();
    f.count = 0;
    expect_errno(fd, IRQLAB_IOC_FIRE, &f, EINVAL, "fire_count_zero_is_einval");
    f = fire();
    f.count = IRQLAB_MAX_COUNT + 1;
    expect_errno(fd, IRQLAB_IOC_FIRE, &f, EINVAL, "fire_count_too_big_is_einval");
    f = fire();
    const uint64_t none[1] = {0};
    f.vectors = set_of(none, 64);
    expect_errno(fd, IRQLAB_IOC_FIRE, &f, EINVAL, "fire_no_vector_is_einval");
    f = fire();
    f.vectors = set_of(vector2047_words.data(), IRQLAB_MAX_VECTORS);
    expect_errno(fd, IRQLAB_IOC_FIRE, &f, ERANGE, "fire_vector_beyond_device_is_erange");
    f = fire();
    f.vectors = set_of(vector2047_words.data(), IRQLAB_BITMAP_MAX_BITS + 1);
    expect_errno(fd, IRQLAB_IOC_FIRE, &f, EINVAL, "fire_bitmap_past_the_bound_is_einval");
    f = fire();
    f.vectors.pad = 1;
    expect_errno(fd, IRQLAB_IOC_FIRE, &f, EINVAL, "fire_bitmap_pad_is_einval");
    f = fire();
    f.vectors = set_of(nullptr, 64);
    expect_errno(fd, IRQLAB_IOC_FIRE, &f, EFAULT, "fire_bitmap_bad_pointer_is_efault");
    f = fire();
    f.trigger = 99;
    expect_errno(fd, IRQLAB_IOC_FIRE, &f, EINVAL, "fire_unknown_trigger_is_einval");
    f = fire();
    f.cpu = static_cast<int>(possible_cpus());
    expect_errno(fd, IRQLAB_IOC_FIRE, &f, ERANGE, "fire_cpu_out_of_range_is_erange");
    f = fire();
    f.flags = 1u << 5;
    expect_errno(fd, IRQLAB_IOC_FIRE, &f, EINVAL, "fire_unknown_flag_is_einval");
    f = fire();
    std::memset(f.bdf, 'x', sizeof(f.bdf));
    expect_errno(fd, IRQLAB_IOC_FIRE, &f, EINVAL, "fire_unterminated_bdf_is_einval");
    f = fire();
    std::snprintf(f.bdf, sizeof(f.bdf), "0000:00:1e.7");
    expect_errno(fd, IRQLAB_IOC_FIRE, &f, ENOENT, "fire_unclaimed_device_is_enoent");

    irqlab_vector_route route{};
    std::snprintf(route.bdf, sizeof(route.bdf), "%s", bdf);
    route.vector = IRQLAB_MAX_VECTORS;
    expect_errno(fd, IRQLAB_IOC_VECTOR_ROUTE, &route, ERANGE,
                 "route_vector_out_of_range_is_erange");
    std::snprintf(route.bdf, sizeof(route.bdf), "0000:00:1e.7");
    route.vector = 0;
    expect_errno(fd, IRQLAB_IOC_VECTOR_ROUTE, &route, ENOENT, "route_unclaimed_device_is_enoent");
    std::memset(route.bdf, 'x', sizeof(route.bdf));
    expect_errno(fd, IRQLAB_IOC_VECTOR_ROUTE, &route, EINVAL, "route_unterminated_bdf_is_einval");

    const unsigned cpus = possible_cpus();
    std::vector<irqlab_counters> rows(cpus + 1);
    irqlab_vector_stats stats{};
    std::snprintf(stats.bdf, sizeof(stats.bdf), "%s", bdf);
    stats.vector = IRQLAB_MAX_VECTORS;
    stats.cpus = array_of(rows.data(), cpus);
    expect_errno(fd, IRQLAB_IOC_STATS, &stats, ERANGE, "stats_vector_out_of_range_is_erange");
    // The buffer rule (uapi.h, struct irqlab_array).
    stats.vector = 0;
    stats.cpus = array_of(rows.data(), cpus - 1);
    expect_errno(fd, IRQLAB_IOC_STATS, &stats, E2BIG, "stats_short_buffer_is_e2big");
    report(stats.cpus.nr == cpus, "stats_e2big_says_nr_cpu_ids",
           "nr " + std::to_string(stats.cpus.nr) + ", want " + std::to_string(cpus));
    stats.cpus = array_of(rows.data(), cpus + 1);
    report(::ioctl(fd, IRQLAB_IOC_STATS, &stats) == 0 && stats.cpus.nr == cpus,
           "stats_fills_nr_cpu_ids_rows", "nr " + std::to_string(stats.cpus.nr));
    stats.cpus.pad = 1;
    expect_errno(fd, IRQLAB_IOC_STATS, &stats, EINVAL, "stats_array_pad_is_einval");

    // CPU sets past CPU 63 where the box has them; bits past nr_cpu_ids never.
    std::vector<uint64_t> words(IRQLAB_BITMAP_WORDS(cpus) + 1);
    words[cpus / 64] |= uint64_t{1} << (cpus % 64);
    irqlab_affinity affinity{};
    std::snprintf(affinity.bdf, sizeof(affinity.bdf), "%s", bdf);
    affinity.cpus = set_of(words.data(), cpus + 1);
    expect_errno(fd, IRQLAB_IOC_SET_AFFINITY, &affinity, ERANGE,
                 "affinity_cpu_past_nr_cpu_ids_is_erange");
    irqlab_vector_info info{};
    std::snprintf(info.bdf, sizeof(info.bdf), "%s", bdf);
    info.affinity = set_of(words.data(), cpus - 1);
    info.effective_affinity = set_of(words.data(), cpus);
    expect_errno(fd, IRQLAB_IOC_VECTOR_INFO, &info, E2BIG, "vector_info_short_cpu_set_is_e2big");
    report(info.affinity.nr == cpus && info.effective_affinity.nr == cpus && info.irq != 0,
           "vector_info_e2big_says_nr_cpu_ids_and_fills_the_rest",
           "nr " + std::to_string(info.affinity.nr) + " irq " + std::to_string(info.irq));

    char names[1][IRQLAB_BDF_LEN] = {};
    irqlab_device_list list{array_of(names, 0)};
    expect_errno(fd, IRQLAB_IOC_LIST, &list, E2BIG, "list_short_buffer_is_e2big");
    report(list.bdfs.nr >= 1, "list_e2big_says_how_many", "nr " + std::to_string(list.bdfs.nr));

    irqlab_claim claim{};
    std::snprintf(claim.bdf, sizeof(claim.bdf), "%s", bdf);
    expect_errno(fd, IRQLAB_IOC_CLAIM, &claim, EALREADY, "claim_claimed_device_is_ealready");
    claim.flags = 1u << 30;
    expect_errno(fd, IRQLAB_IOC_CLAIM, &claim, EINVAL, "claim_unknown_flag_is_einval");
    expect_errno(fd, _IOC(_IOC_READ | _IOC_WRITE, IRQLAB_IOC_MAGIC, 0x01, sizeof(claim) - 8),
                 &claim, EINVAL, "claim_wrong_size_is_einval");
    std::snprintf(claim.bdf, sizeof(claim.bdf), "0000:00:1e.7");
    claim.flags = 0;
    expect_errno(fd, IRQLAB_IOC_CLAIM, &claim, ENODEV, "claim_missing_device_is_enodev");

    irqlab_release release{};
    std::snprintf(release.bdf, sizeof(release.bdf), "0000:00:00.0");
    expect_errno(fd, IRQLAB_IOC_RELEASE, &release, ENOENT, "release_unclaimed_is_enoent");
    return 30 + engine_cases(fd, bdf) + measure_cases(fd, bdf);
}

} // namespace

// usage: irqlab-abi-test [CLAIMED_BDF]
int main(int argc, char** argv) {
    if (argc > 1) {
        const int fd = ::open(IRQLAB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
        if (fd < 0) {
            std::printf("Bail out! cannot open %s: %s\n", IRQLAB_DEVICE_PATH, std::strerror(errno));
            return 1;
        }
        std::printf("KTAP version 1\n");
        const int planned = device_cases(fd, argv[1]);
        ::close(fd);
        std::printf("1..%d\n# %d passed, %d failed\n", planned, case_index - failures, failures);
        return failures || case_index != planned ? 1 : 0;
    }

    constexpr int tests = 10;
    std::printf("KTAP version 1\n1..%d\n", tests);

    struct stat st {};
    const bool exists = ::stat(IRQLAB_DEVICE_PATH, &st) == 0;
    report(exists && S_ISCHR(st.st_mode), "device_node_exists");
    report(exists && (st.st_mode & 07777) == 0600 && st.st_uid == 0, "device_node_mode_0600_root",
           "mode " + std::to_string(st.st_mode & 07777) + " uid " + std::to_string(st.st_uid));

    const int fd = ::open(IRQLAB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        std::printf("# open: %s\n", std::strerror(errno));
        std::printf("Bail out! cannot open %s\n", IRQLAB_DEVICE_PATH);
        return 1;
    }

    irqlab_version v{};
    utsname uts{};
    ::uname(&uts);
    const bool got = ::ioctl(fd, IRQLAB_IOC_VERSION, &v) == 0;
    report(got && v.abi_major == IRQLAB_ABI_MAJOR && v.abi_minor == IRQLAB_ABI_MINOR &&
               std::strcmp(v.module_version, IRQLAB_RELEASE_STRING) == 0 &&
               std::strcmp(v.kernel_release, uts.release) == 0,
           "version_ioctl_matches",
           std::string{"module "} + v.module_version + " kernel " + v.kernel_release);

    irqlab_info info{};
    const unsigned cpus = possible_cpus();
    report(::ioctl(fd, IRQLAB_IOC_INFO, &info) == 0 && info.nr_cpu_ids == cpus &&
               info.max_vectors == IRQLAB_MAX_VECTORS &&
               info.max_bitmap_bits == IRQLAB_BITMAP_MAX_BITS,
           "info_reports_nr_cpu_ids_and_limits",
           "nr_cpu_ids " + std::to_string(info.nr_cpu_ids) + ", possible " + std::to_string(cpus));

    char scratch[256] = {};
    expect_errno(fd, _IOC(_IOC_READ, IRQLAB_IOC_MAGIC, 0, sizeof(irqlab_version) - 4), scratch,
                 EINVAL, "version_wrong_size_is_einval");
    expect_errno(fd, _IOW(IRQLAB_IOC_MAGIC, 0, irqlab_version), scratch, EINVAL,
                 "version_wrong_direction_is_einval");
    expect_errno(fd, _IOR(IRQLAB_IOC_MAGIC, 0x7f, irqlab_version), scratch, ENOTTY,
                 "unknown_command_is_enotty");
    expect_errno(fd, _IOR('T', 0, irqlab_version), scratch, ENOTTY, "foreign_magic_is_enotty");
    expect_errno(fd, IRQLAB_IOC_VERSION, nullptr, EFAULT, "version_bad_pointer_is_efault");

    // An fd opened by root and handed to an unprivileged process must still
    // be refused: the ioctl itself checks CAP_SYS_ADMIN.
    const pid_t child = ::fork();
    if (child == 0) {
        if (::setresgid(65534, 65534, 65534) || ::setresuid(65534, 65534, 65534))
            _exit(2);
        irqlab_version w{};
        _exit(::ioctl(fd, IRQLAB_IOC_VERSION, &w) == -1 && errno == EPERM ? 0 : 1);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    report(WIFEXITED(status) && WEXITSTATUS(status) == 0, "unprivileged_ioctl_is_eperm",
           "child status " + std::to_string(status));

    ::close(fd);
    std::printf("# %d passed, %d failed\n", case_index - failures, failures);
    return failures ? 1 : 0;
}
