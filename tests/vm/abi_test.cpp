// Runs inside the test box with irqlab.ko loaded: checks /dev/irqlab and the
// ioctl ABI from raw syscalls (not through the CLI), one KTAP case per rule.
#include "irqlab/uapi.h"
#include "irqlab/version.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

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

} // namespace

int main() {
    constexpr int tests = 9;
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
