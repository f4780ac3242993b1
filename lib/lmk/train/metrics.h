// train/metrics.h: the training log a run leaves in its directory.
//
// metrics.jsonl holds one JSON object per line, appended and flushed as training goes:
//   {"step": 10, "loss": 3.41, "lr": 0.0006, "grad_norm": 1.2, "tokens": 40960,
//    "tokens_per_s": 41000, "mfu": 0.31, "elapsed": 12.5}          (a training step)
//   {"step": 10, "val_loss": 3.52, "elapsed": 13.1}                  (an evaluation)
// `step` counts optimizer steps from 1; `elapsed` is seconds of training across resumes.
// loss.svg plots both series (training loss and its moving average, validation points); it
// is rewritten atomically, so a browser or image viewer can watch it while training runs.
// Resuming from a checkpoint at step S drops the rows after S (they came from the part of
// the interrupted run that the resumed one repeats), so the log never shows a step twice.
//
//   lmk::MetricsLog log(dir, /*resume_step*/ 0);
//   log.add_train({.step = 1, .loss = 10.9, ...});
//   log.add_eval(10, 3.52, 13.1);
//   log.write_svg();
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace lmk {

struct TrainRow {
    int64_t step = 0;
    double loss = 0, lr = 0, grad_norm = 0;
    int64_t tokens = 0;       // tokens trained on so far
    double tokens_per_s = 0, mfu = 0, elapsed = 0;
};

struct LossPoint {
    int64_t step;
    double loss;
};

class MetricsLog {
public:
    // Opens dir/metrics.jsonl. resume_step < 0: start a fresh log (an existing one is
    // replaced); otherwise keep the rows with step <= resume_step and continue after them.
    MetricsLog(const std::string& dir, int64_t resume_step);
    ~MetricsLog();
    MetricsLog(const MetricsLog&) = delete;
    MetricsLog& operator=(const MetricsLog&) = delete;

    void add_train(const TrainRow& r);
    void add_eval(int64_t step, double val_loss, double elapsed);
    void write_svg() const; // dir/loss.svg
    const std::vector<LossPoint>& train_points() const { return train_; }
    const std::vector<LossPoint>& val_points() const { return val_; }
    std::string svg_path() const { return dir_ + "/loss.svg"; }

private:
    void append_line(const std::string& line);
    std::string dir_;
    std::FILE* f_ = nullptr;
    std::vector<LossPoint> train_, val_;
};

// The SVG document for a loss plot (exposed for tests): training points as a thin line with
// their exponential moving average over it, validation points as markers and a line.
std::string render_loss_svg(const std::vector<LossPoint>& train, const std::vector<LossPoint>& val,
                            const std::string& title);

} // namespace lmk
