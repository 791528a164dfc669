#include "device.h"

#include "cpulist.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace irqlab::cli {

namespace {

bool module_loaded() {
    struct stat st {};
    return ::stat("/sys/module/irqlab", &st) == 0;
}

std::string not_privileged(const std::string& path) {
    return fmt::format("not root: {} is for root only (mode 0600, CAP_SYS_ADMIN); "
                       "run as root, e.g. 'sudo irqlab ...'",
                       path);
}

// Errors of the commands that name a claimed device (see uapi.h).
std::string explain_device_error(int err, const char* bdf) {
    switch (err) {
    case ENOENT:
        return fmt::format("{} is not claimed by irqlab; claim it first: 'irqlab claim {}'", bdf,
                           bdf);
    case ENODEV:
        return fmt::format("{}: no such PCI device (see 'irqlab devices')", bdf);
    case EINVAL:
        return fmt::format("'{}' is not a PCI address (expected dddd:bb:dd.f)", bdf);
    default:
        return {};
    }
}

std::string explain_claim(int err, const void* arg) {
    const auto* claim = static_cast<const irqlab_claim*>(arg);
    switch (err) {
    case EOPNOTSUPP:
        return fmt::format("{} has no MSI-X capability; irqlab needs MSI-X vectors", claim->bdf);
    case EBUSY:
        return fmt::format("{} is bound to driver {}; 'irqlab claim --force {}' unbinds it",
                           claim->bdf, claim->driver, claim->bdf);
    case EALREADY:
        return fmt::format("{} is already claimed by irqlab", claim->bdf);
    case ENOENT:
        return fmt::format("{}: irqlab's driver did not bind (see dmesg)", claim->bdf);
    default:
        return explain_device_error(err, claim->bdf);
    }
}

template <typename T>
std::string explain_for(int err, const void* arg) {
    return explain_device_error(err, static_cast<const T*>(arg)->bdf);
}

// A request for one vector of a claimed device (bdf and vector).
template <typename Request>
std::string explain_vector(int err, const void* arg) {
    const auto* request = static_cast<const Request*>(arg);
    if (err == ERANGE)
        return fmt::format("{} has no vector {}", request->bdf, request->vector);
    return explain_device_error(err, request->bdf);
}

// A set the module reads back as a CPU list, for messages.
std::string cpu_set_text(const irqlab_array& set) {
    Bitmap copy{set.nr};
    const auto* words = reinterpret_cast<const uint64_t*>(static_cast<uintptr_t>(set.ptr));
    for (unsigned cpu = 0; cpu < set.nr; ++cpu) {
        if (words[cpu / 64] >> (cpu % 64) & 1)
            copy.set(cpu);
    }
    return format_cpu_ids(copy.ids());
}

std::string explain_affinity(int err, const void* arg) {
    const auto* affinity = static_cast<const irqlab_affinity*>(arg);
    if (err == ERANGE)
        return fmt::format("vector {} or CPU list {} is out of range (CPUs must be online)",
                           affinity->vector, cpu_set_text(affinity->cpus));
    if (err == EIO)
        return fmt::format("the kernel refused affinity {} for {} vector {} (managed "
                           "interrupts of a --spread claim cannot be moved)",
                           cpu_set_text(affinity->cpus), affinity->bdf, affinity->vector);
    if (err == EINVAL)
        return fmt::format("the kernel refused affinity {} for {} vector {}",
                           cpu_set_text(affinity->cpus), affinity->bdf, affinity->vector);
    return explain_device_error(err, affinity->bdf);
}

std::string explain_fire(int err, const void* arg) {
    const auto* fire = static_cast<const irqlab_fire*>(arg);
    switch (err) {
    case EBUSY:
        return fmt::format("a firing run is already active on {}; 'irqlab stop {}' ends it",
                           fire->bdf, fire->bdf);
    case ERANGE:
        return fmt::format("a chosen vector is out of range for {}{} (see 'irqlab vectors {}'; "
                           "with --trigger device, only the vectors the device can trigger)",
                           fire->bdf,
                           fire->cpu >= 0 ? fmt::format(", or CPU {} is offline", fire->cpu) : "",
                           fire->bdf);
    case EOPNOTSUPP:
        return fmt::format("irqlab cannot make {} fire by itself; use --trigger ipi or external",
                           fire->bdf);
    case EIO:
        return fmt::format("CPU {} is not where the kernel placed a chosen vector of {} (managed "
                           "interrupts of a --spread claim cannot be moved; fire without --cpu)",
                           fire->cpu, fire->bdf);
    case EINVAL:
        return fmt::format("invalid run: count must be 1..{} and at least one vector chosen",
                           IRQLAB_MAX_COUNT);
    default:
        return explain_device_error(err, fire->bdf);
    }
}

std::string explain_engine_attach(int err, const void* arg) {
    const auto* attach = static_cast<const irqlab_engine_attach*>(arg);
    switch (err) {
    case EALREADY:
        return fmt::format("a chosen vector of {} is already attached to the engine; "
                           "'irqlab engine detach' it first",
                           attach->bdf);
    case ERANGE:
        return fmt::format("a chosen vector is out of range for {} (see 'irqlab vectors {}')",
                           attach->bdf, attach->bdf);
    case EINVAL:
        return fmt::format("invalid attachment: the softirq slot must not be HI or TASKLET "
                           "(tasklets own them), rounds at most {}, sharers "
                           "at most {}, hold at most {} us, delay at most {} us, NAPI weight "
                           "at most {}, a hold only for work and threads, sleeping not in BH work",
                           IRQLAB_MAX_SOFTIRQ_ROUNDS, IRQLAB_MAX_SHARED, IRQLAB_MAX_HOLD_US,
                           IRQLAB_MAX_DELAY_US, IRQLAB_MAX_NAPI_WEIGHT);
    default:
        return explain_device_error(err, attach->bdf);
    }
}

// ENGINE_DETACH and ENGINE_FLUSH: a bitmap of attached vectors.
template <typename Request>
std::string explain_engine_vectors(int err, const void* arg) {
    const auto* detach = static_cast<const Request*>(arg);
    if (err == ENOENT)
        return fmt::format("a chosen vector of {} is not attached to the engine, or {} is "
                           "not claimed",
                           detach->bdf, detach->bdf);
    if (err == ERANGE)
        return fmt::format("a chosen vector is out of range for {}", detach->bdf);
    return explain_device_error(err, detach->bdf);
}

std::string explain_mech_attach(int err, const void* arg) {
    const auto* attach = static_cast<const irqlab_mech_attach*>(arg);
    switch (err) {
    case EBUSY:
        return fmt::format("a chosen vector of {} is attached already (to a mechanism or the "
                           "engine); detach it first",
                           attach->bdf);
    case ERANGE:
        return fmt::format("a chosen vector is out of range for {}", attach->bdf);
    case EINVAL:
        return fmt::format("invalid mechanism {} or path {}", attach->mechanism, attach->path);
    default:
        return explain_device_error(err, attach->bdf);
    }
}

std::string explain_mech_detach(int err, const void* arg) {
    const auto* detach = static_cast<const irqlab_mech_detach*>(arg);
    if (err == ENOENT)
        return fmt::format("a chosen vector of {} is not attached to a mechanism, or {} is "
                           "not claimed",
                           detach->bdf, detach->bdf);
    return explain_device_error(err, detach->bdf);
}

std::string explain_hist_config(int err, const void*) {
    if (err == EBUSY)
        return "histograms cannot change while this command measures vectors; detach them first";
    if (err == EINVAL)
        return fmt::format("invalid histogram layout: 1-{} buckets, width 1 ns to 1 s",
                           IRQLAB_HIST_MAX_BUCKETS);
    return {};
}

std::string explain_reset(int err, const void* arg) {
    const auto* reset = static_cast<const irqlab_reset*>(arg);
    if (err == EBUSY)
        return fmt::format("a run is active on {}; stop it before resetting", reset->bdf);
    return explain_device_error(err, reset->bdf);
}

} // namespace

