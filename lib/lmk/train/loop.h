// train/loop.h: the pretraining step loop shared by pretrain (and reusable by finetune).
//
// One optimizer step = grad_accum micro-batches of `batch` sequences of `ctx` tokens:
// forward, backward of loss / grad_accum (gradients accumulate), global-norm clipping,
// one optimizer update at the schedule's learning rate. Around it:
//   - evaluation every eval_every steps (and after the last step) on eval_batches batches
//     of windows drawn uniformly over the whole validation split, as nanoGPT's
//     estimate_loss does, but from a fixed stream (derive_seed(seed, stream_id("val-data"))
//     restarted at every evaluation), so every evaluation scores the same tokens and the
//     estimate is not biased towards the head of the split; eval_batches 0 scores every
//     target token of the split once instead (TokenDataLoader::coverage_rows), the exact
//     validation loss, free of the sampling noise of a 20-batch estimate;
//   - a checkpoint (train/checkpoint.h) every save_every steps, after the last step, and
//     when SIGINT/SIGTERM/SIGUSR1 arrives (core/signals.h): the step in flight finishes, the
//     checkpoint is written, run() returns with `signal` set (the tool exits 130). run()
//     keeps both signals blocked except at one point per step, so no kernel is ever
//     interrupted by the handler; a second signal during the final checkpoint takes effect
//     once it is written (SIGKILL still ends a hung run at once);
//   - a NaN or infinite loss or gradient norm stops the run with an lmk::Error before the
//     optimizer touches the weights; the last good checkpoint in DIR stays as it was;
//   - metrics.jsonl rows per step and per evaluation, loss.svg refreshed at most every
//     few seconds and at every evaluation and checkpoint (train/metrics.h);
//   - progress on stderr: step, loss, lr, tokens/s, ETA.
// Exact resume: the dropout masks derive from (seed, step, micro-batch), the data loader's
// position and the optimizer's state are saved, so a run resumed from a checkpoint at step
// S computes bit-identical weights to an uninterrupted run (same thread count).
// Data parallel: given a group of processes (train/collectives.h), the step's grad_accum
// micro-batches are shared out over the ranks (grad_accum a multiple of their number), the
// gradients summed; rank 0 alone writes the directory (metrics, loss.svg, checkpoints),
// evaluation batches are shared out too, and a signal to any rank stops them all after the
// same step.
//
//   lmk::TrainOptions o;  o.train = "data/train_*.bin";  o.steps = 1000;
//   lmk::Gpt model(cfg);  model.init_weights(o.seed);
//   lmk::Trainer t(model, o, "runs/gpt");          // fresh run
//   lmk::TrainResult r = t.run();
//   // later: lmk::Trainer t2 = ..., t2.restore(lmk::load_trainer_state("runs/gpt"));
#pragma once
#include "lmk/model/gpt.h"
#include "lmk/nn/op_profile.h"
#include "lmk/train/checkpoint.h"
#include "lmk/train/collectives.h"

#include <cstdint>
#include <memory>
#include <string>

namespace lmk {

struct TrainOptions {
    std::string train, val;           // shard globs (val may be empty)
    std::string data_order = "random";
    int64_t batch = 8;                // sequences per micro-batch
    int64_t ctx = 0;                  // tokens per sequence (0: the model's n_positions)
    int64_t grad_accum = 1;
    int64_t steps = 1000;             // total optimizer steps of the run
    float lr = 6e-4f, min_lr = 0.0f;  // peak and floor of the schedule
    int64_t warmup = 0;
    std::string schedule = "cosine";
    std::string optimizer = "adamw";
    float weight_decay = 0.1f, beta1 = 0.9f, beta2 = 0.95f, eps = 1e-8f, momentum = 0.9f;
    float grad_clip = 1.0f;           // 0 = off
    float label_smoothing = 0.0f;
    std::string precision = "fp32";   // fp32 | bf16 (matmul operands)
    int64_t eval_every = 0;           // 0: evaluate after the last step only
    int64_t eval_batches = 20;        // 0: the whole validation split
    int64_t save_every = 0;           // 0: checkpoint at the end (and on a signal) only
    int64_t stop_after = 0;           // >0: stop (checkpoint, like a signal) after this step
    double peak_gflops = 0;           // for MFU; 0: measured (nn::measure_fma_peak_gflops)
    bool profile_ops = false;         // time every op of the steps (PhaseTimes::ops)
    uint64_t seed = 1337;

    void validate() const; // throws lmk::UsageError naming the flag
    int64_t tokens_per_step() const { return batch * ctx * grad_accum; } // over all ranks
};

std::string train_options_to_json(const TrainOptions& o);
// Fields absent from the JSON keep the defaults above.
TrainOptions train_options_from_json(const std::string& json, const std::string& context);

// Where the training steps' wall time went, summed over the steps this process ran after
// its first two (the first grows the arena and JIT-compiles the GEMMs, the second still runs
// a little slower than later ones, so they are left out).
// pretrain --profile prints it. Evaluation and checkpoints are outside the steps.
struct PhaseTimes {
    int64_t steps = 0;                              // steps summed below
    double data = 0, zero_grad = 0, forward = 0;    // seconds
    double backward = 0, clip = 0, optimizer = 0;   // clip: gradient norm (and scaling)
    double reduce = 0;                              // summing gradients over ranks
    double step = 0;                                // whole steps (>= the sum of the phases)
    double eval = 0, save = 0;                      // every evaluation and checkpoint
    nn::OpProfile ops;                              // with TrainOptions::profile_ops
};

// The --profile table: the phases, then the ops costliest first (ms per step forward and
// backward, calls per step, share of the step), "pretrain: profile ..." lines ending in '\n'.
std::string profile_report(const PhaseTimes& p);

struct TrainResult {
    int64_t step = 0;         // steps completed
    double last_loss = 0;     // training loss of the last step (NaN if no step ran)
    double val_loss = 0;      // last evaluation (NaN if none)
    int signal = 0;           // nonzero: stopped by this signal (checkpoint written)
    bool stopped_early = false; // stop_after reached
    PhaseTimes phases;
};

class Trainer {
public:
    // out_dir is created if needed. A fresh run writes config.json when run() starts. group:
    // the data-parallel ranks this process is one of (nullptr: it trains alone).
    Trainer(Gpt& model, TrainOptions opts, std::string out_dir, train::Collectives* group = nullptr);
    ~Trainer();
    // Continues from a checkpoint: optimizer state (optimizer.safetensors), step, tokens,
    // data position. The model's weights must already be loaded from DIR.
    void restore(const TrainerState& state);
    TrainResult run();
    // Mean validation loss over eval_batches batches (NaN without --val). With a group, every
    // rank must call it (each scores its share) and gets the same value.
    double evaluate();
    int64_t step() const { return state_.step; }
    void save(); // with a group, every rank calls it (they check their weights agree); rank 0 writes

private:
    void train_step(double& loss_out, double& norm_out, float lr, PhaseTimes& t);
    bool writes_files() const; // rank 0, or the only process
    bool stop_all(int& signal); // a stop signal reached any rank
    void check_same_on_ranks(uint64_t hash, const char* what, const std::string& hint) const; // throws naming `what`
    Gpt& model_;
    TrainOptions o_;
    std::string dir_;
    TrainerState state_;
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace lmk
