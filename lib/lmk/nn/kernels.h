// nn/kernels.h: the raw compute of the engine: free functions over pointers and sizes.
//
// Every differentiable kernel comes as x_forward / x_backward side by side. A backward kernel
// writes each gradient through a GradOut: accumulate (+=, what a bare pointer means: a tensor
// used twice gets both contributions, parameter gradients sum over micro-batches until
// zero_grad) or overwrite (=: the kernel defines every element, so the buffer needs no
// zero-fill first; the tape passes it for the first contribution to an activation gradient).
// Overwriting gives exactly the values accumulating onto zeros gives (0 + x == x; at most a
// zero's sign differs). A null GradOut skips that gradient.
// Sizes use llm.c's letters: B batch, T time, C channels, OC output channels, V vocabulary
// (Vp padded row length >= V), NH heads, HS head size, N = rows (usually B*T).
//
// Matmuls go to oneDNN (fp32 sgemm, or its bf16 matmul with fp32 accumulation); everything
// else is our own code with AVX-512, AVX2 and scalar paths chosen at run time (set_isa forces
// one, for tests and benchmarks). Our kernels split work over oneTBB in fixed chunks and
// reduce in a fixed order, so they give the same bits for any thread count on a given ISA;
// oneDNN's GEMMs are reproducible for the same thread count. Hot loops never throw; shapes
// are validated by the ops (nn/ops.h).
//
//   lmk::nn::layernorm_forward(out, mean, rstd, inp, w, b, B * T, C, 1e-5f);
//   lmk::nn::linear_forward(qkv, ln1, attn_w, attn_b, B * T, C, 3 * C, WeightLayout::in_out);
//   lmk::nn::attention_forward(att, lse, qkv, qkv + C, qkv + 2 * C, shape);
//   float loss = lmk::nn::cross_entropy_forward(losses, lse, logits, targets, N, V, Vp, {});
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace lmk::nn {

// ---- gradient outputs -------------------------------------------------------------------
enum class GradMode : uint8_t { accumulate, overwrite };
// Where a backward kernel writes one gradient, and how (see above). Implicit from a pointer
// (accumulate) and from nullptr (not wanted).
struct GradOut {
    float* data = nullptr;
    GradMode mode = GradMode::accumulate;

    GradOut() = default;
    GradOut(std::nullptr_t) {}
    GradOut(float* p, GradMode m = GradMode::accumulate) : data(p), mode(m) {}
    explicit operator bool() const { return data != nullptr; }
    bool overwrite() const { return mode == GradMode::overwrite; }
    GradOut at(int64_t offset) const { return {data ? data + offset : nullptr, mode}; } // a slice
};

// ---- instruction set ------------------------------------------------------------------
enum class Isa { scalar, avx2, avx512 };
const char* isa_name(Isa isa);          // "scalar", "avx2", "avx512"
bool isa_supported(Isa isa);            // by this CPU (avx2 also needs FMA)
std::vector<Isa> supported_isas();      // scalar first
Isa best_isa();
Isa current_isa();                      // best_isa() unless set_isa was called
void set_isa(Isa isa);                  // throws lmk::Error if the CPU lacks it
void set_isa(std::string_view name);    // "scalar" | "avx2" | "avx512" | "auto"

// The FP32 peak of `threads` cores in GFLOP/s, measured: `threads` threads at once run
// independent FMAs on the current ISA's registers in ten short runs (about `seconds` in
// all), and the sum of each thread's best run counts. (/proc/cpuinfo's clock is a VM's base
// clock, not the clock a loaded core sustains: on the EPYC this was developed on it reads
// 2.1 GHz against a measured ~3.4.)
double measure_fma_peak_gflops(int threads, double seconds = 0.01);

// ---- matmul (oneDNN) ------------------------------------------------------------------
enum class Precision { f32, bf16 }; // bf16: operands rounded to bf16, products summed in fp32

// C (M,N) = alpha * op(A) op(B) + beta * C, row-major; op(A) is (M,K): A is stored (M,K) with
// leading dimension lda, or (K,M) when trans_a. op(B) is (K,N) likewise. Runs on the oneTBB
// pool (blocks of C, each one single-threaded oneDNN call; gemm.cpp). The same thread count
// gives the same bits; in fp32 other counts may differ in the last bits (docs/ENGINE.md).
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
          const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
          int64_t ldc, Precision precision = Precision::f32);

