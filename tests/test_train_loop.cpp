// tests/test_train_loop.cpp: exact resume, signals, NaN handling of the training loop, and
// its data-parallel side (two ranks as two threads, no MPI needed).
#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/core/signals.h"
#include "lmk/core/threads.h"
#include "lmk/io/file.h"
#include "lmk/io/shard.h"
#include "lmk/model/import.h"
#include "lmk/train/loop.h"

#include <cmath>
#include <csignal>
#include "test_util.h"

#include <condition_variable>
#include <cstring>
#include <doctest/doctest.h>
#include <filesystem>
#include <fmt/format.h>
#include <limits>
#include <mutex>
#include <thread>

using namespace lmk;
namespace fs = std::filesystem;

namespace {
using lmk_test::TempDir;
void make_shards(const std::string& dir) {
    // A learnable stream: a short repeating phrase with a counter mixed in.
    for (int s = 0; s < 2; s++) {
        std::vector<uint32_t> ids;
        for (uint32_t i = 0; i < 3000; i++) ids.push_back((i % 11 == 0) ? (i / 11) % 29 : (i % 11) + 29 * (s == 1));
        ShardWriter w(dir + "/train_00" + std::to_string(s) + ".bin", 1);
        w.append(ids.data(), ids.size());
        w.commit();
    }
    std::vector<uint32_t> val;
    for (uint32_t i = 0; i < 500; i++) val.push_back(i % 11);
    ShardWriter w(dir + "/val_000.bin", 1);
    w.append(val.data(), val.size());
    w.commit();
}
GptConfig tiny_config() {
    GptConfig c;
    c.vocab_size = 50, c.n_positions = 16, c.n_embd = 32, c.n_layer = 2, c.n_head = 2;
    c.embd_pdrop = 0.1f, c.resid_pdrop = 0.1f, c.attn_pdrop = 0.0f; // dropout masks must resume too
    c.validate();
    return c;
}
// A 2000-token validation split without period, so windows from different places score
// differently; returns its tokens.
std::vector<uint32_t> write_aperiodic_val(const std::string& path) {
    std::vector<uint32_t> val;
    for (uint32_t i = 0; i < 2000; i++) val.push_back((i * 7 + i / 13 + (i * i) % 17) % 50);
    ShardWriter w(path, 1);
    w.append(val.data(), val.size());
    w.commit();
    return val;
}
TrainOptions tiny_options(const std::string& data) {
    TrainOptions o;
    o.train = data + "/train_*.bin";
    o.val = data + "/val_000.bin";
    o.batch = 2, o.ctx = 16, o.grad_accum = 2, o.steps = 8;
    o.lr = 3e-3f, o.min_lr = 3e-4f, o.warmup = 2, o.eval_every = 3, o.eval_batches = 2;
    o.seed = 99;
    return o;
}
} // namespace

