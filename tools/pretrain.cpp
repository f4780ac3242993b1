// pretrain: train a GPT from llm.c token shards into a Hugging Face-compatible model
// directory, with exact resume. The loop lives in lib/lmk/train/loop.h.
#include "lmk/core/cli.h"
#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/core/progress.h"
#include "lmk/core/signals.h"
#include "lmk/core/threads.h"
#include "lmk/dist/mpi.h"
#include "lmk/io/file.h"
#include "lmk/model/import.h"
#include "lmk/tok/hf_json.h"
#include "lmk/train/loop.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

namespace {

struct Options {
    std::string arch = "gpt", out, resume, config, init_from, tokenizer;
    int64_t layers = 4, heads = 4, dim = 128, vocab = 0, batch_tokens = 0;
    std::string norm = "pre", positions = "learned", activation = "gelu_new";
    float dropout = 0.0f;
    bool profile = false, no_bias = false;
    lmk::TrainOptions train;
    CLI::Option *steps_opt = nullptr, *ctx_opt = nullptr, *eval_batches_opt = nullptr;
    const CLI::App* app = nullptr;
};

// The help's flag groups; --resume refuses the flags of the last three.
constexpr const char* kRunGroup = "Run";
constexpr const char* kModelGroup = "Model";
constexpr const char* kTrainingGroup = "Training";

// --resume continues a run with the options it was started with (that is what makes it
// exact), so a flag that would set up a different run is refused rather than ignored.
void refuse_new_run_flags(const CLI::App& app) {
    static const std::set<std::string> kApplyOnResume = {"--output", "--resume", "--steps", "--eval-batches",
                                                         "--stop-after", "--peak-gflops", "--profile"};
    for (const CLI::Option* opt : app.get_options()) {
        const std::string name = opt->get_name();
        if (!opt->count() || kApplyOnResume.count(name)) continue;
        const std::string& group = opt->get_group();
        if (group != kRunGroup && group != kModelGroup && group != kTrainingGroup && name != "--seed") continue;
        throw lmk::UsageError(fmt::format("{} cannot change a resumed run: --resume keeps the run's own options "
                                          "(--steps, --eval-batches, --stop-after, --peak-gflops and --profile apply)",
                                          name),
                              "to train on with other options, start a new run from it: pretrain -o NEWDIR "
                              "--init-from DIR ...");
    }
}

const char* kExamples = R"(Examples:
  pretrain -o runs/shakespeare --train 'data/train_*.bin' --val data/val_000000.bin \
      --tokenizer tok/tokenizer.json --layers 4 --heads 4 --dim 128 --ctx 64 --batch 12 \
      --steps 2000 --lr 1e-3 --warmup 100 --eval-every 200
  pretrain --resume runs/shakespeare --steps 4000      # continue the same run to step 4000
  pretrain -o runs/ft --init-from gpt2_124M.bin --train 'web/train_*.bin' --lr 1e-4
  mpirun -np 4 pretrain -o runs/dp --train 'web/train_*.bin' --batch 8 --grad-accum 16   # data parallel, 4 micro-batches a rank
)";

// The model's config from --config FILE (a bad file: exit 1) or the model flags (a bad
// value: a usage error, exit 2).
lmk::GptConfig model_config(const Options& o, int64_t ctx, int64_t vocab, int64_t eos) {
    lmk::GptConfig c;
    if (!o.config.empty()) {
        c = lmk::gpt_config_from_json(lmk::read_file(o.config), o.config);
        c.resid_pdrop = c.embd_pdrop = c.attn_pdrop = o.dropout;
        c.validate(o.config);
        return c;
    }
    return lmk::as_usage([&] {
        c.n_layer = o.layers, c.n_head = o.heads, c.n_embd = o.dim, c.n_positions = ctx;
        c.vocab_size = vocab;
        c.padded_vocab_size = 0;
        c.activation = lmk::activation_from_name(o.activation, "--activation");
        LMK_CHECK(o.norm == "pre" || o.norm == "post", "--norm must be pre or post, got \"{}\"", o.norm);
        c.norm_position = o.norm == "pre" ? lmk::NormPosition::pre : lmk::NormPosition::post;
        LMK_CHECK(o.positions == "learned" || o.positions == "sinusoidal",
                  "--positions must be learned or sinusoidal, got \"{}\"", o.positions);
        c.position_embedding = o.positions == "learned" ? lmk::PositionEmbedding::learned : lmk::PositionEmbedding::sinusoidal;
        c.bos_token_id = c.eos_token_id = eos;
        c.bias = !o.no_bias;
        c.resid_pdrop = c.embd_pdrop = c.attn_pdrop = o.dropout;
        c.validate("flags");
        return c;
    });
}