// The number of blocks (one oneDNN call each, run in parallel) gemm cuts such a product into
// at the calling task's thread count: fp32 1 at one thread, else up to twice the threads;
// bf16 (also gemm_bf16) as many at every thread count, by the shape alone.
int64_t gemm_blocks(int64_t M, int64_t N, int64_t K, Precision precision);

// The same product with operands already rounded to bf16 (to_bf16_matrix, or a Parameter's
// bf16_value()), as uint16_t with the same layout rules; products summed in fp32. Gives the
// bits gemm(..., Precision::bf16) gives for the fp32 originals (tested), without converting
// anything: operands reused across calls are converted once.
void gemm_bf16(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
               const uint16_t* A, int64_t lda, const uint16_t* B, int64_t ldb, float beta, float* C,
               int64_t ldc);
// C (M,N) = op(A) op(B) + bias, the bias (N) added to every row (nullptr: none), as gemm or
// gemm_bf16 with beta 1 over C filled with the bias first (the same bits), but each block of
// C is filled just before its product, while it is in cache.
void gemm_bias(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda,
               const float* B, int64_t ldb, const float* bias, float* C, int64_t ldc,
               Precision precision = Precision::f32);
void gemm_bias_bf16(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, const uint16_t* A, int64_t lda,
                    const uint16_t* B, int64_t ldb, const float* bias, float* C, int64_t ldc);
// C (M,N; leading dim ldc) = beta C + alpha T^T for T (N,M) dense; beta 0 writes over C.
void add_transposed(float* C, int64_t ldc, const float* T, int64_t M, int64_t N, float beta, float alpha);
// dst (rows, cols) = bf16 rounding of op(src): src (rows, cols) with leading dimension ld, or
// (cols, rows) read transposed when trans. Rows in parallel.
void to_bf16_matrix(uint16_t* dst, const float* src, int64_t rows, int64_t cols, int64_t ld, bool trans);

// How a projection's weight is stored: out_in = torch nn.Linear (OC, C), used by BERT/T5;
// in_out = Hugging Face Conv1D (C, OC), used by GPT-2's c_attn/c_proj/c_fc.
enum class WeightLayout { out_in, in_out };

// inp (N,C) -> out (N,OC) = inp W (+ bias (OC)); bias may be null.
void linear_forward(float* out, const float* inp, const float* weight, const float* bias,
                    int64_t N, int64_t C, int64_t OC, WeightLayout layout,
                    Precision precision = Precision::f32);
// dinp (N,C) += dout W^T; dweight (layout) += inp^T dout; dbias (OC) += column sums of dout
// (= in overwrite mode: the GEMMs run with beta 0).
void linear_backward(GradOut dinp, GradOut dweight, GradOut dbias, const float* dout,
                     const float* inp, const float* weight, int64_t N, int64_t C, int64_t OC,
                     WeightLayout layout, Precision precision = Precision::f32);

// Mixed precision with converted operands: inp16 (N,C) and weight16 (in `layout`) are bf16
// copies (to_bf16_matrix; a weight's is made once per optimizer step, the input's once in
// forward and kept for backward). Same bits as the Precision::bf16 calls above.
void linear_forward_bf16(float* out, const uint16_t* inp16, const uint16_t* weight16,
                         const float* bias, int64_t N, int64_t C, int64_t OC, WeightLayout layout);
// dout is fp32 (converted once here, shared by both products); gradients stay fp32.
void linear_backward_bf16(GradOut dinp, GradOut dweight, GradOut dbias, const float* dout,
                          const uint16_t* inp16, const uint16_t* weight16, int64_t N, int64_t C,
                          int64_t OC, WeightLayout layout);

