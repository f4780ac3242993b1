// train/loop.cpp: the step loop (see loop.h).
#include "lmk/train/loop.h"
#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/core/progress.h"
#include "lmk/core/signals.h"
#include "lmk/core/threads.h"
#include "lmk/io/file.h"
#include "lmk/io/safetensors.h"
#include "lmk/nn/kernels.h"
#include "lmk/train/metrics.h"
#include "lmk/train/optim.h"
#include "lmk/train/schedule.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <csignal>
#include <simdjson.h>

namespace lmk {

namespace {
std::string jstr(const std::string& s) {
    std::string o = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') o += '\\';
        if (uint8_t(c) < 0x20) {
            o += fmt::format("\\u{:04x}", int(c));
            continue;
        }
        o += c;
    }
    return o + "\"";
}

uint64_t weights_hash(const nn::ParameterStore& params) {
    StreamDigest d;
    for (const nn::Parameter* p : params.all()) d.update(p->value.data(), size_t(p->value.numel()) * sizeof(float));
    return d.value().xxh3;
}
} // namespace

void TrainOptions::validate() const {
    LMK_CHECK_USAGE(!train.empty(), "--train: no training shards given");
    LMK_CHECK_USAGE(batch > 0, "--batch must be positive, got {}", batch);
    LMK_CHECK_USAGE(ctx > 0, "--ctx must be positive, got {}", ctx);
    LMK_CHECK_USAGE(grad_accum > 0, "--grad-accum must be positive, got {}", grad_accum);
    LMK_CHECK_USAGE(steps > 0, "--steps must be positive, got {}", steps);
    LMK_CHECK_USAGE(lr > 0 && std::isfinite(lr), "--lr must be positive, got {}", lr);
    LMK_CHECK_USAGE(min_lr >= 0 && min_lr <= lr, "--min-lr must be in [0, --lr], got {}", min_lr);
    LMK_CHECK_USAGE(warmup >= 0, "--warmup must not be negative");
    LMK_CHECK_USAGE(weight_decay >= 0, "--weight-decay must not be negative, got {}", weight_decay);
    LMK_CHECK_USAGE(beta1 >= 0 && beta1 < 1, "--beta1 must be in [0, 1), got {}", beta1);
    LMK_CHECK_USAGE(beta2 >= 0 && beta2 < 1, "--beta2 must be in [0, 1), got {}", beta2);
    LMK_CHECK_USAGE(momentum >= 0, "--momentum must not be negative, got {}", momentum);
    LMK_CHECK_USAGE(stop_after >= 0, "--stop-after must not be negative, got {}", stop_after);
    LMK_CHECK_USAGE(peak_gflops >= 0, "--peak-gflops must not be negative, got {}", peak_gflops);
    LMK_CHECK_USAGE(grad_clip >= 0, "--grad-clip must not be negative");
    LMK_CHECK_USAGE(label_smoothing >= 0 && label_smoothing < 1, "--label-smoothing must be in [0, 1)");
    LMK_CHECK_USAGE(precision == "fp32" || precision == "bf16", "--precision must be fp32 or bf16, got \"{}\"", precision);
    LMK_CHECK_USAGE(eval_every >= 0 && save_every >= 0 && eval_batches >= 0, "--eval-every/--save-every/--eval-batches: bad value");
    as_usage([&] { // parsers a checkpoint's options also go through, where a bad name is a data error
        (void)data_order_from_name(data_order);
        (void)train::schedule_kind_from_name(schedule);
        (void)train::optimizer_kind_from_name(optimizer);
    });
}

