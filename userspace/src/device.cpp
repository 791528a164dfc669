#include "device.h"

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

} // namespace

Device::Device(const char* path) : fd_{-1}, path_{path} {
    fd_ = ::open(path, O_RDWR | O_CLOEXEC);
    if (fd_ >= 0)
        return;
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

void Device::call(unsigned long cmd, void* arg, const char* what) const {
    if (::ioctl(fd_, cmd, arg) == 0)
        return;
    const int err = errno;
    if (err == EPERM || err == EACCES)
        throw Error{not_privileged(path_)};
    if (err == ENOTTY || err == EINVAL)
        throw Error{fmt::format("{}: the module does not understand this request ({}); "
                                "CLI and module are from different builds",
                                what, std::strerror(err))};
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

} // namespace irqlab::cli
