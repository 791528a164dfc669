// Error numbers for the core's "0 or -errno" results. The core cannot
// include <errno.h> (no libc headers in the kernel build); these are the
// Linux values, which the glue passes straight back to user space.
#pragma once

namespace irqlab::base {

enum Errno : int {
    eperm = 1,
    enoent = 2,
    eintr = 4,
    eagain = 11,
    enomem = 12,
    ebusy = 16,
    eexist = 17,
    einval = 22,
    enospc = 28,
    erange = 34,
    enosys = 38,
    etimedout = 110,
    ealready = 114,
};

} // namespace irqlab::base
