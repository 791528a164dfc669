// The kernel's log as irqlab torture watches it: every record written to
// /dev/kmsg after the torture started, matched against the reports that
// make a run a FAILURE (the splat list of tests/vm/suite.sh, plus lockdep's
// other reports and the hung task detector).
#pragma once

#include <string>
#include <vector>

namespace irqlab::cli::torture {

// True when one log message is a kernel report: WARN, BUG, Oops, KASAN,
// UBSAN, lockdep, hung task, ...
bool is_splat(const std::string& message);

class KmsgWatcher {
public:
    // Opens /dev/kmsg at its end; when it cannot, 'note()' says why and
    // poll() finds nothing (the verdict then says the log was not watched).
    KmsgWatcher();
    ~KmsgWatcher();
    KmsgWatcher(const KmsgWatcher&) = delete;
    KmsgWatcher& operator=(const KmsgWatcher&) = delete;

    bool watching() const { return fd_ >= 0; }
    const std::string& note() const { return note_; }
    // Reads what was logged since the last call; returns the reports.
    std::vector<std::string> poll();
    // Times records were overwritten before poll() read them.
    unsigned lost() const { return lost_; }

private:
    int fd_ = -1;
    std::string note_;
    unsigned lost_ = 0;
};

} // namespace irqlab::cli::torture
