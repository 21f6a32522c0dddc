#include "tests/support/child_process.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <system_error>
#include <thread>
#include <unistd.h>

namespace sevd::test {
namespace {

int decode_status(int status) {
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}

// Between fork and exec only async-signal-safe calls; everything is prepared before.
[[noreturn]] void exec_child(const std::vector<char*>& argv, const ChildOptions& options,
                             int output_fd) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (options.cpu) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(*options.cpu, &set);
        sched_setaffinity(0, sizeof set, &set);
    }
    if (options.stdout_fd >= 0)
        dup2(options.stdout_fd, STDOUT_FILENO);
    else if (output_fd >= 0)
        dup2(output_fd, STDOUT_FILENO);
    if (output_fd >= 0)
        dup2(output_fd, STDERR_FILENO);
    execvp(argv[0], argv.data());
    _exit(127);
}

} // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const ChildOptions& options) {
    std::vector<std::string> args = argv;
    std::vector<char*> cargv;
    for (auto& a : args)
        cargv.push_back(a.data());
    cargv.push_back(nullptr);
    int output_fd = -1;
    if (options.output_file) {
        output_fd =
            open(options.output_file->c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (output_fd < 0)
            throw std::system_error(errno, std::generic_category(),
                                    "open " + options.output_file->string());
    }
    // The environment is set in the parent copy only between fork and exec.
    pid_ = fork();
    if (pid_ < 0)
        throw std::system_error(errno, std::generic_category(), "fork");
    if (pid_ == 0) {
        for (const auto& [key, value] : options.env)
            setenv(key.c_str(), value.c_str(), 1);
        exec_child(cargv, options, output_fd);
    }
    if (output_fd >= 0)
        close(output_fd);
}

ChildProcess::~ChildProcess() {
    if (!stop(SIGTERM, std::chrono::seconds(5)))
        stop(SIGKILL, std::chrono::seconds(5));
}

std::optional<int> ChildProcess::poll_exit() {
    if (status_ || pid_ <= 0)
        return status_;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_)
        status_ = decode_status(status);
    return status_;
}

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!poll_exit()) {
        if (std::chrono::steady_clock::now() >= deadline)
            return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return status_;
}

std::optional<int> ChildProcess::stop(int signo, std::chrono::milliseconds timeout) {
    if (poll_exit())
        return status_;
    kill(pid_, signo);
    return wait_exit(timeout);
}

CommandResult run_command(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env,
                          std::chrono::milliseconds timeout) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        throw std::system_error(errno, std::generic_category(), "pipe2");
    ChildOptions options;
    options.env = env;
    options.stdout_fd = fds[1];
    std::optional<ChildProcess> child;
    {
        // stderr joins stdout: the child dup2s stdout, then we point stderr at it too.
        std::vector<std::string> wrapped = {"sh", "-c", "exec \"$@\" 2>&1", "sh"};
        wrapped.insert(wrapped.end(), argv.begin(), argv.end());
        child.emplace(wrapped, options);
    }
    close(fds[1]);
    CommandResult result;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd pfd{fds[0], POLLIN, 0};
        if (left.count() <= 0 || poll(&pfd, 1, static_cast<int>(left.count())) <= 0)
            break; // timed out: the child is killed below
        char buf[4096];
        const ssize_t n = read(fds[0], buf, sizeof buf);
        if (n <= 0)
            break;
        result.output.append(buf, static_cast<size_t>(n));
    }
    close(fds[0]);
    auto status = child->wait_exit(std::chrono::duration_cast<std::chrono::milliseconds>(std::max(
        deadline - std::chrono::steady_clock::now(), std::chrono::steady_clock::duration{})));
    if (!status)
        status = child->stop(SIGKILL, std::chrono::seconds(5));
    result.exit_code = status.value_or(-1);
    return result;
}

std::vector<pid_t> child_pids(pid_t parent, const std::string& comm) {
    std::vector<pid_t> found;
    const auto tasks = std::filesystem::path("/proc") / std::to_string(parent) / "task";
    std::error_code ec;
    for (const auto& task : std::filesystem::directory_iterator(tasks, ec)) {
        std::ifstream children(task.path() / "children");
        pid_t child = 0;
        while (children >> child) {
            std::ifstream comm_file("/proc/" + std::to_string(child) + "/comm");
            std::string name;
            std::getline(comm_file, name);
            if (name == comm)
                found.push_back(child);
        }
    }
    return found;
}

bool process_gone(pid_t pid) {
    return ::kill(pid, 0) != 0 && errno == ESRCH;
}

bool maps_library(pid_t pid, const std::string& library) {
    std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
    std::string line;
    while (std::getline(maps, line))
        if (line.find(library) != std::string::npos)
            return true;
    return false;
}

std::vector<std::string> as_nobody(std::vector<std::string> argv) {
    std::vector<std::string> wrapped = {"setpriv", "--reuid=nobody", "--regid=nogroup",
                                        "--clear-groups"};
    wrapped.insert(wrapped.end(), argv.begin(), argv.end());
    return wrapped;
}

} // namespace sevd::test
