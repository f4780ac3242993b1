// nn/ops.h: differentiable operations: each runs its forward kernel now (into the graph's
// arena) and records how to run its backward kernel later. ops.cpp is the only place
// backward rules live. Shapes are checked here (lmk::Error on mismatch), never in kernels.
//
// Shape conventions: a "row tensor" has any leading dims and a last dim C; N = rows.
// Attention inputs are (B, T, C) with C = NH * HS; packed self-attention takes (B, T, 3C).
//
//   using namespace lmk::nn;
//   Var h = embedding(g, ids, {B, T}, g.param(wte));           // (B,T,C)
//   h = add(g, h, embedding(g, pos, {T}, g.param(wpe)));        // (T,C) broadcast over B
//   Var a = layernorm(g, h, g.param(ln_w), g.param(ln_b));
//   Var qkv = linear(g, a, g.param(attn_w), g.param(attn_b), WeightLayout::in_out);
//   AttentionOptions ao; ao.n_head = NH; ao.causal = true;
//   Var y = self_attention(g, qkv, ao);                          // (B,T,C)
//   Var loss = cross_entropy(g, logits, targets, V);            // scalar mean
#pragma once
#include "lmk/nn/autograd.h"

namespace lmk::nn {

// y = x W (+ b), W in `layout` (kernels.h); x (..., C) -> (..., OC). bias may be an
// undefined Var. If W is a parameter with an Adapter, returns adapter->apply(g, x, y).
// Matmul precision is g.precision.
Var linear(Graph& g, Var x, Var weight, Var bias, WeightLayout layout);

// ids (ids_shape, int32, copied into the arena) -> (ids_shape..., C) rows of table (V, C).
// Throws on an id outside [0, V).
Var embedding(Graph& g, const int32_t* ids, Shape ids_shape, Var table);

// The fixed sinusoidal position table (T, C) for positions offset.. (a constant).
Var sinusoidal_positions(Graph& g, int64_t T, int64_t C, int64_t offset = 0);

// a + b. b has a's shape, or a's trailing dims (broadcast over a's leading dims, e.g.
// positions (T,C) added to (B,T,C), or a bias (C)).
Var add(Graph& g, Var a, Var b);
// a * b elementwise with the same broadcasting as add (IA3 scaling vectors).
Var mul(Graph& g, Var a, Var b);
Var scale(Graph& g, Var a, float alpha);

Var activation(Graph& g, Var x, Activation act);
inline Var gelu(Graph& g, Var x, Activation kind = Activation::gelu_tanh) { return activation(g, x, kind); }
inline Var relu(Graph& g, Var x) { return activation(g, x, Activation::relu); }

// Over the last dim. bias may be undefined.
Var layernorm(Graph& g, Var x, Var weight, Var bias, float eps = 1e-5f);
Var rmsnorm(Graph& g, Var x, Var weight, float eps = 1e-6f);
// Row softmax over the last dim.
Var softmax(Graph& g, Var x);
// Inverted dropout with probability p; identity when !g.training or p == 0.
Var dropout(Graph& g, Var x, float p);

struct AttentionOptions {
    int64_t n_head = 1;
    bool causal = false;
    const uint8_t* key_mask = nullptr; // (B, Tk) 1 = attend; copied into the arena
    Var bias;                          // additive scores: (NH,Tq,Tk) or (B,NH,Tq,Tk); may require grad
    float scale = 0.f;                 // 0 = 1/sqrt(HS)
    // Floats between batch items of k and v; 0 = dense (Tk * C). Decoding with a KV cache
    // allocated for Tmax positions passes k, v as (B, Tk, C) views of the cache's first Tk
    // positions with kv_batch_stride = Tmax * C.
    int64_t kv_batch_stride = 0;
    // Dropout on the attention probabilities while g.training (kernels.h AttentionShape):
    // the mask is a hash of (seed, batch, head, query, key), regenerated in backward.
    float dropout = 0.f;
    uint64_t dropout_seed = 0; // 0: drawn from the graph (g.next_op_seed(): per step and call)
};
// q (B,Tq,C), k and v (B,Tk,C) -> (B,Tq,C). Tk > Tq with causal = decoding against a KV
// cache (queries are the last Tq positions). Cross-attention: k, v from the encoder.
Var attention(Graph& g, Var q, Var k, Var v, const AttentionOptions& opt);
// qkv (B,T,3C) packed as GPT-2's c_attn output -> (B,T,C). Reads q, k, v in place.
Var self_attention(Graph& g, Var qkv, const AttentionOptions& opt);

// logits (..., Vp) with the first V columns real, targets (rows, int32, copied) ->
// scalar weighted mean loss. per_token_loss (rows), when given, receives each row's
// unweighted loss (0 for ignored rows) at forward time (eval log-likelihoods).
Var cross_entropy(Graph& g, Var logits, const int32_t* targets, int64_t V,
                  const CrossEntropyOptions& opt = {}, float* per_token_loss = nullptr);

// cross_entropy(linear(x, W, {}, out_in), targets, V, opt) for a head W (Vp, C) whose logits
// nothing else reads. Recording a gradient (fp32, no adapter) over more than
// kHeadChunkRows rows, the logits are made, turned into their gradient and multiplied back
// (dx, and dW^T accumulated) one chunk of rows at a time while the chunk is in cache: the
// (N, Vp) logits are never stored, and the backward only scales and hands over the results.
// Otherwise the two ops (with consume_logits).
constexpr int64_t kHeadChunkRows = 1024;
Var linear_cross_entropy(Graph& g, Var x, Var weight, const int32_t* targets, int64_t V,
                         const CrossEntropyOptions& opt = {}, float* per_token_loss = nullptr);

Var sum(Graph& g, Var x);  // scalar
Var mean(Graph& g, Var x); // scalar
// Same data, new shape (same numel).
Var reshape(Graph& g, Var x, Shape shape);
// rows of x (N, C) picked by index (n) -> (n, C) (e.g. the last token per sequence).
Var gather_rows(Graph& g, Var x, const int32_t* rows, int64_t n);
// [a; b] along the first dim (rows): (Na, C), (Nb, C) -> (Na + Nb, C) (prefix tuning).
Var concat_rows(Graph& g, Var a, Var b);

} // namespace lmk::nn
