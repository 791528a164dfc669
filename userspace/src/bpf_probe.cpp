#include "bpf_probe.h"

#include "irqlab.bpf.h"
#include "irqlab.skel.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace irqlab::cli::bpf {

namespace {

// libbpf's messages while the probe loads: kept for the error message
// instead of printed, the last few kilobytes of them.
std::string* libbpf_log = nullptr;

int capture_libbpf(enum libbpf_print_level level, const char* format, va_list args) {
    if (!libbpf_log || level == LIBBPF_DEBUG)
        return 0;
    char line[512];
    const int n = vsnprintf(line, sizeof(line), format, args);
    if (n > 0)
        libbpf_log->append(line, std::min<size_t>(static_cast<size_t>(n), sizeof(line) - 1));
    constexpr size_t keep = 4096;
    if (libbpf_log->size() > keep)
        libbpf_log->erase(0, libbpf_log->size() - keep);
    return 0;
}

class CaptureLibbpf {
public:
    CaptureLibbpf() : previous_(libbpf_set_print(capture_libbpf)) { libbpf_log = &log_; }
    ~CaptureLibbpf() {
        libbpf_set_print(previous_);
        libbpf_log = nullptr;
    }
    CaptureLibbpf(const CaptureLibbpf&) = delete;
    CaptureLibbpf& operator=(const CaptureLibbpf&) = delete;

    // The captured lines, indented, after 'message'.
    std::string with_log(std::string message) const {
        if (log_.empty())
            return message;
        message += "\nlibbpf said:";
        size_t start = 0;
        while (start < log_.size()) {
            size_t end = log_.find('\n', start);
            if (end == std::string::npos)
                end = log_.size();
            if (end > start)
                message += "\n  " + log_.substr(start, end - start);
            start = end + 1;
        }
        return message;
    }

private:
    libbpf_print_fn_t previous_;
    std::string log_;
};

std::string errno_text(int err) {
    return std::strerror(err < 0 ? -err : err);
}

bool permission_error(int err) {
    err = err < 0 ? -err : err;
    return err == EPERM || err == EACCES;
}

constexpr const char* need_root =
    "the BPF probes need root (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN): run irqlab with sudo";

// The raw tracepoints irq.h and workqueue.h give every kernel irqlab
// supports; checked anyway, so that a kernel without one loses that
// probe only.
bool kernel_has_tracepoint(const btf* vmlinux, const char* name) {
    const std::string type = std::string("btf_trace_") + name;
    return btf__find_by_name_kind(vmlinux, type.c_str(), BTF_KIND_TYPEDEF) >= 0;
}

bool is_irqlab_program(const char* name) {
    return std::strncmp(name, "irqlab_", 7) == 0;
}

std::string check_inputs(const irqlab_hist_config& layout,
                         const std::vector<VectorLabel>& vectors) {
    if (layout.scale != IRQLAB_HIST_LINEAR && layout.scale != IRQLAB_HIST_LOG2)
        return "histogram scale " + std::to_string(layout.scale) + " is neither linear nor log2";
    if (layout.buckets < 1 || layout.buckets > IRQLAB_HIST_MAX_BUCKETS)
        return "histogram bucket count " + std::to_string(layout.buckets) + " is not in 1.." +
               std::to_string(IRQLAB_HIST_MAX_BUCKETS);
    if (layout.width_ns < 1)
        return "histogram bucket width must be at least 1 ns";
    for (const VectorLabel& v : vectors) {
        if (v.vector >= IRQLAB_BPF_MAX_VECTORS)
            return "vector " + std::to_string(v.vector) + ": the BPF probes measure vectors 0.." +
                   std::to_string(IRQLAB_BPF_MAX_VECTORS - 1);
        if (v.path >= IRQLAB_NR_PATHS || v.mech >= IRQLAB_NR_MECHS)
            return "vector " + std::to_string(v.vector) + ": path " + std::to_string(v.path) +
                   " / mechanism " + std::to_string(v.mech) + " out of range";
    }
    return {};
}

} // namespace

