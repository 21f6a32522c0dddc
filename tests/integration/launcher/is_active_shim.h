// libvirt's virDomainIsActive, interposed in this test binary (the launcher is
// linked in statically, so its calls resolve here first): while a
// FailingIsActive lives, it answers -1, as libvirt does when it cannot tell
// whether a domain runs (e.g. its connection broke mid-call).
#pragma once

namespace sevd::launcher::testhost {

class FailingIsActive {
public:
    FailingIsActive();
    ~FailingIsActive();
    FailingIsActive(const FailingIsActive&) = delete;
    FailingIsActive& operator=(const FailingIsActive&) = delete;
};

} // namespace sevd::launcher::testhost