// ---- embeddings and positions ---------------------------------------------------------
// ids (N) in [0, V) -> out (N,C) = table[ids]. Learned positions are an embedding of
// position ids. Callers validate ids (ops do).
void embedding_forward(float* out, const int32_t* ids, const float* table, int64_t N, int64_t C);
// dtable (V,C) += scatter of dout (N,C) by ids; deterministic (rows summed in token order).
// Overwrite zeroes the table's gradient first (rows no token uses are zero).
void embedding_backward(GradOut dtable, const float* dout, const int32_t* ids, int64_t N, int64_t V,
                        int64_t C);
// out (T,C): the Transformer's fixed sinusoids for positions offset..offset+T-1:
// out[t][2i] = sin(pos / 10000^(2i/C)), out[t][2i+1] = cos(same). C even.
void sinusoidal_positions(float* out, int64_t T, int64_t C, int64_t offset = 0);

// ---- normalisation ----------------------------------------------------------------------
// inp (N,C), weight (C), bias (C) or null -> out (N,C); mean, rstd (N) kept for backward.
void layernorm_forward(float* out, float* mean, float* rstd, const float* inp,
                       const float* weight, const float* bias, int64_t N, int64_t C, float eps);
void layernorm_backward(GradOut dinp, GradOut dweight, GradOut dbias, const float* dout,
                        const float* inp, const float* weight, const float* mean,
                        const float* rstd, int64_t N, int64_t C);
// RMSNorm (T5): out = inp * rstd * weight, rstd = 1/sqrt(mean(inp^2) + eps); rstd (N) kept.
void rmsnorm_forward(float* out, float* rstd, const float* inp, const float* weight, int64_t N,
                     int64_t C, float eps);
void rmsnorm_backward(GradOut dinp, GradOut dweight, const float* dout, const float* inp,
                      const float* weight, const float* rstd, int64_t N, int64_t C);

// ---- pointwise --------------------------------------------------------------------------
enum class Activation { gelu_tanh, gelu_erf, relu };
// out (n) = act(inp); dinp (n) += act'(inp) * dout.
void activation_forward(float* out, const float* inp, size_t n, Activation act);
void activation_backward(GradOut dinp, const float* dout, const float* inp, size_t n, Activation act);
// Residual add: out = a + b (out may alias a or b). Its backward is accumulate() twice.
void add_forward(float* out, const float* a, const float* b, size_t n);
// dst += alpha * src (= in overwrite mode).
void accumulate(GradOut dst, const float* src, size_t n, float alpha = 1.f);
// dst (rows, cols) += alpha * src^T for src (cols, rows) dense (= in overwrite mode).
void accumulate_transposed(GradOut dst, const float* src, int64_t rows, int64_t cols, float alpha);
// x *= alpha.
void scale_inplace(float* x, size_t n, float alpha);
// dst (C) += sum over rows of src (R,C) (= in overwrite mode): bias gradients and broadcast
// sums; rows are summed in order, so any thread count gives the same bits.
void add_rows(GradOut dst, const float* src, int64_t R, int64_t C);
// out = a * b elementwise (n).
void mul_forward(float* out, const float* a, const float* b, size_t n);
// dst += a * b elementwise (n) (= in overwrite mode).
void accumulate_product(GradOut dst, const float* a, const float* b, size_t n);
// sum of x[i]^2 in double, fixed chunking: identical for any thread count.
double sum_squares(const float* x, size_t n);

// Inverted dropout: out[i] = keep(i) ? inp[i] / (1-p) : 0, keep(i) decided by a hash of
// (seed, i), so backward regenerates the mask without storing it and any thread split
// gives the same mask. p in [0, 1).
void dropout_forward(float* out, const float* inp, size_t n, float p, uint64_t seed);
void dropout_backward(GradOut dinp, const float* dout, size_t n, float p, uint64_t seed);

// ---- softmax ----------------------------------------------------------------------------
// Row softmax: inp (N,C) -> out (N,C).  dinp += out * (dout - sum_j dout_j out_j).
void softmax_forward(float* out, const float* inp, int64_t N, int64_t C);
void softmax_backward(GradOut dinp, const float* dout, const float* out, int64_t N, int64_t C);

