#include "common/logging.h"

#include <cstdlib>
#include <memory>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>

namespace sevd {

void setup_daemon_logging(const std::string& identifier) {
    std::shared_ptr<spdlog::logger> logger;
    if (std::getenv("JOURNAL_STREAM") != nullptr) {
        // The journal stamps time, unit and pid itself.
        logger = std::make_shared<spdlog::logger>(
            identifier, std::make_shared<spdlog::sinks::systemd_sink_mt>(identifier));
        logger->set_pattern("%v");
    } else {
        logger = std::make_shared<spdlog::logger>(
            identifier, std::make_shared<spdlog::sinks::stderr_sink_mt>());
        logger->set_pattern(identifier + "[%P]: %l: %v");
    }
    spdlog::set_default_logger(std::move(logger));
}

} // namespace sevd
