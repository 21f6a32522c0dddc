// A bare sd-bus client for round-trip benchmarks: every call goes through the
// same client code (send, wait, receive the whole reply), so ratios between
// calls compare the servers.
#pragma once

#include <stdexcept>
#include <string>

#include <systemd/sd-bus.h>

namespace sevd::bench {

class RawBus {
public:
    explicit RawBus(const std::string& address) {
        sd_bus_new(&bus_);
        sd_bus_set_address(bus_, address.c_str());
        sd_bus_set_bus_client(bus_, 1);
        if (sd_bus_start(bus_) < 0)
            throw std::runtime_error("cannot connect to " + address);
    }
    ~RawBus() { sd_bus_flush_close_unref(bus_); }
    RawBus(const RawBus&) = delete;
    RawBus& operator=(const RawBus&) = delete;

    void call(const char* dest, const char* path, const char* iface, const char* member,
              const char* arg) {
        sd_bus_message* reply = nullptr;
        sd_bus_error error{}; // SD_BUS_ERROR_NULL is a C compound literal (clang -Wpedantic)
        const int r =
            arg != nullptr
                ? sd_bus_call_method(bus_, dest, path, iface, member, &error, &reply, "s", arg)
                : sd_bus_call_method(bus_, dest, path, iface, member, &error, &reply, "");
        sd_bus_error_free(&error);
        if (r < 0)
            throw std::runtime_error(std::string("call ") + member + " failed");
        sd_bus_message_unref(reply);
    }

private:
    sd_bus* bus_ = nullptr;
};

} // namespace sevd::bench