std::unique_ptr<Probe> Probe::load(const irqlab_hist_config& layout,
                                   const std::vector<VectorLabel>& vectors, std::string& error) {
    error.clear();
    if (std::string bad = check_inputs(layout, vectors); !bad.empty()) {
        error = "BPF probes: " + bad;
        return nullptr;
    }
    struct stat st {};
    if (stat("/sys/kernel/btf/vmlinux", &st) != 0) {
        error = "BPF probes: this kernel has no BTF (/sys/kernel/btf/vmlinux is missing); "
                "they need a kernel built with CONFIG_DEBUG_INFO_BTF=y (Debian's are)";
        return nullptr;
    }

    CaptureLibbpf capture;
    std::unique_ptr<Probe> probe(new Probe());
    probe->layout_ = layout;
    probe->vectors_ = vectors;
    const int ncpus = libbpf_num_possible_cpus();
    if (ncpus <= 0) {
        error = "BPF probes: cannot count the possible CPUs: " + errno_text(ncpus);
        return nullptr;
    }
    probe->ncpus_ = static_cast<unsigned>(ncpus);

    probe->skel_ = irqlab_bpf__open();
    if (!probe->skel_) {
        error = capture.with_log("BPF probes: cannot open the BPF object: " + errno_text(errno));
        return nullptr;
    }
    probe->skel_->rodata->hist_scale = layout.scale;
    probe->skel_->rodata->hist_buckets = layout.buckets;
    probe->skel_->rodata->hist_width_ns = layout.width_ns;

    btf* vmlinux = btf__load_vmlinux_btf();
    if (!vmlinux) {
        error = capture.with_log("BPF probes: cannot read the kernel's BTF: " + errno_text(errno));
        return nullptr;
    }
    bpf_program* prog = nullptr;
    bpf_object__for_each_program(prog, probe->skel_->obj) {
        const char* name = bpf_program__name(prog);
        if (is_irqlab_program(name))
            continue; // the module's, not in vmlinux BTF; attach() tells
        if (!kernel_has_tracepoint(vmlinux, name)) {
            bpf_program__set_autoload(prog, false);
            probe->skipped_.emplace_back(name);
        }
    }
    btf__free(vmlinux);

    if (int err = irqlab_bpf__load(probe->skel_); err) {
        if (permission_error(err) || geteuid() != 0)
            error = capture.with_log(std::string("BPF probes: ") + need_root);
        else
            error =
                capture.with_log("BPF probes: the kernel refused the programs: " + errno_text(err));
        return nullptr;
    }

    const int labels = bpf_map__fd(probe->skel_->maps.irq_labels);
    for (const VectorLabel& v : vectors) {
        if (v.linux_irq < 0)
            continue;
        const uint32_t irq = static_cast<uint32_t>(v.linux_irq);
        irqlab_bpf_label label{};
        label.vector = static_cast<int32_t>(v.vector);
        label.path = v.path;
        label.mech = v.mech;
        if (bpf_map_update_elem(labels, &irq, &label, BPF_ANY) != 0) {
            error =
                "BPF probes: cannot label irq " + std::to_string(irq) + ": " + errno_text(errno);
            return nullptr;
        }
    }
    probe->reset();
    return probe;
}

bool Probe::attach(std::string& error) {
    error.clear();
    CaptureLibbpf capture;
    if (int err = irqlab_bpf__attach(skel_); err) {
        // Find which one failed: the module's tracepoints are the usual ones.
        std::string which;
        libbpf_log = nullptr; // its first failure is in the log already
        bpf_program* prog = nullptr;
        bpf_object__for_each_program(prog, skel_->obj) {
            if (!bpf_program__autoload(prog))
                continue;
            bpf_link* link = bpf_program__attach(prog);
            if (!link) {
                which = bpf_program__name(prog);
                break;
            }
            bpf_link__destroy(link);
        }
        irqlab_bpf__detach(skel_);
        if (permission_error(err))
            error = capture.with_log(std::string("BPF probes: ") + need_root);
        else if (!which.empty() && is_irqlab_program(which.c_str()))
            error = capture.with_log("BPF probes: the tracepoint irqlab:" + which +
                                     " is not there: load irqlab.ko first (sudo insmod "
                                     "irqlab.ko), or rebuild it with this tracepoint");
        else
            error = capture.with_log("BPF probes: cannot attach " +
                                     (which.empty() ? std::string("the programs") : which) + ": " +
                                     errno_text(err));
        return false;
    }
    return true;
}

std::unique_ptr<Probe> Probe::open(const irqlab_hist_config& layout,
                                   const std::vector<VectorLabel>& vectors, std::string& error) {
    std::unique_ptr<Probe> probe = load(layout, vectors, error);
    if (probe && !probe->attach(error))
        probe.reset();
    return probe;
}

Probe::~Probe() {
    if (skel_)
        irqlab_bpf__destroy(skel_); // detaches, then frees
}