std::string train_options_to_json(const TrainOptions& o) {
    return fmt::format(
        "{{\"train\": {}, \"val\": {}, \"data_order\": {}, \"batch\": {}, \"ctx\": {}, \"grad_accum\": {}, "
        "\"steps\": {}, \"lr\": {}, \"min_lr\": {}, \"warmup\": {}, \"schedule\": {}, \"optimizer\": {}, "
        "\"weight_decay\": {}, \"beta1\": {}, \"beta2\": {}, \"eps\": {}, \"momentum\": {}, \"grad_clip\": {}, "
        "\"label_smoothing\": {}, \"precision\": {}, \"eval_every\": {}, \"eval_batches\": {}, "
        "\"save_every\": {}, \"seed\": {}}}",
        jstr(o.train), jstr(o.val), jstr(o.data_order), o.batch, o.ctx, o.grad_accum, o.steps, o.lr, o.min_lr,
        o.warmup, jstr(o.schedule), jstr(o.optimizer), o.weight_decay, o.beta1, o.beta2, o.eps, o.momentum,
        o.grad_clip, o.label_smoothing, jstr(o.precision), o.eval_every, o.eval_batches, o.save_every,
        jstr(std::to_string(o.seed)));
}

TrainOptions train_options_from_json(const std::string& json, const std::string& ctx) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (auto err = parser.parse(json).get(root))
        throw Error(fmt::format("{}: training options are not valid JSON: {}", ctx, simdjson::error_message(err)));
    TrainOptions o;
    auto s = [&](const char* k, std::string& out) {
        std::string_view v;
        if (!root[k].get_string().get(v)) out = std::string(v);
    };
    auto i = [&](const char* k, int64_t& out) {
        int64_t v;
        if (!root[k].get_int64().get(v)) out = v;
    };
    auto f = [&](const char* k, float& out) {
        double v;
        if (!root[k].get_double().get(v)) out = float(v);
    };
    s("train", o.train), s("val", o.val), s("data_order", o.data_order), s("schedule", o.schedule);
    s("optimizer", o.optimizer), s("precision", o.precision);
    i("batch", o.batch), i("ctx", o.ctx), i("grad_accum", o.grad_accum), i("steps", o.steps);
    i("warmup", o.warmup), i("eval_every", o.eval_every), i("eval_batches", o.eval_batches);
    i("save_every", o.save_every);
    f("lr", o.lr), f("min_lr", o.min_lr), f("weight_decay", o.weight_decay), f("beta1", o.beta1);
    f("beta2", o.beta2), f("eps", o.eps), f("momentum", o.momentum), f("grad_clip", o.grad_clip);
    f("label_smoothing", o.label_smoothing);
    std::string seed;
    s("seed", seed);
    if (!seed.empty()) o.seed = std::stoull(seed);
    return o;
}

struct Trainer::Impl {
    std::unique_ptr<TokenDataLoader> train, val;
    std::unique_ptr<train::Optimizer> opt;
    train::Schedule schedule;
    nn::Graph graph;
    std::unique_ptr<MetricsLog> metrics;
    std::vector<int32_t> x, y;
    uint64_t dropout_seed = 0;
    double peak_gflops = 0;      // this process's threads
    train::Collectives* group = nullptr;
    int rank = 0, ranks = 1;
    // Sums over the ranks (nothing to do alone).
    template <class T> void sum(T* data, size_t n) {
        if (group) group->sum(data, n);
    }
};