// Under mpirun/srun: rank 0 reports (the others only warnings and errors, named by rank, and
// no progress line) and, unless -j says otherwise, the ranks on one machine share its cores.
void join_ranks(const lmk::dist::MpiGroup& group, const lmk::CommonFlags& common) {
    if (group.rank() != 0) {
        lmk::set_tool_name(fmt::format("pretrain (rank {})", group.rank()));
        if (lmk::log_level() > lmk::LogLevel::warn) lmk::set_log_level(lmk::LogLevel::warn);
        lmk::set_progress_mode(lmk::ProgressMode::never);
    }
    if (common.threads == 0) lmk::set_threads(std::max(1, lmk::hardware_threads() / group.local_size()));
    lmk::log_info("data parallel: {} processes ({} on this machine, {} thread{} each)", group.size(),
                  group.local_size(), lmk::num_threads(), lmk::num_threads() == 1 ? "" : "s");
}

int run(Options& o, const lmk::CommonFlags& common) {
    LMK_CHECK_USAGE(o.arch == "gpt", "--arch {}: only gpt is trained by this build", o.arch);
    // Before the stop handlers, so that ours are the ones the stop signals reach.
    const std::unique_ptr<lmk::dist::MpiGroup> group = lmk::dist::join_launched_group(
        lmk::dist::launched_processes([](const char* name) { return std::getenv(name); }));
    if (group) join_ranks(*group, common);
    const bool writer = !group || group->rank() == 0;
    lmk::install_stop_handlers();
    std::unique_ptr<lmk::Gpt> model;
    std::unique_ptr<lmk::Trainer> trainer;
    if (!o.resume.empty()) {
        LMK_CHECK_USAGE(o.out.empty() || o.out == o.resume, "--resume continues the run in its own directory; drop -o");
        refuse_new_run_flags(*o.app);
        if (writer) lmk::recover_checkpoint(o.resume); // finishes or undoes an interrupted save
        if (group) group->barrier();                    // which the other ranks then read
        lmk::TrainerState state = lmk::load_trainer_state(o.resume);
        lmk::TrainOptions t = lmk::train_options_from_json(state.options_json, o.resume + "/trainer_state.json");
        if (o.steps_opt->count()) t.steps = o.train.steps;
        if (o.eval_batches_opt->count()) t.eval_batches = o.train.eval_batches; // evaluation only: training unchanged
        t.stop_after = o.train.stop_after;
        t.peak_gflops = o.train.peak_gflops;
        t.profile_ops = o.profile;
        LMK_CHECK_USAGE(t.steps >= state.step, "--steps {} is before the checkpoint's step {}", t.steps, state.step);
        model = lmk::load_model_dir(o.resume);
        trainer = std::make_unique<lmk::Trainer>(*model, t, o.resume, group.get());
        trainer->restore(state);
        o.out = o.resume;
    } else {
        LMK_CHECK_USAGE(!o.out.empty(), "-o DIR is required (or --resume DIR)");
        LMK_CHECK_USAGE(!o.train.train.empty(), "--train GLOB is required");
        if (lmk::has_checkpoint(o.out))
            throw lmk::Error(fmt::format("{}: already holds a training run", o.out),
                             fmt::format("continue it with `pretrain --resume {}` or choose another -o", o.out));
        std::unique_ptr<lmk::tok::Tokenizer> tk;
        if (!o.tokenizer.empty()) tk = lmk::tok::load_tokenizer(o.tokenizer);
        int64_t ctx = o.train.ctx > 0 ? o.train.ctx : 256;
        if (!o.init_from.empty()) {
            model = lmk::load_gpt(o.init_from);
            // A model directory's own tokenizer comes along, so DIR stays usable by generate.
            if (!tk && lmk::tok::holds_tokenizer(o.init_from)) tk = lmk::load_model_tokenizer(o.init_from, "", *model);
            if (o.dropout > 0)
                lmk::log_warn("--dropout is ignored with --init-from (the checkpoint's config is kept)");
        } else {
            int64_t vocab = o.vocab;
            if (vocab == 0 && tk) vocab = int64_t(tk->vocab_size());
            if (vocab == 0 && o.config.empty()) {
                // Neither a tokenizer nor --vocab: the shards' largest id decides.
                vocab = int64_t(lmk::TokenDataLoader(o.train.train, 1, 1, lmk::DataOrder::sequential, 0).max_token_id()) + 1;
                lmk::log_info("vocabulary size {} from the shards' largest token id", vocab);
            }
            int64_t eos = tk && tk->eot_id() ? int64_t(*tk->eot_id()) : -1;
            model = std::make_unique<lmk::Gpt>(model_config(o, ctx, vocab, eos));
            model->init_weights(common.seed);
        }
        if (!o.ctx_opt->count()) o.train.ctx = std::min<int64_t>(ctx, model->config().n_positions);
        LMK_CHECK_USAGE(o.batch_tokens >= 0, "--batch-tokens must not be negative, got {}", o.batch_tokens);
        if (o.batch_tokens > 0) {
            int64_t per_micro = o.train.batch * o.train.ctx;
            LMK_CHECK_USAGE(o.batch_tokens % per_micro == 0, "--batch-tokens {} is not a multiple of --batch x --ctx = {}",
                      o.batch_tokens, per_micro);
            o.train.grad_accum = o.batch_tokens / per_micro;
        }
        o.train.seed = common.seed;
        o.train.profile_ops = o.profile;
        o.train.validate(); // before DIR is created
        std::filesystem::create_directories(o.out);
        if (tk && writer) lmk::write_file(o.out + "/tokenizer.json", lmk::tok::to_hf_json(*tk));
        trainer = std::make_unique<lmk::Trainer>(*model, o.train, o.out, group.get());
    }
    lmk::TrainResult r = trainer->run();
    if (o.profile && writer) fmt::print(stderr, "{}", lmk::profile_report(r.phases));
    lmk::log_info("done: step {}{}{}; model in {}, loss curve {}/loss.svg", r.step,
                  std::isnan(r.last_loss) ? "" : fmt::format(", train loss {:.4f}", r.last_loss),
                  std::isnan(r.val_loss) ? "" : fmt::format(", val loss {:.4f}", r.val_loss), o.out, o.out);
    return r.signal ? 130 : 0;
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    return lmk::tool_main(
        argc, argv,
        {"pretrain",
         "Train a GPT language model on llm.c token shards. Writes DIR/config.json and model.safetensors "
         "(Hugging Face GPT2LMHeadModel names), optimizer.safetensors and trainer_state.json for exact "
         "resume, metrics.jsonl and loss.svg. SIGINT/SIGTERM/SIGUSR1 finish the step, checkpoint and exit 130.",
         kExamples},
        [&](CLI::App& app, lmk::CommonFlags&) {
            o.app = &app;
            auto* io = kRunGroup;
            app.add_option("-o,--output", o.out, "run directory (created)")->group(io);
            app.add_option("--resume", o.resume, "continue the run in DIR (model, optimizer, RNG, data position)")->group(io);
            app.add_option("--tokenizer", o.tokenizer, "tokenizer (tokenizer.json, vocab.json+merges.txt dir); copied into DIR")->group(io);
            app.add_option("--arch", o.arch, "architecture")->group(io)->check(CLI::IsMember({"gpt"}));
            auto* m = kModelGroup;
            app.add_option("--config", o.config, "model config.json (HF GPT2Config) instead of the flags below")->group(m);
            app.add_option("--init-from", o.init_from, "start from a model directory or llm.c gpt2_*.bin")->group(m);
            app.add_option("--layers", o.layers, "transformer blocks")->group(m);
            app.add_option("--heads", o.heads, "attention heads")->group(m);
            app.add_option("--dim", o.dim, "embedding width")->group(m);
            o.ctx_opt = app.add_option("--ctx", o.train.ctx, "context length (model n_positions and training window)")->group(m);
            app.add_option("--vocab", o.vocab, "vocabulary size (default: the tokenizer's, else the shards' max id + 1)")->group(m);
            app.add_option("--norm", o.norm, "LayerNorm position: pre (GPT-2) or post (GPT-1)")->group(m);
            app.add_option("--positions", o.positions, "learned or sinusoidal")->group(m);
            app.add_flag("--no-bias", o.no_bias, "no biases in linears and LayerNorms (nanoGPT's bias=False; "
                         "saved as zero tensors, so HF still loads the model)")->group(m);
            app.add_option("--activation", o.activation, "gelu_new (GPT-2), gelu or relu")->group(m);
            app.add_option("--dropout", o.dropout, "embedding, attention and residual dropout")->group(m);
            auto* t = kTrainingGroup;
            app.add_option("--train", o.train.train, "training shards (glob; several comma-separated)")->group(t);
            app.add_option("--val", o.train.val, "validation shards (glob)")->group(t);
            app.add_option("--data-order", o.train.data_order, "random windows or sequential")->group(t)
                ->check(CLI::IsMember({"random", "sequential"}));
            app.add_option("--batch", o.train.batch, "sequences per micro-batch")->group(t);
            app.add_option("--grad-accum", o.train.grad_accum, "micro-batches per optimizer step")->group(t);
            app.add_option("--batch-tokens", o.batch_tokens, "tokens per optimizer step (sets --grad-accum)")->group(t);
            o.steps_opt = app.add_option("--steps", o.train.steps, "total optimizer steps of the run")->group(t);
            app.add_option("--lr", o.train.lr, "peak learning rate")->group(t);
            app.add_option("--min-lr", o.train.min_lr, "final learning rate of the decay")->group(t);
            app.add_option("--warmup", o.train.warmup, "linear warmup steps")->group(t);
            app.add_option("--schedule", o.train.schedule, "cosine, linear, constant or inverse_sqrt")->group(t);
            app.add_option("--optimizer", o.train.optimizer, "adamw, adam, sgd or adagrad")->group(t);
            app.add_option("--weight-decay", o.train.weight_decay, "decay of matrices and embeddings")->group(t);
            app.add_option("--beta1", o.train.beta1, "Adam beta1")->group(t);
            app.add_option("--beta2", o.train.beta2, "Adam beta2")->group(t);
            app.add_option("--momentum", o.train.momentum, "SGD momentum")->group(t);
            app.add_option("--grad-clip", o.train.grad_clip, "global gradient-norm clip (0 = off)")->group(t);
            app.add_option("--label-smoothing", o.train.label_smoothing, "cross-entropy label smoothing")->group(t);
            app.add_option("--precision", o.train.precision, "matmul operands: fp32 or bf16")->group(t)
                ->check(CLI::IsMember({"fp32", "bf16"}));
            app.add_option("--eval-every", o.train.eval_every, "evaluate every N steps (0 = at the end)")->check(CLI::NonNegativeNumber)->group(t);
            o.eval_batches_opt = app.add_option("--eval-batches", o.train.eval_batches, "validation batches per evaluation (0 = every token of the split once)")->check(CLI::NonNegativeNumber)->group(t);
            app.add_option("--save-every", o.train.save_every, "checkpoint every N steps (0 = at the end)")->check(CLI::NonNegativeNumber)->group(t);
            app.add_option("--stop-after", o.train.stop_after, "stop (with a checkpoint) after step N, as a signal would")->group(t);
            app.add_option("--peak-gflops", o.train.peak_gflops, "FP32 peak in GFLOP/s for MFU (default: measured at start-up, an FMA loop on the -j threads)")->group(t);
            app.add_flag("--profile", o.profile, "print where the steps' time went (data, forward, backward, clip, optimizer, and op by op) on stderr")->group(t);
        },
        [&](const lmk::CommonFlags& c) { return run(o, c); });
}
