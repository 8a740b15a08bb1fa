#include "extensor/core/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <string>

#include "common/check.hpp"

namespace ex {

namespace {
spdlog::level::level_enum parse_level(std::string_view name, const char* fn) {
  const auto level = spdlog::level::from_str(std::string(name));
  // from_str maps unknown names to off; only "off" itself may mean off.
  if (level == spdlog::level::off && name != "off")
    detail::fail("{}: unknown log level '{}' (trace, debug, info, warn, error, critical, off)", fn, name);
  return level;
}

std::shared_ptr<spdlog::logger> make_logger() {
  auto existing = spdlog::get("extensor");
  if (existing) return existing;
  auto log = spdlog::stderr_color_mt("extensor");
  log->set_level(spdlog::level::warn);
  if (const char* env = std::getenv("EXTENSOR_LOG_LEVEL")) {
    try {
      log->set_level(parse_level(env, "EXTENSOR_LOG_LEVEL"));
    } catch (const Error& e) {
      log->warn("{}; keeping level warn", e.what());
    }
  }
  return log;
}
}  // namespace

spdlog::logger& logger() {
  static std::shared_ptr<spdlog::logger> log = make_logger();
  return *log;
}

void set_log_level(std::string_view level) { logger().set_level(parse_level(level, "set_log_level")); }

}  // namespace ex