void copy_bdf(char (&field)[IRQLAB_BDF_LEN], const std::string& bdf) {
    if (bdf.empty() || bdf.size() >= IRQLAB_BDF_LEN)
        throw Error{fmt::format("'{}' is not a PCI address (expected dddd:bb:dd.f)", bdf)};
    std::memset(field, 0, sizeof(field));
    std::memcpy(field, bdf.data(), bdf.size());
}

std::string abi_mismatch(const irqlab_version& module) {
    return fmt::format("irqlab CLI speaks ABI {}.x, the loaded module speaks ABI {}.{}: load the "
                       "matching irqlab.ko (or use the CLI built with that module)",
                       IRQLAB_ABI_MAJOR, module.abi_major, module.abi_minor);
}

Device::Device(const char* path, Abi abi) : fd_{-1}, path_{path} {
    fd_ = ::open(path, O_RDWR | O_CLOEXEC);
    if (fd_ >= 0) {
        if (abi == Abi::any)
            return;
        // VERSION's struct is the one every ABI major keeps.
        const irqlab_version loaded = version();
        if (loaded.abi_major != IRQLAB_ABI_MAJOR) {
            ::close(fd_);
            fd_ = -1;
            throw Error{abi_mismatch(loaded)};
        }
        return;
    }
    const int err = errno;
    if (err == ENOENT && !module_loaded())
        throw Error{fmt::format("module not loaded: {} does not exist; load it with "
                                "'sudo insmod irqlab.ko' (or 'sudo modprobe irqlab' if installed)",
                                path_)};
    if (err == ENOENT)
        throw Error{fmt::format("the irqlab module is loaded but {} is missing: "
                                "is devtmpfs mounted on /dev?",
                                path_)};
    if (err == EACCES || err == EPERM)
        throw Error{not_privileged(path_)};
    throw Error{fmt::format("cannot open {}: {}", path_, std::strerror(err))};
}

