#include "torture_kmsg.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <regex>
#include <unistd.h>

namespace irqlab::cli::torture {

bool is_splat(const std::string& message) {
    static const std::regex splat{
        "WARNING:|BUG:|Oops|Call Trace|Kernel panic|objtool|Unpatched return thunk|UBSAN|KASAN|"
        "ODEBUG|possible recursive locking|circular locking|inconsistent lock state|"
        "possible irq lock inversion|sleeping function called|INFO: task .* blocked for more than|"
        // A message that reached a CPU with no handler for its vector:
        // a vector freed or moved under a trigger still in flight.
        "unexpected IRQ trap at vector|No irq handler for vector|Dying CPU not properly vacated",
        std::regex::extended};
    return std::regex_search(message, splat);
}

KmsgWatcher::KmsgWatcher() {
    fd_ = ::open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd_ < 0) {
        note_ = fmt::format("cannot read /dev/kmsg: {}", std::strerror(errno));
        return;
    }
    // Only what this run causes: start at the end of the log.
    ::lseek(fd_, 0, SEEK_END);
}

KmsgWatcher::~KmsgWatcher() {
    if (fd_ >= 0)
        ::close(fd_);
}

std::vector<std::string> KmsgWatcher::poll() {
    std::vector<std::string> found;
    if (fd_ < 0)
        return found;
    char record[8192];
    for (;;) {
        const ssize_t n = ::read(fd_, record, sizeof(record) - 1);
        if (n < 0 && errno == EPIPE) {
            // Records were overwritten before we read them: counted, go on.
            ++lost_;
            continue;
        }
        if (n <= 0)
            break;
        record[n] = '\0';
        // "prio,seq,ts,flags;message\n continuation lines"
        const char* text = std::strchr(record, ';');
        std::string message = text ? text + 1 : record;
        if (const size_t end = message.find('\n'); end != std::string::npos)
            message.resize(end);
        if (is_splat(message))
            found.push_back(message);
    }
    return found;
}

} // namespace irqlab::cli::torture