TEST_CASE("an interrupted and resumed run ends bit-identical to an uninterrupted one") {
    set_log_level(LogLevel::error);
    TempDir d;
    make_shards(d.path);
    const std::string a = d.path + "/a", b = d.path + "/b";
    TrainOptions o = tiny_options(d.path);
    {
        Gpt m(tiny_config());
        m.init_weights(o.seed);
        TrainOptions profiled = o; // timing every op must not change a bit of the run (checked below)
        profiled.profile_ops = true;
        Trainer t(m, profiled, a);
        TrainResult r = t.run();
        CHECK(r.step == 8);
        CHECK(r.last_loss < std::log(50.0));
        // The phase profile covers the 6 steps after the first two; the phases fit in the steps.
        const PhaseTimes& p = r.phases;
        CHECK(p.steps == 6);
        CHECK(p.forward > 0);
        CHECK(p.backward > 0);
        CHECK(p.optimizer > 0);
        CHECK(p.data + p.zero_grad + p.forward + p.backward + p.clip + p.optimizer <= p.step);
        CHECK(p.eval > 0);   // evaluations at 3, 6 and 8
        CHECK(p.save > 0);   // the final checkpoint
        // The op rows: every op of the tiny GPT, once per call, inside its phase's time.
        const auto& rows = p.ops.rows();
        for (const char* op : {"embedding", "layernorm", "attention", "activation", "add", "cross_entropy"}) {
            INFO(op);
            REQUIRE(rows.count(op) == 1);
            CHECK(rows.at(op).forward_calls == rows.at(op).backward_calls);
        }
        double fwd = 0, bwd = 0;
        int64_t linear_calls = 0;
        for (const auto& [label, row] : rows) {
            fwd += row.forward, bwd += row.backward;
            if (label.starts_with("linear ")) linear_calls += row.forward_calls;
        }
        const GptConfig c = tiny_config();
        const int64_t micro_steps = 6 * o.grad_accum; // evaluations are not profiled
        CHECK(linear_calls == micro_steps * (4 * c.n_layer + 1)); // qkv, proj, fc, fc2 per layer and the head
        CHECK(rows.count(fmt::format("linear {}->{}", c.n_embd, 3 * c.n_embd)) == 1);
        CHECK(rows.at("cross_entropy").forward_calls == micro_steps);
        CHECK(fwd <= p.forward);
        CHECK(bwd <= p.backward);
        const std::string report = profile_report(p);
        CHECK(report.starts_with("pretrain: profile of 6 steps after the first two"));
        CHECK(report.find("  attention ") != std::string::npos);
    }
    {
        Gpt m(tiny_config());
        m.init_weights(o.seed);
        TrainOptions first = o;
        first.stop_after = 5;
        Trainer t(m, first, b);
        TrainResult r = t.run();
        CHECK(r.stopped_early);
        CHECK(r.step == 5);
    }
    {
        // What `pretrain --resume b` does: model from the directory, options from the state.
        TrainerState s = load_trainer_state(b);
        CHECK(s.step == 5);
        auto m = load_model_dir(b);
        Trainer t(*m, train_options_from_json(s.options_json, "state"), b);
        t.restore(s);
        TrainResult r = t.run();
        CHECK(r.step == 8);
    }
    CHECK(read_file(a + "/model.safetensors") == read_file(b + "/model.safetensors"));
    CHECK(read_file(a + "/optimizer.safetensors") == read_file(b + "/optimizer.safetensors"));
    // The logs agree too (elapsed and speed aside): 8 step rows, evals at 3, 6, 8.
    std::string la = read_file(a + "/metrics.jsonl"), lb = read_file(b + "/metrics.jsonl");
    auto count = [](const std::string& s, const std::string& k) {
        size_t n = 0;
        for (size_t p = s.find(k); p != std::string::npos; p = s.find(k, p + 1)) n++;
        return n;
    };
    CHECK(count(la, "\"loss\"") == 8);
    CHECK(count(lb, "\"loss\"") == 8);
    CHECK(count(lb, "\"val_loss\"") == 3);
    CHECK(fs::exists(b + "/loss.svg"));
    CHECK(fs::exists(b + "/config.json"));
}

TEST_CASE("a stop signal finishes the step, checkpoints and reports the signal") {
    set_log_level(LogLevel::error);
    TempDir d;
    make_shards(d.path);
    TrainOptions o = tiny_options(d.path);
    Gpt m(tiny_config());
    m.init_weights(o.seed);
    Trainer t(m, o, d.path + "/run");
    request_stop_for_test(SIGINT);
    TrainResult r = t.run();
    clear_stop_request();
    CHECK(r.signal == SIGINT);
    CHECK(r.step == 1);
    CHECK(load_trainer_state(d.path + "/run").step == 1);
}

TEST_CASE("a NaN loss stops with a clear error and keeps the last good checkpoint") {
    set_log_level(LogLevel::error);
    TempDir d;
    make_shards(d.path);
    TrainOptions o = tiny_options(d.path);
    o.stop_after = 2;
    const std::string dir = d.path + "/run";
    {
        Gpt m(tiny_config());
        m.init_weights(o.seed);
        Trainer t(m, o, dir);
        t.run();
    }
    std::string good = read_file(dir + "/model.safetensors");
    TrainerState s = load_trainer_state(dir);
    auto m = load_model_dir(dir);
    m->params().at("transformer.h.0.mlp.c_fc.bias").value[0] = std::numeric_limits<float>::quiet_NaN();
    Trainer t(*m, train_options_from_json(s.options_json, "state"), dir);
    t.restore(s);
    CHECK_THROWS_WITH_AS(t.run(), doctest::Contains("step 3: loss is nan"), Error);
    CHECK(read_file(dir + "/model.safetensors") == good);
    CHECK(load_trainer_state(dir).step == 2);
}

TEST_CASE("training options survive the trainer state") {
    TrainOptions o;
    o.train = "x/*.bin", o.val = "v \"q\".bin", o.lr = 1e-3f, o.batch = 3, o.seed = 18446744073709551615ULL;
    o.schedule = "linear", o.precision = "bf16";
    TrainOptions p = train_options_from_json(train_options_to_json(o), "t");
    CHECK(p.train == o.train);
    CHECK(p.val == o.val);
    CHECK(p.lr == o.lr);
    CHECK(p.batch == 3);
    CHECK(p.seed == o.seed);
    CHECK(p.schedule == "linear");
    CHECK(p.precision == "bf16");
}

