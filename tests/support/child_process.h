// A child process started by fork/exec and stopped by its PID, never by name.
// It gets SIGTERM if the test process dies first (PR_SET_PDEATHSIG), and the
// destructor stops and reaps it, so nothing outlives a failed test.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace sevd::test {

struct ChildOptions {
    std::map<std::string, std::string> env;           // added to (or replacing in) the environment
    std::optional<std::filesystem::path> output_file; // stdout+stderr go here (else inherited)
    int stdout_fd = -1;     // when >= 0: the child's stdout (the parent keeps its copy)
    std::optional<int> cpu; // pin to this CPU (sched_setaffinity) before exec
};

class ChildProcess {
public:
    ChildProcess(const std::vector<std::string>& argv, const ChildOptions& options = {});
    ~ChildProcess(); // stop(): SIGTERM, then SIGKILL after 5 s
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }
    // Exit status if it has exited (reaps it); nullopt while it runs.
    std::optional<int> poll_exit();
    // Sends `signo` and waits up to `timeout`; returns the exit status
    // (128 + signal when killed by one), or nullopt if it is still running.
    std::optional<int> stop(int signo, std::chrono::milliseconds timeout);
    std::optional<int> wait_exit(std::chrono::milliseconds timeout);

private:
    pid_t pid_ = -1;
    std::optional<int> status_;
};

struct CommandResult {
    int exit_code = -1;
    std::string output; // stdout and stderr, interleaved
};

// Runs a command to completion (killed after `timeout`), capturing its output.
CommandResult run_command(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(30));

// The live children of `parent` (from /proc/PARENT/task/*/children, every
// thread's) whose command name (/proc/PID/comm) is `comm`.
std::vector<pid_t> child_pids(pid_t parent, const std::string& comm);

// Whether no process `pid` exists any more (it exited and was reaped).
bool process_gone(pid_t pid);

// Whether /proc/PID/maps maps a file whose name contains `library`.
bool maps_library(pid_t pid, const std::string& library);

// ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", argv...]
std::vector<std::string> as_nobody(std::vector<std::string> argv);

} // namespace sevd::test
