#pragma once
// The library's logger.

#include <memory>
#include <string_view>

#include <spdlog/logger.h>

namespace ex {

// The named spdlog logger "extensor" every part of the library logs through. Quiet by
// default (level warn); the environment variable EXTENSOR_LOG_LEVEL (trace, debug,
// info, warn, error, critical, off) sets the starting level.
spdlog::logger& logger();
// Changes the level at run time; throws ex::Error for an unknown level name.
void set_log_level(std::string_view level);

}  // namespace ex
