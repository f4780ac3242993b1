// bench_engine: times the engine's kernels on GPT-2-small shapes and prints one line per
// kernel: `key ms figure unit` (figure = GFLOP/s or GB/s). Used by bench-engine.sh, which
// runs it pinned at 1 and 2 threads next to the PyTorch script on the same shapes.
//
//   bench_engine THREADS [ISA|auto] [ONLY]
//
// ONLY: a comma-separated list of groups to run (gemm, layernorm, gelu, attention,
// cross_entropy, adamw), for repeated timings of one kernel; all when absent.
//
// Shapes: GEMM (2048 x 768) x (768 x 3072) (the MLP's c_fc on B*T = 2048 tokens), fp32, bf16
// from fp32 operands (rounded inside the call) and bf16 from operands already in bf16;
// layernorm (accumulating dx, as ln_1/ln_2 in a step, and overwriting it, as ln_f) and GELU on
// B*T = 4096 rows of C = 768 (GELU on 4C); attention B=2, NH=12,
// T=1024, HS=64, causal (and B=16, NH=4, T=256: the small pretrain config); cross-entropy 1024 rows of V = 50257 (padded to 50304);
// AdamW over 16M parameters; a STREAM-like copy of 64 MB for the memory bandwidth.
#include "lmk/core/rng.h"
#include "lmk/core/threads.h"
#include "lmk/nn/kernels.h"
#include "lmk/nn/tensor.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <new>
#include <string>
#include <vector>

using namespace lmk::nn;