Device::~Device() {
    if (fd_ >= 0)
        ::close(fd_);
}

void Device::call(unsigned long cmd, void* arg, const char* what,
                  std::string (*explain)(int err, const void* arg)) const {
    call_unless(0, cmd, arg, what, explain);
}

bool Device::call_unless(int absent_errno, unsigned long cmd, void* arg, const char* what,
                         std::string (*explain)(int err, const void* arg)) const {
    if (::ioctl(fd_, cmd, arg) == 0)
        return true;
    const int err = errno;
    if (absent_errno != 0 && err == absent_errno)
        return false;
    if (err == EPERM || err == EACCES)
        throw Error{not_privileged(path_)};
    if (explain) {
        if (std::string message = explain(err, arg); !message.empty())
            throw Error{message};
    }
    if (err == ENOTTY)
        throw Error{fmt::format("{}: the module does not know this request; CLI and module "
                                "are from different builds",
                                what)};
    throw Error{fmt::format("{}: {}", what, std::strerror(err))};
}

irqlab_version Device::version() const {
    irqlab_version v{};
    call(IRQLAB_IOC_VERSION, &v, "VERSION");
    // The module NUL-terminates; enforce it so a bad module cannot overrun.
    v.module_version[sizeof(v.module_version) - 1] = '\0';
    v.kernel_release[sizeof(v.kernel_release) - 1] = '\0';
    return v;
}

const irqlab_info& Device::info() const {
    if (!info_) {
        irqlab_info info{};
        call(IRQLAB_IOC_INFO, &info, "INFO");
        info_ = info;
    }
    return *info_;
}

irqlab_claim Device::claim(const std::string& bdf, uint32_t flags) const {
    irqlab_claim claim{};
    copy_bdf(claim.bdf, bdf);
    claim.flags = flags;
    call(IRQLAB_IOC_CLAIM, &claim, "claim", explain_claim);
    claim.driver[sizeof(claim.driver) - 1] = '\0';
    return claim;
}

void Device::release(const std::string& bdf, uint32_t flags) const {
    irqlab_release release{};
    copy_bdf(release.bdf, bdf);
    release.flags = flags;
    call(IRQLAB_IOC_RELEASE, &release, "release", explain_for<irqlab_release>);
}

