// sevd-test-memlock-shim COMMAND [ARGS...]: runs COMMAND under a seccomp
// filter that makes raising RLIMIT_MEMLOCK (setrlimit, or prlimit64 with a
// new limit) succeed without effect; reading the limit, and every other
// resource, pass through. For the emulated SEV host only: root in this
// sandbox lacks CAP_SYS_RESOURCE, so libvirt's raise of the memlock limit
// for a <locked/> guest would fail every start that a real host accepts.
// The filter is inherited by libvirtd and the QEMU processes it starts.
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace {

constexpr unsigned kArch = offsetof(seccomp_data, arch);
constexpr unsigned kNr = offsetof(seccomp_data, nr);
constexpr unsigned arg_low(unsigned i) {
    return static_cast<unsigned>(offsetof(seccomp_data, args)) + 8 * i; // little-endian
}
constexpr unsigned arg_high(unsigned i) {
    return arg_low(i) + 4;
}

// linux/filter.h's BPF_STMT/BPF_JUMP macros use C casts; the same instructions here.
sock_filter load(unsigned offset) {
    return {static_cast<unsigned short>(BPF_LD | BPF_W | BPF_ABS), 0, 0, offset};
}
sock_filter jump_eq(unsigned value, unsigned char if_true, unsigned char if_false) {
    return {static_cast<unsigned short>(BPF_JMP | BPF_JEQ | BPF_K), if_true, if_false, value};
}
sock_filter ret(unsigned value) {
    return {static_cast<unsigned short>(BPF_RET | BPF_K), 0, 0, value};
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s COMMAND [ARGS...]\n", argv[0]);
        return 2;
    }
    // Jump offsets count from the next instruction: 13 = no-op success, 14 = allow.
    sock_filter program[] = {
        /* 0 */ load(kArch),
        /* 1 */ jump_eq(AUDIT_ARCH_X86_64, 0, 12),
        /* 2 */ load(kNr),
        /* 3 */ jump_eq(SYS_prlimit64, 0, 6),
        /* 4 */ load(arg_low(1)),
        /* 5 */ jump_eq(RLIMIT_MEMLOCK, 0, 8),
        /* 6 */ load(arg_low(2)),
        /* 7 */ jump_eq(0, 0, 5),
        /* 8 */ load(arg_high(2)),
        /* 9 */ jump_eq(0, 4, 3),
        /* 10 */ jump_eq(SYS_setrlimit, 0, 3),
        /* 11 */ load(arg_low(0)),
        /* 12 */ jump_eq(RLIMIT_MEMLOCK, 0, 1),
        /* 13 */ ret(SECCOMP_RET_ERRNO | 0),
        /* 14 */ ret(SECCOMP_RET_ALLOW),
    };
    const sock_fprog filter{static_cast<unsigned short>(sizeof program / sizeof program[0]),
                            program};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &filter) != 0) {
        std::fprintf(stderr, "sevd-test-memlock-shim: seccomp: %s\n", std::strerror(errno));
        return 1;
    }
    execvp(argv[1], argv + 1);
    std::fprintf(stderr, "sevd-test-memlock-shim: exec %s: %s\n", argv[1], std::strerror(errno));
    return 127;
}
