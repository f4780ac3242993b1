// core/log.h: stderr logging with levels and a tool-name prefix.
//
// Every line goes to stderr as `tool: message` (stdout carries data only). The level is set
// once by the tool from -q/-v: quiet shows errors only, normal adds warnings and info
// (summaries), verbose adds debug detail. Thread-safe: a line is written with one call.
//
//   lmk::set_tool_name("encode");
//   lmk::log_info("{} documents, {} tokens", docs, tokens);
//   lmk::log_warn("{}:{}: malformed JSON, skipped", path, line);
#pragma once
#include <fmt/core.h>
#include <string>

namespace lmk {

enum class LogLevel { error = 0, warn = 1, info = 2, debug = 3 };

void set_log_level(LogLevel level);
LogLevel log_level();
void set_tool_name(std::string name);
const std::string& tool_name();

// Writes `tool: text\n` to stderr if `level` is enabled. Progress lines are cleared first.
void log_line(LogLevel level, const std::string& text);

template <typename... A> void log_error(fmt::format_string<A...> f, A&&... a) {
    log_line(LogLevel::error, fmt::format(f, std::forward<A>(a)...));
}
template <typename... A> void log_warn(fmt::format_string<A...> f, A&&... a) {
    if (log_level() >= LogLevel::warn) log_line(LogLevel::warn, fmt::format(f, std::forward<A>(a)...));
}
template <typename... A> void log_info(fmt::format_string<A...> f, A&&... a) {
    if (log_level() >= LogLevel::info) log_line(LogLevel::info, fmt::format(f, std::forward<A>(a)...));
}
template <typename... A> void log_debug(fmt::format_string<A...> f, A&&... a) {
    if (log_level() >= LogLevel::debug) log_line(LogLevel::debug, fmt::format(f, std::forward<A>(a)...));
}

// Test hook: capture what would go to stderr (nullptr restores stderr).
void set_log_sink(std::string* sink);

} // namespace lmk
