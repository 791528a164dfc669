#include "subprocess.h"

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <spawn.h>
#include <string_view>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>

extern char** environ;

namespace irqlab::cli {

namespace {

// One end of a pipe, closed when it goes.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_{fd} {}
    ~Fd() { reset(); }
    Fd(Fd&& other) noexcept : fd_{std::exchange(other.fd_, -1)} {}
    Fd& operator=(Fd&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    void reset() {
        if (fd_ >= 0)
            close(std::exchange(fd_, -1));
    }

private:
    int fd_ = -1;
};

struct Pipe {
    Fd read;
    Fd write;
};

// Close-on-exec, so that the child keeps only the ends dup2'd onto its
// standard streams.
int open_pipe(Pipe& p) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return errno;
    p.read = Fd{fds[0]};
    p.write = Fd{fds[1]};
    return 0;
}

// A program that quits early (gnuplot at its first error) must make the
// write fail with EPIPE, not kill the CLI with SIGPIPE.
class SigpipeIgnored {
public:
    SigpipeIgnored() {
        struct sigaction ignore {};
        ignore.sa_handler = SIG_IGN;
        sigaction(SIGPIPE, &ignore, &previous_);
    }
    ~SigpipeIgnored() { sigaction(SIGPIPE, &previous_, nullptr); }
    SigpipeIgnored(const SigpipeIgnored&) = delete;
    SigpipeIgnored& operator=(const SigpipeIgnored&) = delete;

private:
    struct sigaction previous_ {};
};

// Takes what failed as a view, so that no allocation touches errno before
// the caller's errno argument is read.
void fail(ProcessResult& result, int error_number, std::string_view what) {
    result.error_number = error_number;
    result.error = fmt::format("{}: {}", what, std::strerror(error_number));
}

// Writes what the child can take now; closes its stdin once all is written
// or it stopped reading (EPIPE: the rest is dropped).
void feed(Fd& to_child, std::string_view input, size_t& written) {
    const ssize_t done = write(to_child.get(), input.data() + written, input.size() - written);
    if (done < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    written += done > 0 ? static_cast<size_t>(done) : 0;
    if (done <= 0 || written == input.size())
        to_child.reset();
}

// Reads what the child wrote; closes the pipe at its end.
void drain(Fd& from_child, std::string& into) {
    char buffer[4096];
    const ssize_t got = read(from_child.get(), buffer, sizeof buffer);
    if (got < 0 && errno == EINTR)
        return;
    if (got <= 0)
        from_child.reset();
    else
        into.append(buffer, static_cast<size_t>(got));
}

// Feeds stdin and drains stdout and stderr at once: done one after the
// other, a child blocked on a full output pipe would never read the rest
// of its input.
void exchange(std::string_view input, Fd& to_child, Fd& from_out, Fd& from_err,
              ProcessResult& result) {
    if (input.empty())
        to_child.reset();
    else if (fcntl(to_child.get(), F_SETFL, O_NONBLOCK) != 0)
        return fail(result, errno, "fcntl");
    size_t written = 0;
    while (to_child || from_out || from_err) {
        // poll skips the negative fds of the ends already closed.
        std::array<pollfd, 3> fds = {{{to_child.get(), POLLOUT, 0},
                                      {from_out.get(), POLLIN, 0},
                                      {from_err.get(), POLLIN, 0}}};
        if (poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR)
                continue;
            return fail(result, errno, "poll");
        }
        if (fds[0].revents)
            feed(to_child, input, written);
        if (fds[1].revents)
            drain(from_out, result.out);
        if (fds[2].revents)
            drain(from_err, result.err);
    }
}

void record_status(int status, ProcessResult& result) {
    if (WIFEXITED(status))
        result.exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        result.signal = WTERMSIG(status);
}

} // namespace

ProcessResult run_process(const std::vector<std::string>& argv, std::string_view input,
                          Stdout stdout_to) {
    ProcessResult result;
    if (argv.empty()) {
        fail(result, EINVAL, "no program to run");
        return result;
    }
    Pipe in;
    Pipe out;
    Pipe err;
    for (Pipe* p : {&in, &out, &err}) {
        if (p == &out && stdout_to == Stdout::discard)
            continue;
        if (const int error = open_pipe(*p); error != 0) {
            fail(result, error, "pipe");
            return result;
        }
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in.read.get(), STDIN_FILENO);
    if (stdout_to == Stdout::capture)
        posix_spawn_file_actions_adddup2(&actions, out.write.get(), STDOUT_FILENO);
    else
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, err.write.get(), STDERR_FILENO);
    std::vector<char*> args;
    for (const std::string& arg : argv)
        args.push_back(const_cast<char*>(arg.c_str())); // posix_spawn's API, not written to
    args.push_back(nullptr);
    pid_t pid = 0;
    const int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    // The child's ends: while the parent holds them, no read sees EOF.
    in.read.reset();
    out.write.reset();
    err.write.reset();
    if (spawned != 0) {
        fail(result, spawned, fmt::format("cannot run {}", argv[0]));
        return result;
    }
    result.started = true;
    {
        const SigpipeIgnored sigpipe;
        exchange(input, in.write, out.read, err.read, result);
    }
    // After a failure some ends are still open: closing them lets the
    // child end.
    in.write.reset();
    out.read.reset();
    err.read.reset();
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            fail(result, errno, "waitpid");
            return result;
        }
    }
    record_status(status, result);
    return result;
}

} // namespace irqlab::cli
