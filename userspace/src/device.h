// The irqlab control device as the CLI sees it: open /dev/irqlab and issue
// ioctls, turning every failure into an Error that names cause and fix.
#pragma once

#include "bitmap.h"
#include "irqlab/uapi.h"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace irqlab::cli {

// A failure the user can act on; what() is the whole message.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// IRQLAB_IOC_VECTOR_INFO with its CPU sets.
struct VectorInfo {
    unsigned nr_vectors = 0;
    unsigned irq = 0;
    uint32_t triggers = 0; // IRQLAB_TRIGGER_BIT()s
    Bitmap affinity;
    Bitmap effective_affinity;
};

// IRQLAB_IOC_STATS: one vector's counters, one row per CPU id.
struct VectorStats {
    std::vector<irqlab_counters> cpu;
};

// IRQLAB_IOC_ENGINE_LINE with its per-CPU engine hardirqs (its 'count'
// array points nowhere once returned).
struct EngineLine : irqlab_engine_line {
    std::vector<uint64_t> cpu_count;
};

// Copies a PCI address into an ABI field, or throws Error if it cannot fit.
void copy_bdf(char (&field)[IRQLAB_BDF_LEN], const std::string& bdf);

class Device {
public:
    enum class Abi { must_match, any };
    // Throws Error when the module is not loaded, the caller may not use it,
    // or (unless 'abi' is any) the module speaks another ABI major: every
    // other struct may differ then, so no other command is issued.
    explicit Device(const char* path = IRQLAB_DEVICE_PATH, Abi abi = Abi::must_match);
    ~Device();
    Device(const Device&) = delete;
    Device& operator=(const Device&) = delete;

    irqlab_version version() const;
    // IRQLAB_IOC_INFO, asked once.
    const irqlab_info& info() const;
    // CPU ids: the size of per-CPU arrays and CPU sets.
    unsigned nr_cpus() const { return info().nr_cpu_ids; }
    irqlab_claim claim(const std::string& bdf, uint32_t flags) const;
    void release(const std::string& bdf, uint32_t flags) const;
    VectorInfo vector_info(const std::string& bdf, unsigned vector) const;
    irqlab_vector_route vector_route(const std::string& bdf, unsigned vector) const;
    void set_affinity(const std::string& bdf, unsigned vector, const Bitmap& cpus) const;
    // fire.vectors is set from 'vectors'.
    void fire(const irqlab_fire& fire, const Bitmap& vectors) const;
    irqlab_run_status run_status(const std::string& bdf) const;
    void stop(const std::string& bdf) const; // "" stops every run
    VectorStats stats(const std::string& bdf, unsigned vector) const;
    void reset(const std::string& bdf) const;
    std::vector<std::string> claimed() const;
    irqlab_device_caps caps(uint16_t vendor, uint16_t device) const;

    // attach.vectors is set from 'vectors'.
    void engine_attach(const irqlab_engine_attach& attach, const Bitmap& vectors) const;
    void engine_detach(const std::string& bdf, const Bitmap& vectors) const;
    // Empty when the vector is not attached to the engine.
    std::optional<EngineLine> engine_line(const std::string& bdf, unsigned vector) const;
    irqlab_engine_softirqs engine_softirqs(unsigned cpu) const;
    void engine_flush(const std::string& bdf, const Bitmap& vectors) const;
    // Empty past the last pool / workqueue.
    std::optional<irqlab_engine_pool> engine_pool(unsigned index) const;
    std::optional<irqlab_engine_workqueue> engine_workqueue(unsigned index) const;
    irqlab_engine_config engine_config(const irqlab_engine_config& request) const;

    // False when the native kernel lacks the mechanism (EOPNOTSUPP).
    // attach.vectors is set from 'vectors'.
    bool mech_attach(const irqlab_mech_attach& attach, const Bitmap& vectors) const;
    void mech_detach(const std::string& bdf, const Bitmap& vectors) const;
    irqlab_mech_stats mech_stats(const std::string& bdf, unsigned vector) const;
    void hist_config(const irqlab_hist_config& config) const;
    irqlab_hist hist_read(unsigned mechanism, unsigned path, unsigned metric, int cpu) const;

private:
    // Issues one ioctl. On failure throws Error: 'explain' may turn the
    // errno into a message for that command, else a generic one is used.
    void call(unsigned long cmd, void* arg, const char* what,
              std::string (*explain)(int err, const void* arg) = nullptr) const;
    // As call(), but returns false instead of throwing when the ioctl
    // fails with 'absent_errno'.
    bool call_unless(int absent_errno, unsigned long cmd, void* arg, const char* what,
                     std::string (*explain)(int err, const void* arg) = nullptr) const;
    // A request that names one vector of a claimed device and has no other
    // input: its answer.
    template <typename Request>
    Request vector_request(unsigned long cmd, const std::string& bdf, unsigned vector,
                           const char* what,
                           std::string (*explain)(int err, const void* arg)) const {
        Request request{};
        copy_bdf(request.bdf, bdf);
        request.vector = vector;
        call(cmd, &request, what, explain);
        return request;
    }

    int fd_;
    std::string path_;
    mutable std::optional<irqlab_info> info_;
};

// The refusal of a module of another ABI major, naming both versions.
std::string abi_mismatch(const irqlab_version& module);

} // namespace irqlab::cli
