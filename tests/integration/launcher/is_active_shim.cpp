#include "tests/integration/launcher/is_active_shim.h"

#include <atomic>
#include <dlfcn.h>

#include <libvirt/libvirt.h>

namespace sevd::launcher::testhost {
namespace {

std::atomic<bool> failing{false};

} // namespace

FailingIsActive::FailingIsActive() {
    failing = true;
}

FailingIsActive::~FailingIsActive() {
    failing = false;
}

} // namespace sevd::launcher::testhost

extern "C" int virDomainIsActive(virDomainPtr domain) {
    if (sevd::launcher::testhost::failing.load())
        return -1;
    using Real = int (*)(virDomainPtr);
    static const auto real = reinterpret_cast<Real>(dlsym(RTLD_NEXT, "virDomainIsActive"));
    return real(domain);
}