VectorInfo Device::vector_info(const std::string& bdf, unsigned vector) const {
    VectorInfo answer{.affinity = Bitmap{nr_cpus()}, .effective_affinity = Bitmap{nr_cpus()}};
    irqlab_vector_info info{};
    copy_bdf(info.bdf, bdf);
    info.vector = vector;
    info.affinity = answer.affinity.out();
    info.effective_affinity = answer.effective_affinity.out();
    call(IRQLAB_IOC_VECTOR_INFO, &info, "vector info", explain_vector<irqlab_vector_info>);
    answer.nr_vectors = info.nr_vectors;
    answer.irq = info.irq;
    answer.triggers = info.triggers;
    answer.affinity.resize(info.affinity.nr);
    answer.effective_affinity.resize(info.effective_affinity.nr);
    return answer;
}

irqlab_vector_route Device::vector_route(const std::string& bdf, unsigned vector) const {
    return vector_request<irqlab_vector_route>(IRQLAB_IOC_VECTOR_ROUTE, bdf, vector, "vector route",
                                               explain_vector<irqlab_vector_route>);
}

void Device::set_affinity(const std::string& bdf, unsigned vector, const Bitmap& cpus) const {
    irqlab_affinity affinity{};
    copy_bdf(affinity.bdf, bdf);
    affinity.vector = vector;
    affinity.cpus = cpus.in();
    call(IRQLAB_IOC_SET_AFFINITY, &affinity, "affinity", explain_affinity);
}

void Device::fire(const irqlab_fire& fire, const Bitmap& vectors) const {
    irqlab_fire copy = fire;
    copy.vectors = vectors.in();
    call(IRQLAB_IOC_FIRE, &copy, "fire", explain_fire);
}

irqlab_run_status Device::run_status(const std::string& bdf) const {
    irqlab_run_status status{};
    copy_bdf(status.bdf, bdf);
    call(IRQLAB_IOC_RUN_STATUS, &status, "run status", explain_for<irqlab_run_status>);
    return status;
}

void Device::stop(const std::string& bdf) const {
    irqlab_stop stop{};
    if (!bdf.empty())
        copy_bdf(stop.bdf, bdf);
    call(IRQLAB_IOC_STOP, &stop, "stop", explain_for<irqlab_stop>);
}

VectorStats Device::stats(const std::string& bdf, unsigned vector) const {
    VectorStats answer{std::vector<irqlab_counters>(nr_cpus())};
    irqlab_vector_stats stats{};
    copy_bdf(stats.bdf, bdf);
    stats.vector = vector;
    stats.cpus = out_array(answer.cpu);
    call(IRQLAB_IOC_STATS, &stats, "stats", explain_for<irqlab_vector_stats>);
    answer.cpu.resize(stats.cpus.nr);
    return answer;
}

void Device::reset(const std::string& bdf) const {
    irqlab_reset reset{};
    copy_bdf(reset.bdf, bdf);
    call(IRQLAB_IOC_RESET, &reset, "reset", explain_reset);
}

std::vector<std::string> Device::claimed() const {
    using Bdf = std::array<char, IRQLAB_BDF_LEN>;
    // Devices may be claimed meanwhile: E2BIG says how many there are now.
    std::vector<Bdf> bdfs(info().nr_devices + 4);
    irqlab_device_list list{};
    for (;;) {
        list.bdfs = out_array(bdfs);
        if (call_unless(E2BIG, IRQLAB_IOC_LIST, &list, "list"))
            break;
        bdfs.resize(list.bdfs.nr + 4);
    }
    std::vector<std::string> devices;
    for (unsigned i = 0; i < list.bdfs.nr && i < bdfs.size(); ++i)
        devices.emplace_back(bdfs[i].data(), strnlen(bdfs[i].data(), IRQLAB_BDF_LEN));
    return devices;
}

irqlab_device_caps Device::caps(uint16_t vendor, uint16_t device) const {
    irqlab_device_caps caps{};
    caps.vendor = vendor;
    caps.device = device;
    call(IRQLAB_IOC_DEVICE_CAPS, &caps, "device caps");
    caps.name[sizeof(caps.name) - 1] = '\0';
    return caps;
}

void Device::engine_attach(const irqlab_engine_attach& attach, const Bitmap& vectors) const {
    irqlab_engine_attach copy = attach;
    copy.vectors = vectors.in();
    call(IRQLAB_IOC_ENGINE_ATTACH, &copy, "engine attach", explain_engine_attach);
}

