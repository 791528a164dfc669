// Running a helper program (gnuplot for `irqlab compare --plot`) without a
// shell: its argv as given, a string on its stdin, its output captured.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace irqlab::cli {

// Where the program's stdout goes.
enum class Stdout {
    capture, // into ProcessResult::out
    discard, // to /dev/null: output nobody reads (an image)
};

struct ProcessResult {
    bool started = false; // false: 'error' says why it could not be run
    // Why it could not be run or followed to its end ("pipe: ...",
    // "cannot run gnuplot: ..."); empty when all went well.
    std::string error;
    int error_number = 0; // the errno behind 'error'; ENOENT: no such program
    int exit_code = -1;   // -1: it did not exit by itself
    int signal = 0;       // the signal that ended it, if one did
    std::string out;      // its stdout, when captured
    std::string err;      // its stderr

    bool succeeded() const { return started && error.empty() && exit_code == 0; }
};

// Runs argv (argv[0] looked up in PATH), writes 'input' to its stdin,
// which is then closed, and waits for it to end. A program that exits
// without reading all of its input is no error: the rest is dropped.
ProcessResult run_process(const std::vector<std::string>& argv, std::string_view input = {},
                          Stdout stdout_to = Stdout::capture);

} // namespace irqlab::cli