namespace {

// Zeroes every entry of an array map (per-CPU ones for every CPU).
void zero_array(const bpf_map* map, unsigned ncpus) {
    const bool percpu = bpf_map__type(map) == BPF_MAP_TYPE_PERCPU_ARRAY;
    const size_t value = (bpf_map__value_size(map) + 7) / 8 * 8;
    const std::vector<uint8_t> zeros(percpu ? value * ncpus : value, 0);
    const int fd = bpf_map__fd(map);
    for (uint32_t key = 0; key < bpf_map__max_entries(map); key++)
        bpf_map_update_elem(fd, &key, zeros.data(), BPF_ANY);
}

void clear_hash(const bpf_map* map) {
    const int fd = bpf_map__fd(map);
    uint64_t key = 0;
    // Deleting the key just read makes the next lookup start over.
    while (bpf_map_get_next_key(fd, nullptr, &key) == 0)
        if (bpf_map_delete_elem(fd, &key) != 0)
            break;
}

} // namespace

void Probe::reset() {
    zero_array(skel_->maps.hists, ncpus_);
    zero_array(skel_->maps.native_hists, ncpus_);
    zero_array(skel_->maps.vector_state, ncpus_);
    zero_array(skel_->maps.native_counts, ncpus_);
    zero_array(skel_->maps.cpu_state, ncpus_);
    clear_hash(skel_->maps.works);
}

irqlab_hist Probe::read_map(int map_fd, uint32_t key, int cpu) const {
    irqlab_hist out{};
    out.cpu = cpu;
    out.config = layout_;
    if (cpu >= static_cast<int>(ncpus_) || cpu < -1)
        return out;
    std::vector<irqlab_bpf_hist> values(ncpus_);
    if (bpf_map_lookup_elem(map_fd, &key, values.data()) != 0)
        return out;
    const unsigned first = cpu < 0 ? 0 : static_cast<unsigned>(cpu);
    const unsigned last = cpu < 0 ? ncpus_ : first + 1;
    for (unsigned c = first; c < last; c++) {
        const irqlab_bpf_hist& h = values[c];
        if (!h.count)
            continue;
        out.min_ns = out.count ? std::min(out.min_ns, h.min_ns) : h.min_ns;
        out.max_ns = std::max(out.max_ns, h.max_ns);
        out.count += h.count;
        out.sum_ns += h.sum_ns;
        out.overflow += h.overflow;
        for (unsigned b = 0; b < IRQLAB_HIST_MAX_BUCKETS; b++)
            out.bucket[b] += h.bucket[b];
    }
    return out;
}

irqlab_hist Probe::read(unsigned path, unsigned mech, unsigned metric, int cpu) const {
    irqlab_hist out{};
    if (path < IRQLAB_NR_PATHS && mech < IRQLAB_NR_MECHS && metric < IRQLAB_NR_METRICS)
        out = read_map(bpf_map__fd(skel_->maps.hists), IRQLAB_BPF_HIST(path, mech, metric), cpu);
    else
        out.config = layout_;
    out.mechanism = mech;
    out.path = path;
    out.metric = metric;
    out.cpu = cpu;
    return out;
}

irqlab_hist Probe::read_native(NativeLatency which, int cpu) const {
    irqlab_hist out =
        read_map(bpf_map__fd(skel_->maps.native_hists), static_cast<uint32_t>(which), cpu);
    out.mechanism = IRQLAB_MECH_NONE;
    out.path = IRQLAB_PATH_NATIVE;
    out.metric = IRQLAB_METRIC_DEFERRAL;
    return out;
}

NativeCounts Probe::native_counts(unsigned vector) const {
    NativeCounts out;
    irqlab_bpf_native_counts n{};
    const uint32_t key = vector;
    if (vector >= IRQLAB_BPF_MAX_VECTORS ||
        bpf_map_lookup_elem(bpf_map__fd(skel_->maps.native_counts), &key, &n) != 0)
        return out;
    out.softirq_raise = n.softirq_raise;
    out.softirq_entry = n.softirq_entry;
    out.softirq_exit = n.softirq_exit;
    out.tasklet_entry = n.tasklet_entry;
    out.tasklet_exit = n.tasklet_exit;
    out.wq_queue = n.wq_queue;
    out.wq_activate = n.wq_activate;
    out.wq_start = n.wq_start;
    out.wq_end = n.wq_end;
    return out;
}

uint64_t Probe::missed() const {
    uint64_t total = 0;
    bpf_program* prog = nullptr;
    bpf_object__for_each_program(prog, skel_->obj) {
        const int fd = bpf_program__fd(prog);
        if (fd < 0)
            continue;
        bpf_prog_info info{};
        uint32_t len = sizeof(info);
        if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
            total += info.recursion_misses;
    }
    return total;
}

int Probe::program_fd(std::string_view name) const {
    bpf_program* prog = nullptr;
    bpf_object__for_each_program(prog, skel_->obj) {
        if (name == bpf_program__name(prog))
            return bpf_program__fd(prog);
    }
    return -1;
}

} // namespace irqlab::cli::bpf
