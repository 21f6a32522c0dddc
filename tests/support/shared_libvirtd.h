// A gtest fixture base that gives a whole suite one private libvirtd
// (LibvirtdInstance): QEMU capability probing makes its start slow, so it is
// started once in SetUpTestSuite and stopped by PID in TearDownTestSuite.
// `Suite` (the deriving fixture, CRTP) gives each suite its own instance.
// SetUp() fails when libvirtd could not start and skips when it is not
// installed; a deriving SetUp() calls it first and returns when
// IsSkipped() || HasFatalFailure().
#pragma once

#include <exception>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/libvirtd_instance.h"

namespace sevd::test {

template <typename Suite>
class SharedLibvirtd : public testing::Test {
protected:
    static void SetUpTestSuite() {
        if (!LibvirtdInstance::available())
            return;
        try {
            libvirtd_ = std::make_unique<LibvirtdInstance>();
        } catch (const std::exception& e) {
            start_error_ = e.what();
        }
    }
    static void TearDownTestSuite() { libvirtd_.reset(); }

    void SetUp() override {
        if (!start_error_.empty())
            FAIL() << "private libvirtd did not start: " << start_error_;
        if (!libvirtd_)
            GTEST_SKIP() << LibvirtdInstance::kBinary << " is not installed";
    }
    bool libvirtd_missing() const { return IsSkipped() || HasFatalFailure(); }

    static inline std::unique_ptr<LibvirtdInstance> libvirtd_;
    static inline std::string start_error_;
};

} // namespace sevd::test