void Device::engine_detach(const std::string& bdf, const Bitmap& vectors) const {
    irqlab_engine_detach detach{};
    copy_bdf(detach.bdf, bdf);
    detach.vectors = vectors.in();
    call(IRQLAB_IOC_ENGINE_DETACH, &detach, "engine detach",
         explain_engine_vectors<irqlab_engine_detach>);
}

std::optional<EngineLine> Device::engine_line(const std::string& bdf, unsigned vector) const {
    EngineLine line{};
    line.cpu_count.resize(nr_cpus());
    copy_bdf(line.bdf, bdf);
    line.vector = vector;
    line.count = out_array(line.cpu_count);
    if (!call_unless(ENOENT, IRQLAB_IOC_ENGINE_LINE, static_cast<irqlab_engine_line*>(&line),
                     "engine line", explain_for<irqlab_engine_line>))
        return std::nullopt;
    line.cpu_count.resize(line.count.nr);
    line.count = irqlab_array{};
    return line;
}

irqlab_engine_softirqs Device::engine_softirqs(unsigned cpu) const {
    irqlab_engine_softirqs softirqs{};
    softirqs.cpu = cpu;
    call(IRQLAB_IOC_ENGINE_SOFTIRQS, &softirqs, "engine softirqs");
    for (auto& slot : softirqs.slot)
        slot.name[sizeof(slot.name) - 1] = '\0';
    return softirqs;
}

void Device::engine_flush(const std::string& bdf, const Bitmap& vectors) const {
    irqlab_engine_flush flush{};
    copy_bdf(flush.bdf, bdf);
    flush.vectors = vectors.in();
    call(IRQLAB_IOC_ENGINE_FLUSH, &flush, "engine flush",
         explain_engine_vectors<irqlab_engine_flush>);
}

std::optional<irqlab_engine_pool> Device::engine_pool(unsigned index) const {
    irqlab_engine_pool pool{};
    pool.index = index;
    if (!call_unless(ERANGE, IRQLAB_IOC_ENGINE_POOL, &pool, "engine pool"))
        return std::nullopt;
    return pool;
}

std::optional<irqlab_engine_workqueue> Device::engine_workqueue(unsigned index) const {
    irqlab_engine_workqueue wq{};
    wq.index = index;
    if (!call_unless(ERANGE, IRQLAB_IOC_ENGINE_WORKQUEUE, &wq, "engine workqueue"))
        return std::nullopt;
    wq.name[sizeof(wq.name) - 1] = '\0';
    return wq;
}

irqlab_engine_config Device::engine_config(const irqlab_engine_config& request) const {
    irqlab_engine_config config = request;
    call(IRQLAB_IOC_ENGINE_CONFIG, &config, "engine config");
    return config;
}

bool Device::mech_attach(const irqlab_mech_attach& attach, const Bitmap& vectors) const {
    irqlab_mech_attach copy = attach;
    copy.vectors = vectors.in();
    return call_unless(EOPNOTSUPP, IRQLAB_IOC_MECH_ATTACH, &copy, "mechanism attach",
                       explain_mech_attach);
}

void Device::mech_detach(const std::string& bdf, const Bitmap& vectors) const {
    irqlab_mech_detach detach{};
    copy_bdf(detach.bdf, bdf);
    detach.vectors = vectors.in();
    call(IRQLAB_IOC_MECH_DETACH, &detach, "mechanism detach", explain_mech_detach);
}

irqlab_mech_stats Device::mech_stats(const std::string& bdf, unsigned vector) const {
    return vector_request<irqlab_mech_stats>(IRQLAB_IOC_MECH_STATS, bdf, vector, "mechanism stats",
                                             explain_for<irqlab_mech_stats>);
}

void Device::hist_config(const irqlab_hist_config& config) const {
    irqlab_hist_config copy = config;
    call(IRQLAB_IOC_HIST_CONFIG, &copy, "histogram config", explain_hist_config);
}

irqlab_hist Device::hist_read(unsigned mechanism, unsigned path, unsigned metric, int cpu) const {
    irqlab_hist hist{};
    hist.mechanism = mechanism;
    hist.path = path;
    hist.metric = metric;
    hist.cpu = cpu;
    call(IRQLAB_IOC_HIST_READ, &hist, "histogram read");
    return hist;
}

} // namespace irqlab::cli
