// core/progress.h: a rate-limited progress reporter on stderr.
//
// On a terminal (mode auto or always) one line is redrawn in place with `\r` at most five
// times a second: label, count (and total), rate, ETA. Elsewhere (a log file, a batch job)
// mode auto prints a plain line every 10 seconds and mode always every 2 seconds, so logs
// never fill with carriage returns. Mode never is silent. add() is thread-safe and cheap;
// finish() prints the final count and rate once (at info level).
//
//   lmk::Progress p("encode", total_bytes, "B");
//   for (...) p.add(n);
//   p.finish();
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace lmk {

enum class ProgressMode { auto_, always, never };
void set_progress_mode(ProgressMode mode);
ProgressMode progress_mode();
ProgressMode parse_progress_mode(const std::string& s); // throws lmk::Error

class Progress {
public:
    // total 0 = unknown (no ETA). unit "B" formats as bytes (KB/MB/GB), anything else as
    // a plain count followed by the unit.
    Progress(std::string label, uint64_t total = 0, std::string unit = "");
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    void add(uint64_t n);
    void set(uint64_t done);
    void set_total(uint64_t total) { total_ = total; }
    void set_extra(std::string extra); // appended to the line, e.g. "loss 3.41"
    void finish();
    uint64_t done() const { return done_.load(std::memory_order_relaxed); }
    double elapsed_s() const;

    // "1.23 MB", "456 docs": how the line formats a count (exposed for tests).
    static std::string format_count(double n, const std::string& unit);
    static std::string format_duration(double seconds);

private:
    void maybe_report();
    std::string line() const;

    std::string label_, unit_, extra_;
    uint64_t total_;
    std::atomic<uint64_t> done_{0};
    std::chrono::steady_clock::time_point start_;
    std::atomic<int64_t> next_report_ns_{0};
    bool tty_ = false, enabled_ = false, finished_ = false;
    int64_t period_ns_ = 0;
};

// Internal: clears an in-place progress line before a log line is written (caller holds
// log_mutex()).
void progress_clear_line_locked();
std::mutex& log_mutex();

} // namespace lmk