TEST_CASE("evaluation scores the same random windows of the whole validation split every time") {
    set_log_level(LogLevel::error);
    TempDir d;
    make_shards(d.path);
    write_aperiodic_val(d.path + "/val_rand.bin");
    TrainOptions o = tiny_options(d.path);
    o.val = d.path + "/val_rand.bin";
    o.eval_batches = 3;
    Gpt m(tiny_config());
    m.init_weights(o.seed);
    Trainer t(m, o, d.path + "/run");
    const double v1 = t.evaluate(), v2 = t.evaluate();
    CHECK(v1 == v2);
    // The same windows, drawn independently: nanoGPT-style uniform windows from the
    // documented stream, scored with dropout off.
    TokenDataLoader loader(o.val, o.batch, o.ctx, DataOrder::random, derive_seed(o.seed, stream_id("val-data")));
    std::vector<int32_t> x(size_t(o.batch * o.ctx)), y(x.size());
    nn::Graph g;
    double total = 0;
    for (int64_t b = 0; b < o.eval_batches; b++) {
        loader.next_batch(x.data(), y.data());
        g.reset();
        g.training = false;
        nn::NoGradScope ng(g);
        total += double(m.loss(g, x.data(), y.data(), o.batch, o.ctx).item());
    }
    CHECK(v1 == total / double(o.eval_batches));
}

TEST_CASE("--eval-batches 0 scores every validation token once: the exact mean loss") {
    set_log_level(LogLevel::error);
    TempDir d;
    make_shards(d.path);
    const std::vector<uint32_t> val = write_aperiodic_val(d.path + "/val_rand.bin");
    TrainOptions o = tiny_options(d.path);
    o.val = d.path + "/val_rand.bin";
    o.eval_batches = 0; // 2000 tokens, T 16: 125 rows, the last starting at 1983 (one overlap)
    Gpt m(tiny_config());
    m.init_weights(o.seed);
    Trainer t(m, o, d.path + "/run");
    const double v = t.evaluate();
    // Independently: target k (1..1999) is scored in the window of T tokens that starts at
    // the multiple of T below it, or at the split's last window; one sequence at a time.
    const int64_t T = o.ctx, n = int64_t(val.size());
    nn::Graph g;
    std::vector<float> per_token(static_cast<size_t>(T));
    int64_t scored_window = -1;
    double total = 0;
    for (int64_t k = 1; k < n; k++) {
        const int64_t start = std::min((k - 1) / T * T, n - 1 - T);
        if (start != scored_window) {
            std::vector<int32_t> x(static_cast<size_t>(T)), y(static_cast<size_t>(T));
            for (int64_t i = 0; i < T; i++) x[size_t(i)] = int32_t(val[size_t(start + i)]), y[size_t(i)] = int32_t(val[size_t(start + i + 1)]);
            g.reset();
            g.training = false;
            nn::NoGradScope ng(g);
            m.loss(g, x.data(), y.data(), 1, T, {}, per_token.data());
            scored_window = start;
        }
        total += double(per_token[size_t(k - 1 - start)]);
    }
    CHECK(v == doctest::Approx(total / double(n - 1)).epsilon(1e-6));
    CHECK(v == t.evaluate()); // deterministic
}

namespace {
// Two data-parallel ranks as two threads of this process: each sum() waits for both ranks'
// values, then both take slot 0 + slot 1 in the element type (the same bits on each rank).
class ThreadPair {
public:
    class Rank : public train::Collectives {
    public:
        Rank(ThreadPair& pair, int rank) : pair_(pair), rank_(rank) {}
        int rank() const override { return rank_; }
        int size() const override { return 2; }
        void sum(float* data, size_t n) override { pair_.sum(rank_, data, n); }
        void sum(double* data, size_t n) override { pair_.sum(rank_, data, n); }