Trainer::Trainer(Gpt& model, TrainOptions o, std::string dir, train::Collectives* group)
    : model_(model), o_(std::move(o)), dir_(std::move(dir)) {
    if (o_.ctx == 0) o_.ctx = model_.config().n_positions;
    o_.validate();
    const int ranks = group ? group->size() : 1;
    LMK_CHECK_USAGE(o_.grad_accum % ranks == 0,
                    "--grad-accum {} does not share out over {} processes: each computes the same number of "
                    "micro-batches (--batch-tokens counts all of them)",
                    o_.grad_accum, ranks);
    LMK_CHECK_USAGE(o_.ctx <= model_.config().n_positions, "--ctx {} exceeds the model's n_positions {}", o_.ctx,
                    model_.config().n_positions);
    if (o_.val.empty() && o_.eval_every > 0)
        log_warn("--eval-every {}: no --val shards, so nothing is evaluated", o_.eval_every);
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) throw Error(fmt::format("{}: cannot create directory: {}", dir_, ec.message()));
    impl_ = std::make_unique<Impl>();
    Impl& m = *impl_;
    m.group = group && group->size() > 1 ? group : nullptr;
    m.rank = m.group ? group->rank() : 0;
    m.ranks = ranks;
    m.train = std::make_unique<TokenDataLoader>(o_.train, o_.batch, o_.ctx, data_order_from_name(o_.data_order),
                                                derive_seed(o_.seed, stream_id("train-data")));
    if (!o_.val.empty())
        m.val = std::make_unique<TokenDataLoader>(o_.val, o_.batch, o_.ctx, DataOrder::random,
                                                  derive_seed(o_.seed, stream_id("val-data")));
    uint32_t max_id = m.train->max_token_id();
    LMK_CHECK(int64_t(max_id) < model_.config().vocab_size,
              "{}: token id {} does not fit the model's vocabulary of {}", o_.train, max_id, model_.config().vocab_size);
    train::OptimizerConfig oc;
    oc.kind = train::optimizer_kind_from_name(o_.optimizer);
    oc.beta1 = o_.beta1, oc.beta2 = o_.beta2, oc.eps = o_.eps, oc.weight_decay = o_.weight_decay;
    oc.momentum = oc.kind == train::OptimizerKind::sgd ? o_.momentum : 0.f;
    m.opt = std::make_unique<train::Optimizer>(model_.params(), oc);
    m.schedule = train::Schedule{train::schedule_kind_from_name(o_.schedule), o_.lr, o_.warmup, o_.steps,
                                 o_.min_lr / o_.lr};
    m.graph.precision = o_.precision == "bf16" ? nn::Precision::bf16 : nn::Precision::f32;
    m.dropout_seed = derive_seed(o_.seed, stream_id("dropout"));
    m.x.resize(size_t(o_.batch * o_.ctx));
    m.y.resize(size_t(o_.batch * o_.ctx));
    m.peak_gflops = o_.peak_gflops > 0 ? o_.peak_gflops : nn::measure_fma_peak_gflops(num_threads());
    state_.total_steps = o_.steps;
    state_.seed = o_.seed;
    state_.options_json = train_options_to_json(o_);
    state_.train_data = m.train->position();
    if (m.group) {
        const std::string setup = state_.options_json + gpt_config_to_json(model_.config());
        StreamDigest setup_digest;
        setup_digest.update(setup.data(), setup.size());
        check_same_on_ranks(setup_digest.value().xxh3, "options or model config",
                            "start every rank with the same flags");
        check_same_on_ranks(weights_hash(model_.params()), "initial weights",
                            "start every rank from the same model (--init-from, --resume: a directory they all read)");
    }
}

Trainer::~Trainer() = default;

void Trainer::restore(const TrainerState& s) {
    Impl& m = *impl_;
    SafetensorsFile f(dir_ + "/optimizer.safetensors");
    auto bufs = m.opt->state();
    for (const auto& b : bufs) {
        const TensorInfo& t = f.at(b.name);
        LMK_CHECK(size_t(t.numel()) == b.numel, "{}/optimizer.safetensors: {} has {} values, expected {}", dir_, b.name,
                  t.numel(), b.numel);
        std::vector<float> tmp(b.numel);
        f.read_f32(b.name, tmp.data(), tmp.size());
        m.opt->load_state(b.name, tmp.data(), tmp.size());
    }
    m.opt->set_step_count(s.step);
    m.train->set_position(s.train_data);
    state_.step = s.step;
    state_.tokens = s.tokens;
    state_.elapsed = s.elapsed;
    state_.best_val_loss = s.best_val_loss;
    state_.train_data = s.train_data;
}

