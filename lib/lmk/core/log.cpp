// core/log.cpp: the stderr logger. One mutex orders lines from many threads and keeps them
// from tearing an in-place progress line (core/progress.cpp shares it via log_mutex()).
#include "lmk/core/log.h"
#include "lmk/core/progress.h"

#include <atomic>
#include <cstdio>
#include <mutex>

namespace lmk {

namespace {
std::atomic<int> g_level{int(LogLevel::info)};
std::string g_tool = "lmkit";
std::string* g_sink = nullptr;
} // namespace

std::mutex& log_mutex() {
    static std::mutex m;
    return m;
}

void set_log_level(LogLevel level) { g_level = int(level); }
LogLevel log_level() { return LogLevel(g_level.load()); }
void set_tool_name(std::string name) { g_tool = std::move(name); }
const std::string& tool_name() { return g_tool; }
void set_log_sink(std::string* sink) { g_sink = sink; }

void log_line(LogLevel level, const std::string& text) {
    if (int(level) > g_level.load()) return;
    std::string line = g_tool + ": " + text + "\n";
    std::lock_guard<std::mutex> lock(log_mutex());
    if (g_sink) {
        *g_sink += line;
        return;
    }
    progress_clear_line_locked();
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

} // namespace lmk