// ---- fused attention --------------------------------------------------------------------
// Scaled dot-product attention over heads, computed in key tiles with an online softmax so
// the (Tq, Tk) score matrix is never held whole. Element (b, t, h, d) of q lives at
// q[b * q_bstride + t * q_stride + h * HS + d] (k, v likewise with Tk and their strides),
// so GPT-2's packed qkv (B,T,3C) is read in place: q = qkv, k = qkv + C, v = qkv + 2C,
// strides 3C. out (B,Tq,NH*HS) is contiguous.
struct AttentionShape {
    int64_t B = 0, Tq = 0, Tk = 0, NH = 0, HS = 0;
    int64_t q_stride = 0, k_stride = 0, v_stride = 0; // floats between positions
    // Floats between batch items; 0 means T * stride (dense). A KV cache allocated for
    // Tmax positions passes k_bstride = v_bstride = Tmax * k_stride.
    int64_t q_bstride = 0, k_bstride = 0, v_bstride = 0;
    // Causal: query t sees keys j <= t + (Tk - Tq), i.e. queries are the last Tq positions
    // (decoding with a KV cache holding Tk - Tq past positions).
    bool causal = false;
    const uint8_t* key_mask = nullptr; // (B,Tk): 1 attend, 0 padding; null = all keys
    // Additive score bias (T5 relative positions, ALiBi): bias[b*bias_b + h*bias_h + t*Tk + j];
    // a stride of 0 broadcasts over that dimension. Null = none.
    const float* bias = nullptr;
    int64_t bias_b = 0, bias_h = 0;
    float scale = 0.f; // 0 means 1/sqrt(HS)
    // Dropout on the attention probabilities: each p_tj is kept with probability 1 - dropout
    // and scaled by 1 / (1 - dropout), the decision a hash of (dropout_seed, b, h, t, j)
    // (attention_dropout_keep), so backward regenerates the mask and the T x T mask is never
    // stored. The softmax normaliser (lse) is that of the undropped probabilities. [0, 1).
    float dropout = 0.f;
    uint64_t dropout_seed = 0;
};
// Whether attention dropout with probability p and seed keeps probability (b, h, t, j): the
// kernels' exact decision, for references and tests.
bool attention_dropout_keep(uint64_t seed, int64_t b, int64_t h, int64_t t, int64_t j, float p);
// lse (B,NH,Tq): per-row log-sum-exp of the scaled scores, kept for backward (may be null
// when no backward follows). A query that sees no key gets out = 0 and lse = -inf.
void attention_forward(float* out, float* lse, const float* q, const float* k, const float* v,
                       const AttentionShape& s);
// dq, dk, dv (same layouts and strides as q, k, v) +=; dbias (layout of bias) += when not
// null. out and lse are the forward's. Recomputes scores tile by tile (fused backward).
// Overwrite writes every row of dq, dk, dv's (B, T, NH*HS) elements (a packed qkv's three
// slices may differ in mode); an overwritten dbias is zero-filled first (scattered writes).
void attention_backward(GradOut dq, GradOut dk, GradOut dv, GradOut dbias, const float* dout,
                        const float* out, const float* lse, const float* q, const float* k,
                        const float* v, const AttentionShape& s);

// ---- fused softmax cross-entropy ---------------------------------------------------------
struct CrossEntropyOptions {
    int32_t ignore_index = -100;    // targets equal to it contribute nothing
    float label_smoothing = 0.f;    // target distribution (1-eps) one-hot + eps/V
    const float* weights = nullptr; // (N) per-token weights (loss masks); null = all 1
    // The logits are read by nothing after this op (a model's internal head output): with a
    // gradient wanted, ops::cross_entropy computes it in the forward pass, over the logits
    // (one pass over the (N, Vp) rows instead of three); the backward only scales it.
    bool consume_logits = false;
};
struct CrossEntropyResult {
    float loss = 0.f;       // sum_i w_i l_i / sum_i w_i over non-ignored rows (0 if none)
    double weight_sum = 0;  // sum_i w_i over non-ignored rows
};
// logits (N,Vp) with real vocabulary V <= Vp (padding columns are ignored), targets (N) ->
// losses (N) unweighted per-row losses (0 for ignored rows; may be null), lse (N) per-row
// log-sum-exp over the V real columns, kept for backward.
CrossEntropyResult cross_entropy_forward(float* losses, float* lse, const float* logits,
                                         const int32_t* targets, int64_t N, int64_t V,
                                         int64_t Vp, const CrossEntropyOptions& opt);