bool Trainer::writes_files() const { return impl_->rank == 0; }

// The ranks must start alike (options, model, weights: mpirun's MPMD form can give them
// different flags) and then stay alike: each makes the same update from the same summed
// gradients, so their weights agree bit for bit, checked at every checkpoint (~25 ms for GPT-2
// 124M), since an MPI whose sums differed by rank would let them drift apart unnoticed.
void Trainer::check_same_on_ranks(uint64_t h, const char* what, const std::string& hint) const {
    Impl& m = *impl_;
    const double mine[2] = {double(h >> 32), double(h & 0xffffffffu)}; // exact in doubles, and their sums
    double all[2] = {mine[0], mine[1]};
    m.sum(all, 2);
    if (all[0] != mine[0] * m.ranks || all[1] != mine[1] * m.ranks)
        throw Error(fmt::format("step {}: rank {}'s {} differ from another rank's", state_.step, m.rank, what), hint);
}

void Trainer::save() {
    Impl& m = *impl_;
    if (m.group)
        check_same_on_ranks(weights_hash(model_.params()), "weights",
                            fmt::format("the MPI library's sums differ by rank; the last checkpoint in {} is kept", dir_));
    if (!writes_files()) return;
    state_.train_data = m.train->position();
    save_checkpoint(dir_, state_,
                    {{"config.json",
                      [&](const std::string& p) { return write_file(p, gpt_config_to_json(model_.config())); }},
                     {"model.safetensors", [&](const std::string& p) { return model_.save_safetensors(p); }},
                     {"optimizer.safetensors", [&](const std::string& p) {
                          SafetensorsWriter w;
                          for (const auto& b : m.opt->state())
                              w.add(b.name, Dtype::f32, b.shape, b.data);
                          w.set_metadata("step", std::to_string(m.opt->step_count()));
                          w.set_metadata("optimizer", o_.optimizer);
                          return w.write(p);
                      }}});
}

double Trainer::evaluate() {
    Impl& m = *impl_;
    if (!m.val) return std::numeric_limits<double>::quiet_NaN();
    nn::Graph& g = m.graph;
    auto batch_loss = [&](const nn::CrossEntropyOptions& opt) {
        g.reset();
        g.training = false;
        nn::NoGradScope ng(g);
        return double(model_.loss(g, m.x.data(), m.y.data(), o_.batch, o_.ctx, opt).item());
    };
    // Batch b is scored by rank b mod ranks; every rank draws every batch (the same stream).
    auto mine = [&](uint64_t b) { return b % uint64_t(m.ranks) == uint64_t(m.rank); };
    if (o_.eval_batches > 0) {
        m.val->rewind();
        double total = 0;
        for (int64_t b = 0; b < o_.eval_batches; b++) {
            m.val->next_batch(m.x.data(), m.y.data());
            if (mine(uint64_t(b))) total += batch_loss({});
        }
        m.sum(&total, 1);
        return total / double(o_.eval_batches);
    }
    // eval_batches 0: every target token of the split once, the token-weighted mean; rows
    // past the last are padding whose targets are all ignored.
    const nn::CrossEntropyOptions opt;
    const uint64_t rows = m.val->coverage_rows(), B = uint64_t(o_.batch), T = uint64_t(o_.ctx);
    double sums[2] = {0, 0}; // loss x tokens, tokens
    for (uint64_t first = 0; first < rows; first += B) {
        if (!mine(first / B)) continue;
        uint64_t counted = 0;
        for (uint64_t b = 0; b < B; b++) {
            int32_t* in = m.x.data() + b * T;
            int32_t* tgt = m.y.data() + b * T;
            if (first + b < rows) {
                m.val->coverage_row(first + b, in, tgt, opt.ignore_index);
            } else {
                std::fill(in, in + T, 0);
                std::fill(tgt, tgt + T, opt.ignore_index);
            }
            counted += uint64_t(std::count_if(tgt, tgt + T, [&](int32_t t) { return t != opt.ignore_index; }));
        }
        if (counted == 0) continue;
        sums[0] += batch_loss(opt) * double(counted);
        sums[1] += double(counted);
    }
    m.sum(sums, 2);
    return sums[1] > 0 ? sums[0] / sums[1] : std::numeric_limits<double>::quiet_NaN();
}