namespace {

// The clock: with one thread, the process's CPU time (the development machine is shared by
// several engineers, and CPU time does not count the time other processes hold the core);
// with more, wall time (CPU time would count spinning pool threads).
bool g_cpu_clock = false;
double now() {
    if (g_cpu_clock) {
        timespec ts;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Best of `reps` timings of fn(), in seconds (the minimum is the least disturbed run).
template <class F> double best_time(int reps, F fn) {
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        fn();
        best = std::min(best, now() - t0);
    }
    return best;
}

// Buffers from the engine's own allocator (nn::allocate_aligned: 64-byte aligned), as its
// arena and Tensor::zeros give them: with
// std::vector's 16-byte alignment every AVX-512 load of a large array splits across two
// cache lines, which cost the row kernels 20-30% here.
template <class T> struct EngineAllocator {
    using value_type = T;
    EngineAllocator() = default;
    template <class U> EngineAllocator(const EngineAllocator<U>&) {}
    T* allocate(size_t n) { return static_cast<T*>(allocate_aligned(n * sizeof(T))); }
    void deallocate(T* p, size_t) { std::free(p); }
    template <class U> bool operator==(const EngineAllocator<U>&) const { return true; }
};
using Buf = std::vector<float, EngineAllocator<float>>;

Buf randn(size_t n, float scale, uint64_t seed) {
    lmk::Rng rng(seed);
    Buf v(n);
    for (float& x : v) x = scale * float(rng.normal());
    return v;
}

void report(const char* key, double seconds, double figure, const char* unit) {
    std::printf("%s %.3f %.1f %s\n", key, seconds * 1e3, figure, unit);
}

} // namespace

int main(int argc, char** argv) {
    const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
    lmk::set_threads(threads);
    if (argc > 2) set_isa(argv[2]);
    const std::string only = argc > 3 ? "," + std::string(argv[3]) + "," : "";
    auto wanted = [&](const char* group) { return only.empty() || only.find("," + std::string(group) + ",") != std::string::npos; };
    g_cpu_clock = threads == 1;
    std::printf("# isa %s threads %d clock %s\n", isa_name(current_isa()), threads, g_cpu_clock ? "cpu" : "wall");
    if (best_isa() == Isa::avx512 && (wanted("gemm") || wanted("attention")))
        report("peak_fp32", 0, measure_fma_peak_gflops(threads, 0.05), "GFLOP/s");

    if (wanted("gemm")) { // GEMM, fp32 and bf16 operands
        const int64_t M = 2048, K = 768, N = 3072;
        auto a = randn(size_t(M * K), 1, 1), b = randn(size_t(K * N), 0.02f, 2);
        Buf c(size_t(M * N));
        const double flop = 2.0 * double(M) * double(N) * double(K);
        for (Precision p : {Precision::f32, Precision::bf16}) {
            gemm(false, false, M, N, K, 1, a.data(), K, b.data(), N, 0, c.data(), N, p); // warm-up
            double t = best_time(5, [&] { gemm(false, false, M, N, K, 1, a.data(), K, b.data(), N, 0, c.data(), N, p); });
            // gemm_bf16: fp32 operands rounded inside the call
            report(p == Precision::f32 ? "gemm_f32" : "gemm_bf16", t, flop / t / 1e9, "GFLOP/s");
        }
        // Operands already in bf16, as the engine hands them over (weights rounded once per
        // optimizer step, activations once in forward) and as PyTorch is given bf16 tensors.
        std::vector<uint16_t> a16(a.size()), b16(b.size());
        to_bf16(a.data(), a16.data(), a.size());
        to_bf16(b.data(), b16.data(), b.size());
        gemm_bf16(false, false, M, N, K, 1, a16.data(), K, b16.data(), N, 0, c.data(), N);
        double t = best_time(5, [&] { gemm_bf16(false, false, M, N, K, 1, a16.data(), K, b16.data(), N, 0, c.data(), N); });
        report("gemm_bf16_pre", t, flop / t / 1e9, "GFLOP/s");
    }
    if (wanted("layernorm")) { // layernorm forward + backward, (4096, 768), in both of the tape's gradient modes
        const int64_t N = 4096, C = 768;
        auto x = randn(size_t(N * C), 1, 3), w = randn(size_t(C), 1, 4), b = randn(size_t(C), 1, 5);
        auto dy = randn(size_t(N * C), 1, 6);
        Buf y(x.size()), dx(x.size()), dw(C), db(C), mean(N), rstd(N);
        // What the tape does in a GPT step (pre-LayerNorm): the residual add that also reads a
        // block's input is recorded after ln_1/ln_2, so its backward writes the input's gradient
        // first and the norm's backward ACCUMULATES dx (reads and writes it: 24 of GPT-2's 25
        // norms); ln_f's input has no other reader, so its backward OVERWRITES dx (writes only).
        // dw, db are parameter gradients: they accumulate in both.
        for (GradMode mode : {GradMode::accumulate, GradMode::overwrite}) {
            const bool over = mode == GradMode::overwrite;
            double t = best_time(7, [&] {
                layernorm_forward(y.data(), mean.data(), rstd.data(), x.data(), w.data(), b.data(), N, C, 1e-5f);
                layernorm_backward({dx.data(), mode}, dw.data(), db.data(), dy.data(), x.data(), w.data(), mean.data(),
                                   rstd.data(), N, C);
            });
            // bytes: fwd reads x, writes y; bwd reads x, dy (and dx when accumulating), writes dx
            report(over ? "layernorm_first" : "layernorm", t, double(N * C) * 4 * (over ? 5 : 6) / t / 1e9, "GB/s");
        }
    }
    if (wanted("gelu")) { // GELU (tanh) forward + backward, (4096, 3072)
        const size_t n = 4096 * 3072;
        auto x = randn(n, 1, 7), dy = randn(n, 1, 8);
        Buf y(n), dx(n);
        double t = best_time(5, [&] {
            activation_forward(y.data(), x.data(), n, Activation::gelu_tanh);
            activation_backward(dx.data(), dy.data(), x.data(), n, Activation::gelu_tanh);
        });
        report("gelu", t, double(n) * 4 * 6 / t / 1e9, "GB/s");
    }
    if (wanted("attention")) { // causal attention forward + backward, packed qkv (B, T, 3C)
        // GPT-2 small's shape (B=2, T=1024, the PyTorch comparison), and the "small" pretrain
        // config's (B=16, T=256, NH=4: docs/BENCHMARKS.md, Training), keys with suffix _t256.
        struct Case {
            const char* suffix;
            int64_t B, T, NH;
        };
        for (const Case& cs : {Case{"", 2, 1024, 12}, Case{"_t256", 16, 256, 4}}) {
            AttentionShape s;
            s.B = cs.B, s.Tq = s.Tk = cs.T, s.NH = cs.NH, s.HS = 64, s.causal = true;
            const int64_t C = s.NH * s.HS;
            s.q_stride = s.k_stride = s.v_stride = 3 * C;
            auto qkv = randn(size_t(s.B * s.Tq * 3 * C), 1, 9), dy = randn(size_t(s.B * s.Tq * C), 1, 10);
            Buf out(size_t(s.B * s.Tq * C)), lse(size_t(s.B * s.NH * s.Tq)), dqkv(qkv.size());
            const float* q = qkv.data();
            double tf = best_time(3, [&] { attention_forward(out.data(), lse.data(), q, q + C, q + 2 * C, s); });
            // The packed qkv's gradient has one writer in a step (attention), so the tape hands
            // it over to overwrite.
            const GradOut dq{dqkv.data(), GradMode::overwrite};
            double t = best_time(3, [&] {
                attention_forward(out.data(), lse.data(), q, q + C, q + 2 * C, s);
                attention_backward(dq, dq.at(C), dq.at(2 * C), nullptr, dy.data(), out.data(), lse.data(), q, q + C,
                                   q + 2 * C, s);
            });
            // causal: half of the 4*T*T*HS flops per head forward (QK^T and PV); backward 2.5x forward
            const double fwd_flop = 2.0 * double(s.B * s.NH) * double(s.Tq * s.Tk) * double(s.HS);
            report(("attention_fwd" + std::string(cs.suffix)).c_str(), tf, fwd_flop / tf / 1e9, "GFLOP/s");
            report(("attention" + std::string(cs.suffix)).c_str(), t, 3.5 * fwd_flop / t / 1e9, "GFLOP/s");
        }
    }
    if (wanted("cross_entropy")) { // softmax cross-entropy forward + backward, (1024, 50304) with V = 50257
        const int64_t N = 1024, V = 50257, Vp = 50304;
        auto logits = randn(size_t(N * Vp), 2, 11);
        std::vector<int32_t> targets(N);
        lmk::Rng rng(12);
        for (auto& t : targets) t = int32_t(rng.below(V));
        Buf lse(N), losses(N), dl(logits.size());
        double t = best_time(3, [&] {
            CrossEntropyResult r = cross_entropy_forward(losses.data(), lse.data(), logits.data(), targets.data(), N, V, Vp, {});
            cross_entropy_backward(dl.data(), logits.data(), lse.data(), targets.data(), N, V, Vp, {}, float(1.0 / r.weight_sum));
        });
        // reads logits twice (forward, backward), reads and writes dlogits
        report("cross_entropy", t, double(N * Vp) * 4 * 4 / t / 1e9, "GB/s");
    }
    if (wanted("adamw")) { // AdamW over 16M parameters vs a STREAM-like copy
        const size_t n = size_t(16) << 20;
        auto p = randn(n, 0.02f, 13), g = randn(n, 1e-3f, 14);
        Buf m(n, 0.f), v(n, 0.f);
        double t = best_time(5, [&] { adam_update(p.data(), g.data(), m.data(), v.data(), n, 1e-4f, 0.9f, 0.95f, 1e-8f, 0.1f, 0.5f, 0.5f); });
        report("adamw", t, double(n) * 4 * 7 / t / 1e9, "GB/s"); // reads p g m v, writes p m v
        Buf dst(n);
        double tc = best_time(5, [&] {
            lmk::parallel_for_chunks(n, 1 << 18, [&](size_t b, size_t e) { std::memcpy(dst.data() + b, g.data() + b, (e - b) * 4); });
        });
        report("stream_copy", tc, double(n) * 4 * 2 / tc / 1e9, "GB/s");
    }
    return 0;
}