// dlogits (N,Vp) += grad_scale * w_i * (softmax(logits_i) - target_dist_i) on the V real
// columns. For the mean loss, grad_scale = dloss / weight_sum. Overwrite also writes zeros to
// the padding columns and to ignored and zero-weight rows.
void cross_entropy_backward(GradOut dlogits, const float* logits, const float* lse,
                            const int32_t* targets, int64_t N, int64_t V, int64_t Vp,
                            const CrossEntropyOptions& opt, float grad_scale);
// cross_entropy_forward, and logits (N,Vp) overwritten with the mean loss's gradient:
// w_i (softmax(logits_i) - target_dist_i) / weight_sum on the V real columns, zero in the
// padding columns and in ignored and zero-weight rows (all zero when weight_sum is 0). The
// losses and lse have cross_entropy_forward's bits; the gradient is cross_entropy_backward's
// with grad_scale 1 / weight_sum to within an ulp or two (softmax from the normaliser's
// exponentials instead of a second exp).
CrossEntropyResult cross_entropy_forward_grad(float* losses, float* lse, float* logits, const int32_t* targets,
                                              int64_t N, int64_t V, int64_t Vp, const CrossEntropyOptions& opt);
// Its pieces, for rows taken a chunk at a time (ops::linear_cross_entropy): the weight sum of
// the rows (sum w_i over rows not ignored, in row order); rows [0, N) of a batch with that
// weight sum, turned into their losses, lse and gradient; the mean loss of the whole batch's
// per-row losses.
double cross_entropy_weight_sum(const int32_t* targets, int64_t N, const CrossEntropyOptions& opt);
void cross_entropy_rows_grad(float* losses, float* lse, float* logits, const int32_t* targets, int64_t N,
                             int64_t V, int64_t Vp, const CrossEntropyOptions& opt, double weight_sum);
CrossEntropyResult cross_entropy_mean(const float* losses, const int32_t* targets, int64_t N,
                                      const CrossEntropyOptions& opt, double weight_sum);

// ---- optimizer updates (fused, one pass over the parameter) ------------------------------
// Adam/AdamW: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
// p = p (1 - lr wd) - (lr / bc1) m / (sqrt(v) / sqrt(bc2) + eps) with decoupled decay (AdamW),
// or with g += wd p and no decay factor when !decoupled (Adam's L2), as torch.optim does.
// bc1 = 1 - b1^t, bc2 = 1 - b2^t. Every update reads the gradient as grad * grad_scale (a
// clipping factor folded into the one pass; the stored gradient is left as it is).
void adam_update(float* param, const float* grad, float* m, float* v, size_t n, float lr,
                 float beta1, float beta2, float eps, float weight_decay, float bc1, float bc2,
                 bool decoupled = true, float grad_scale = 1.f);
// SGD with optional momentum (buf = mu buf + g; step = nesterov ? g + mu buf : buf) and
// L2 weight decay folded into g: p -= lr * step. buf may be null when mu == 0.
void sgd_update(float* param, const float* grad, float* buf, size_t n, float lr, float momentum,
                bool nesterov, float weight_decay, bool first_step, float grad_scale = 1.f);
// Adagrad: sum += g^2; p -= lr * g / (sqrt(sum) + eps), g including L2 decay.
void adagrad_update(float* param, const float* grad, float* sum, size_t n, float lr, float eps,
                    float weight_decay, float grad_scale = 1.f);

} // namespace lmk::nn
