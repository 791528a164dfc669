// The irqlab control device as the CLI sees it: open /dev/irqlab and issue
// ioctls, turning every failure into an Error that names cause and fix.
#pragma once

#include "irqlab/uapi.h"

#include <stdexcept>
#include <string>

namespace irqlab::cli {

// A failure the user can act on; what() is the whole message.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Device {
public:
    // Throws Error when the module is not loaded or the caller may not use it.
    explicit Device(const char* path = IRQLAB_DEVICE_PATH);
    ~Device();
    Device(const Device&) = delete;
    Device& operator=(const Device&) = delete;

    irqlab_version version() const;

private:
    // Issues one ioctl; on failure throws Error naming 'what' and errno.
    void call(unsigned long cmd, void* arg, const char* what) const;

    int fd_;
    std::string path_;
};

} // namespace irqlab::cli