namespace {
// Adds the seconds since the last call to one phase's total.
class PhaseClock {
public:
    void to(double& total) {
        const auto now = std::chrono::steady_clock::now();
        total += std::chrono::duration<double>(now - last_).count();
        last_ = now;
    }

private:
    std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

// Blocks the stop signals (core/signals.h) for its lifetime (threads started meanwhile inherit
// the mask); take_pending() lets a pending one through to its handler.
class StopSignalsDeferred {
public:
    StopSignalsDeferred() {
        sigemptyset(&set_);
        for (int sig : kStopSignals) sigaddset(&set_, sig);
        pthread_sigmask(SIG_BLOCK, &set_, &previous_);
    }
    ~StopSignalsDeferred() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
    StopSignalsDeferred(const StopSignalsDeferred&) = delete;
    StopSignalsDeferred& operator=(const StopSignalsDeferred&) = delete;
    void take_pending() {
        pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
        pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    }

private:
    sigset_t set_, previous_;
};
} // namespace

void Trainer::train_step(double& loss_out, double& norm_out, float lr, PhaseTimes& t) {
    Impl& m = *impl_;
    nn::Graph& g = m.graph;
    PhaseClock clock;
    g.profile = o_.profile_ops ? &t.ops : nullptr;
    model_.params().release_grads(); // the first contribution to each gradient overwrites it
    clock.to(t.zero_grad);
    nn::CrossEntropyOptions ce;
    ce.label_smoothing = o_.label_smoothing;
    double loss_sum = 0;
    for (int64_t micro = 0; micro < o_.grad_accum; micro++) {
        m.train->next_batch(m.x.data(), m.y.data()); // every rank reads the whole stream
        clock.to(t.data);
        if (micro % m.ranks != m.rank) continue; // another rank's micro-batch
        g.reset();
        g.training = true;
        g.seed = m.dropout_seed;
        g.step = uint64_t(state_.step * o_.grad_accum + micro); // dropout masks follow the step
        nn::Var loss = model_.loss(g, m.x.data(), m.y.data(), o_.batch, o_.ctx, ce);
        loss_sum += double(loss.item());
        // The micro-batch's share is recorded in the forward phase too, so every op's forward
        // time (the time since the previous op recorded) lies inside it.
        const nn::Var objective = o_.grad_accum > 1 ? nn::scale(g, loss, 1.0f / float(o_.grad_accum)) : loss;
        clock.to(t.forward);
        g.backward(objective);
        clock.to(t.backward);
    }
    g.profile = nullptr; // evaluations are not profiled
    model_.params().settle_grads(); // zeroes any gradient no op contributed to
    clock.to(t.zero_grad);
    if (m.group) { // every rank's share summed: each then holds the step's whole gradient
        for (nn::Parameter* p : model_.params().all())
            if (p->requires_grad && p->grad.defined()) m.sum(p->grad.data(), size_t(p->grad.numel()));
        m.sum(&loss_sum, 1);
        clock.to(t.reduce);
    }
    loss_out = loss_sum / double(o_.grad_accum);
    // Clipping is folded into the update (the optimizer reads each gradient times the factor),
    // so the gradients are read once for the norm and once for the update.
    norm_out = train::grad_norm(model_.params());
    clock.to(t.clip);
    if (!std::isfinite(loss_out) || !std::isfinite(norm_out))
        throw Error(fmt::format("step {}: {} is {} (lr {:.3g}); stopped before updating the weights; the last good "
                                "checkpoint in {} is kept",
                                state_.step + 1, std::isfinite(loss_out) ? "gradient norm" : "loss",
                                std::isfinite(loss_out) ? norm_out : loss_out, lr, dir_),
                    "lower --lr, add --warmup or --grad-clip, or try --precision fp32; continue with --resume");
    m.opt->step(lr, train::clip_factor(float(norm_out), o_.grad_clip));
    clock.to(t.optimizer);
}

TrainResult Trainer::run() {
    Impl& m = *impl_;
    TrainResult r;
    r.val_loss = r.last_loss = std::numeric_limits<double>::quiet_NaN();
    const bool fresh = state_.step == 0;
    if (writes_files()) {
        m.metrics = std::make_unique<MetricsLog>(dir_, fresh ? -1 : state_.step);
        if (fresh) write_file(dir_ + "/config.json", gpt_config_to_json(model_.config()));
    }
    const GptConfig& cfg = model_.config();
    const double flops_per_token = cfg.flops_per_token(o_.ctx);
    log_info("model: {} layers, {} heads, {} dim, context {}, vocab {} (padded {}), {:.2f}M parameters", cfg.n_layer,
             cfg.n_head, cfg.n_embd, cfg.n_positions, cfg.vocab_size, cfg.padded_vocab_size,
             double(cfg.num_parameters()) / 1e6);
    log_info("training: {} steps of {} tokens ({} x {} x {}), {} {} lr {:.3g}, seed {}{}", o_.steps,
             o_.tokens_per_step(), o_.batch, o_.ctx, o_.grad_accum, o_.optimizer, o_.schedule, o_.lr, o_.seed,
             fresh ? "" : fmt::format(", resuming at step {}", state_.step));
    // Every rank's threads count towards the peak (each measured its own; rank 0's stands for all).
    const double peak_gflops = m.peak_gflops * m.ranks;
    log_info("mfu: {:.3g} model GFLOP per token against an FP32 peak of {:.0f} GFLOP/s ({}{})", flops_per_token / 1e9,
             peak_gflops, o_.peak_gflops > 0 ? "--peak-gflops" : fmt::format("measured on {} thread{}", num_threads(), num_threads() == 1 ? "" : "s"),
             m.ranks > 1 ? fmt::format(", times {} processes", m.ranks) : "");
    Progress progress("train", uint64_t(o_.steps), "steps");
    progress.set(uint64_t(state_.step));
    auto last_svg = std::chrono::steady_clock::now();
    const double elapsed0 = state_.elapsed;
    const auto t_run = std::chrono::steady_clock::now();
    auto since = [](std::chrono::steady_clock::time_point t) {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    };

    // SIGINT/SIGTERM/SIGUSR1 stay pending while steps, evaluations and checkpoints run and are taken
    // at one point per step, just before the loop looks at the stop flag: the handler only
    // sets that flag, and the kernels (oneDNN's GEMMs among them) are never interrupted. A
    // SIGINT delivered inside a GEMM was followed by heap corruption in oneDNN's scratch
    // memory (pretrain_resume.sh failed about 1 run in 3).
    StopSignalsDeferred deferred;
    // The profile leaves out this process's first two steps: the first grows the arena,
    // faults its pages in and JIT-compiles the GEMMs; the second still runs ~8% slower than
    // later ones (and faulted in a merged arena block until the ninth session).
    constexpr int64_t kUnprofiledSteps = 2;
    int64_t steps_run = 0;
    while (state_.step < o_.steps) {
        const float lr = m.schedule.lr(state_.step);
        const auto t0 = std::chrono::steady_clock::now();
        double loss = 0, norm = 0;
        PhaseTimes step_times;
        const bool profiled = steps_run >= kUnprofiledSteps;
        train_step(loss, norm, lr, profiled ? r.phases : step_times);
        const double dt = since(t0);
        if (profiled) r.phases.steps++, r.phases.step += dt;
        steps_run++;
        state_.step++;
        state_.tokens += o_.tokens_per_step();
        state_.elapsed = elapsed0 + since(t_run);
        TrainRow row;
        row.step = state_.step, row.loss = loss, row.lr = lr, row.grad_norm = norm, row.tokens = state_.tokens;
        row.tokens_per_s = double(o_.tokens_per_step()) / dt;
        row.mfu = row.tokens_per_s * flops_per_token / (peak_gflops * 1e9);
        row.elapsed = state_.elapsed;
        if (m.metrics) m.metrics->add_train(row);
        r.last_loss = loss;
        progress.set_extra(fmt::format("loss {:.4f} | lr {:.2e} | {:.0f} tok/s", loss, lr, row.tokens_per_s));
        progress.set(uint64_t(state_.step));

        const bool last = state_.step == o_.steps;
        if (m.val && ((o_.eval_every > 0 && state_.step % o_.eval_every == 0) || last)) {
            const auto t_eval = std::chrono::steady_clock::now();
            r.val_loss = evaluate();
            r.phases.eval += since(t_eval);
            if (!(state_.best_val_loss <= r.val_loss)) state_.best_val_loss = r.val_loss;
            if (m.metrics) m.metrics->add_eval(state_.step, r.val_loss, elapsed0 + since(t_run));
            log_info("step {}/{}: train loss {:.4f}, val loss {:.4f}", state_.step, o_.steps, loss, r.val_loss);
        }
        deferred.take_pending();
        int signal = 0;
        const bool signalled = stop_all(signal);
        const bool stop_early = o_.stop_after > 0 && state_.step >= o_.stop_after && !last;
        if (last || signalled || stop_early || (o_.save_every > 0 && state_.step % o_.save_every == 0)) {
            const auto t_save = std::chrono::steady_clock::now();
            save();
            r.phases.save += since(t_save);
            if (m.metrics) m.metrics->write_svg();
            last_svg = std::chrono::steady_clock::now();
        } else if (m.metrics && since(last_svg) > 5.0) {
            m.metrics->write_svg();
            last_svg = std::chrono::steady_clock::now();
        }
        if (signalled) {
            r.signal = signal;
            log_warn("signal {}: stopped after step {}, checkpoint written to {}; continue with --resume {}", r.signal,
                     state_.step, dir_, dir_);
            break;
        }
        if (stop_early) {
            r.stopped_early = true;
            log_info("stopped after step {} (--stop-after); checkpoint written to {}", state_.step, dir_);
            break;
        }
    }
    progress.finish();
    if (steps_run == 0 && m.val) { // resumed at its last step: nothing to train, so evaluate again
        r.val_loss = evaluate();
        if (m.metrics) m.metrics->add_eval(state_.step, r.val_loss, state_.elapsed);
        log_info("step {}/{}: val loss {:.4f} ({})", state_.step, o_.steps, r.val_loss,
                 o_.eval_batches > 0 ? fmt::format("{} batches", o_.eval_batches) : std::string("every token"));
    }
    r.step = state_.step;
    if (m.metrics) m.metrics->write_svg();
    return r;
}

bool Trainer::stop_all(int& signal) {
    Impl& m = *impl_;
    signal = stop_requested() ? lmk::stop_signal() : 0;
    if (!m.group) return signal != 0;
    // How many ranks got each stop signal: a rank signalled alone takes the others along, and
    // those report the first kind any rank got (mpirun and srun pass one signal to every rank).
    constexpr size_t kKinds = std::size(kStopSignals);
    double got[kKinds];
    for (size_t i = 0; i < kKinds; i++) got[i] = signal == kStopSignals[i] ? 1.0 : 0.0;
    m.sum(got, kKinds);
    for (size_t i = 0; i < kKinds && !signal; i++)
        if (got[i] > 0) signal = kStopSignals[i];
    return signal != 0;
}

} // namespace lmk
