// core/progress.cpp: see progress.h. The in-place line is owned globally (one terminal), so
// log lines can erase it first and the next report redraws it.
#include "lmk/core/progress.h"
#include "lmk/core/error.h"
#include "lmk/core/log.h"

#include <cstdio>
#include <unistd.h>

namespace lmk {

namespace {
std::atomic<int> g_mode{int(ProgressMode::auto_)};
bool g_line_drawn = false; // guarded by log_mutex()

int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}
} // namespace

void set_progress_mode(ProgressMode mode) { g_mode = int(mode); }
ProgressMode progress_mode() { return ProgressMode(g_mode.load()); }

ProgressMode parse_progress_mode(const std::string& s) {
    if (s == "auto") return ProgressMode::auto_;
    if (s == "always") return ProgressMode::always;
    if (s == "never") return ProgressMode::never;
    fail("--progress: expected auto, always or never, got '{}'", s);
}

void progress_clear_line_locked() {
    if (!g_line_drawn) return;
    std::fputs("\r\033[K", stderr);
    g_line_drawn = false;
}

Progress::Progress(std::string label, uint64_t total, std::string unit)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total),
      start_(std::chrono::steady_clock::now()) {
    ProgressMode mode = progress_mode();
    tty_ = isatty(STDERR_FILENO) == 1;
    enabled_ = mode != ProgressMode::never && log_level() >= LogLevel::info;
    if (tty_) period_ns_ = 200'000'000; // 5 Hz
    else period_ns_ = mode == ProgressMode::always ? 2'000'000'000LL : 10'000'000'000LL;
    next_report_ns_ = now_ns() + (tty_ ? period_ns_ : period_ns_);
}

Progress::~Progress() {
    if (!enabled_ || !tty_) return;
    std::lock_guard<std::mutex> lock(log_mutex());
    progress_clear_line_locked();
}

double Progress::elapsed_s() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::add(uint64_t n) {
    done_.fetch_add(n, std::memory_order_relaxed);
    maybe_report();
}

void Progress::set(uint64_t done) {
    done_.store(done, std::memory_order_relaxed);
    maybe_report();
}

void Progress::set_extra(std::string extra) {
    std::lock_guard<std::mutex> lock(log_mutex());
    extra_ = std::move(extra);
}

std::string Progress::format_count(double n, const std::string& unit) {
    if (unit == "B") {
        const char* units[] = {"B", "KB", "MB", "GB", "TB"};
        int i = 0;
        while (n >= 1000 && i < 4) n /= 1000, i++;
        return i == 0 ? fmt::format("{:.0f} B", n) : fmt::format("{:.2f} {}", n, units[i]);
    }
    std::string s;
    if (n >= 1e9) s = fmt::format("{:.2f}G", n / 1e9);
    else if (n >= 1e6) s = fmt::format("{:.2f}M", n / 1e6);
    else if (n >= 1e4) s = fmt::format("{:.1f}k", n / 1e3);
    else s = fmt::format("{:.0f}", n);
    return unit.empty() ? s : s + " " + unit;
}

std::string Progress::format_duration(double s) {
    if (s < 0 || s > 1e8) return "?";
    long t = long(s + 0.5);
    if (t >= 3600) return fmt::format("{}h{:02}m", t / 3600, (t % 3600) / 60);
    if (t >= 60) return fmt::format("{}m{:02}s", t / 60, t % 60);
    return fmt::format("{}s", t);
}

std::string Progress::line() const {
    double done = double(done_.load());
    double el = elapsed_s();
    double rate = el > 0 ? done / el : 0;
    std::string s = label_ + ": " + format_count(done, unit_);
    if (total_) s += fmt::format(" / {} ({:.1f}%)", format_count(double(total_), unit_),
                                 100.0 * done / double(total_));
    s += " | " + format_count(rate, unit_) + "/s";
    if (total_ && rate > 0) s += " | ETA " + format_duration((double(total_) - done) / rate);
    if (!extra_.empty()) s += " | " + extra_;
    return s;
}

void Progress::maybe_report() {
    if (!enabled_) return;
    int64_t now = now_ns();
    int64_t due = next_report_ns_.load(std::memory_order_relaxed);
    if (now < due) return;
    if (!next_report_ns_.compare_exchange_strong(due, now + period_ns_)) return; // another thread reports
    std::lock_guard<std::mutex> lock(log_mutex());
    std::string l = tool_name() + ": " + line();
    if (tty_) {
        std::fputs("\r\033[K", stderr);
        std::fputs(l.c_str(), stderr);
        g_line_drawn = true;
    } else {
        std::fputs((l + "\n").c_str(), stderr);
    }
    std::fflush(stderr);
}

void Progress::finish() {
    if (finished_) return;
    finished_ = true;
    if (!enabled_) return;
    double el = elapsed_s();
    {
        std::lock_guard<std::mutex> lock(log_mutex());
        progress_clear_line_locked();
    }
    if (tty_ || el >= double(period_ns_) / 1e9)
        log_line(LogLevel::info, fmt::format("{}: {} in {}", label_, format_count(double(done_.load()), unit_),
                                             format_duration(el)));
}

} // namespace lmk