    private:
        ThreadPair& pair_;
        int rank_;
    };
    int mismatched_sums = 0; // sums whose lengths differed between the ranks

private:
    template <class T> void sum(int rank, T* data, size_t n) {
        slot_[rank].assign(data, data + n); // exact: float and double values fit a double
        barrier();
        if (slot_[0].size() != slot_[1].size()) {
            if (rank == 0) mismatched_sums++;
        } else {
            for (size_t i = 0; i < n; i++) data[i] = T(slot_[0][i]) + T(slot_[1][i]);
        }
        barrier(); // both have read the slots before either writes its next sum
    }
    void barrier() {
        std::unique_lock<std::mutex> lock(mu_);
        const uint64_t generation = generation_;
        if (++arrived_ == 2) {
            arrived_ = 0;
            generation_++;
            cv_.notify_all();
        } else {
            cv_.wait(lock, [&] { return generation_ != generation; });
        }
    }
    std::vector<double> slot_[2];
    std::mutex mu_;
    std::condition_variable cv_;
    int arrived_ = 0;
    uint64_t generation_ = 0;
};

std::vector<double> metric_column(const std::string& metrics, const std::string& key) {
    std::vector<double> v;
    const std::string needle = "\"" + key + "\": ";
    for (size_t at = metrics.find(needle); at != std::string::npos; at = metrics.find(needle, at + 1))
        v.push_back(std::stod(metrics.substr(at + needle.size())));
    return v;
}
} // namespace

TEST_CASE("two data-parallel ranks train the run one process trains, and only rank 0 writes") {
    set_log_level(LogLevel::error);
    lmk::set_threads(1);
    TempDir d;
    make_shards(d.path);
    TrainOptions o = tiny_options(d.path); // with dropout, evaluation every 3 steps
    o.grad_accum = 4;                       // two micro-batches a rank
    Gpt one(tiny_config());
    one.init_weights(o.seed);
    Trainer(one, o, d.path + "/one").run();

    Gpt m0(tiny_config()), m1(tiny_config());
    m0.init_weights(o.seed), m1.init_weights(o.seed);
    ThreadPair pair;
    ThreadPair::Rank r0(pair, 0), r1(pair, 1);
    TrainResult res[2];
    std::string errors;
    std::mutex errors_mu;
    auto rank_main = [&](Gpt& m, train::Collectives& group, const std::string& dir, TrainResult& out) {
        try {
            out = Trainer(m, o, dir, &group).run();
        } catch (const std::exception& e) {
            std::lock_guard<std::mutex> lock(errors_mu);
            errors += e.what();
        }
    };
    std::thread t1(rank_main, std::ref(m1), std::ref(r1), d.path + "/rank1", std::ref(res[1]));
    rank_main(m0, r0, d.path + "/two", res[0]);
    t1.join();
    REQUIRE(errors.empty());
    CHECK(pair.mismatched_sums == 0);
    CHECK(res[0].step == o.steps);
    CHECK(res[1].step == o.steps);
    // The ranks end with the same weights, bit for bit.
    for (nn::Parameter* p : m0.params().all()) {
        INFO(p->name);
        const nn::Tensor& w1 = m1.params().at(p->name).value;
        CHECK(std::memcmp(p->value.data(), w1.data(), size_t(w1.numel()) * sizeof(float)) == 0);
    }
    // Rank 0 wrote the run; rank 1 nothing.
    for (const char* f : {"config.json", "model.safetensors", "trainer_state.json", "metrics.jsonl", "loss.svg"})
        CHECK(fs::exists(d.path + "/two/" + f));
    CHECK(fs::is_empty(d.path + "/rank1"));
    // Every loss, gradient norm and validation loss as one process computed them (only the
    // order of the gradient sums' additions differs), and the same evaluations.
    const std::string a = read_file(d.path + "/one/metrics.jsonl"), b = read_file(d.path + "/two/metrics.jsonl");
    for (const char* key : {"loss", "grad_norm", "val_loss"}) {
        const std::vector<double> x = metric_column(a, key), y = metric_column(b, key);
        INFO(key);
        REQUIRE(x.size() == y.size());
        CHECK(x.size() >= 3);
        for (size_t i = 0; i < x.size(); i++) CHECK(y[i] == doctest::Approx(x[i]).epsilon(1e-5));
    }
    CHECK(res[0].val_loss == res[1].val_loss); // shared out, summed: the same on both
    lmk::set_threads(0);
}

TEST_CASE("micro-batches that do not share out over the ranks are a usage error") {
    set_log_level(LogLevel::error);
    TempDir d;
    make_shards(d.path);
    TrainOptions o = tiny_options(d.path);
    o.grad_accum = 3;
    Gpt m(tiny_config());
    m.init_weights(o.seed);
    ThreadPair pair;
    ThreadPair::Rank r0(pair, 0);
    CHECK_THROWS_WITH_AS(Trainer(m, o, d.path + "/run", &r0), doctest::Contains("--grad-accum 3 does not share out over 2 processes"),
                         UsageError);
}
