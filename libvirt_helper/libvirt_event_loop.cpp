#include "libvirt_helper/libvirt_event_loop.h"

#include <cerrno>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "libvirt_helper/libvirt_handles.h"
#include "libvirt_helper/poll_event_impl.h"

namespace sevd::libvirt_helper {
namespace {

std::once_flag g_register_once;
std::atomic<bool> g_registered{false};
std::atomic<bool> g_running{false};
std::string g_register_error;

void register_impl() {
    libvirt::silence_default_error_printing();
    try {
        PollEventImpl::instance().register_with_libvirt();
    } catch (const std::runtime_error& e) {
        g_register_error = e.what();
        return;
    }
    g_registered.store(true);
}

} // namespace

LibvirtEventLoop::LibvirtEventLoop() {
    std::call_once(g_register_once, register_impl);
    if (!g_registered.load())
        throw std::runtime_error("libvirt's event loop cannot be registered: " + g_register_error);
    if (g_running.exchange(true))
        throw std::runtime_error("a libvirt event loop already runs in this process");
    thread_ = std::thread([this] { run(); });
}

LibvirtEventLoop::~LibvirtEventLoop() {
    quit_.store(true);
    PollEventImpl::instance().wake(); // the iteration under way returns and sees quit_
    thread_.join();
    g_running.store(false);
}

void LibvirtEventLoop::run() {
    while (!quit_.load()) {
        if (!PollEventImpl::instance().run_once()) {
            spdlog::error("libvirt's event loop failed: poll: {}; guests that stop by themselves "
                          "are noticed only when sevd re-reads libvirt",
                          std::strerror(errno));
            return;
        }
    }
}

} // namespace sevd::libvirt_helper
