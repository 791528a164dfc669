// The helper-program runner: argv, stdin, captured output, exit status and
// the errors of a program that cannot run.
#include "userspace/src/subprocess.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <string>

namespace irqlab::cli {
namespace {

TEST(Subprocess, FeedsStdinAndCapturesStdout) {
    const ProcessResult r = run_process({"/bin/cat"}, "one\ntwo\n");
    EXPECT_TRUE(r.started);
    EXPECT_TRUE(r.succeeded()) << r.error;
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, "one\ntwo\n");
    EXPECT_EQ(r.err, "");
}

TEST(Subprocess, InputAndOutputLargerThanAPipeDoNotDeadlock) {
    // 1 MiB through cat: written and read one after the other, both pipes
    // would fill and neither side would go on.
    std::string input;
    for (unsigned i = 0; input.size() < (1u << 20); ++i)
        input += std::to_string(i) + '\n';
    const ProcessResult r = run_process({"cat"}, input);
    EXPECT_TRUE(r.succeeded()) << r.error;
    EXPECT_EQ(r.out.size(), input.size());
    EXPECT_TRUE(r.out == input);
}

TEST(Subprocess, ReportsTheExitStatus) {
    const ProcessResult r = run_process({"/bin/sh", "-c", "exit 3"});
    EXPECT_TRUE(r.started);
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(r.signal, 0);
    EXPECT_EQ(r.error, "");
    EXPECT_FALSE(r.succeeded());
}

TEST(Subprocess, ReportsTheSignalThatEndedIt) {
    const ProcessResult r = run_process({"/bin/sh", "-c", "kill -TERM $$"});
    EXPECT_TRUE(r.started);
    EXPECT_EQ(r.signal, SIGTERM);
    EXPECT_EQ(r.exit_code, -1);
    EXPECT_FALSE(r.succeeded());
}

TEST(Subprocess, PassesArgumentsVerbatim) {
    // No shell in between: blanks and quotes reach the program as given.
    const ProcessResult r =
        run_process({"/bin/sh", "-c", "printf '%s|' \"$@\"", "sh", "a b", "it's", ""});
    EXPECT_TRUE(r.succeeded()) << r.error;
    EXPECT_EQ(r.out, "a b|it's||");
}

TEST(Subprocess, CapturesStderrApartFromStdout) {
    const ProcessResult r = run_process({"/bin/sh", "-c", "echo to-out; echo to-err >&2; exit 1"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.out, "to-out\n");
    EXPECT_EQ(r.err, "to-err\n");
}

TEST(Subprocess, DiscardsStdoutWhenAsked) {
    const ProcessResult r =
        run_process({"/bin/sh", "-c", "echo to-out; echo to-err >&2"}, {}, Stdout::discard);
    EXPECT_TRUE(r.succeeded()) << r.error;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "to-err\n");
}

TEST(Subprocess, AProgramThatStopsReadingIsNoError) {
    // 'true' exits without reading: the write gets EPIPE, and SIGPIPE must
    // not end this process.
    const ProcessResult r = run_process({"true"}, std::string(1u << 20, 'x'));
    EXPECT_TRUE(r.succeeded()) << r.error;
}

TEST(Subprocess, AMissingProgramSaysSo) {
    const ProcessResult r = run_process({"irqlab-no-such-program"}, "x");
    EXPECT_FALSE(r.started);
    EXPECT_FALSE(r.succeeded());
    EXPECT_EQ(r.error_number, ENOENT);
    EXPECT_EQ(r.error.rfind("cannot run irqlab-no-such-program: ", 0), 0u) << r.error;
}

TEST(Subprocess, NoProgramIsAnError) {
    const ProcessResult r = run_process({}, "x");
    EXPECT_FALSE(r.started);
    EXPECT_EQ(r.error_number, EINVAL);
    EXPECT_NE(r.error, "");
}

} // namespace
} // namespace irqlab::cli
