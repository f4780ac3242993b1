// nn/ops.cpp: differentiable ops (forward now, tape entry for later) and backward_op, the one
// switch that holds every backward rule.
//
// TapeEntry field use, per op (in = input node ids, i/f = integer/float arguments):
//   linear:        in {x, w, b}; i {N, C, OC, layout, precision}; p {x in bf16, w in bf16}
//                  (bf16 precision only: the arena copy of x, the weight's cached copy)
//   embedding:     in {table}; p {ids}; i {N, C}
//   add, mul:      in {a, b}; i {repeats R, b numel}
//   scale:         in {a}; f {alpha}
//   activation:    in {x}; i {n, act}
//   layernorm:     in {x, w, b}; saved {mean, rstd}; i {N, C}
//   rmsnorm:       in {x, w}; saved {rstd}; i {N, C}
//   softmax:       in {x}; i {N, C}
//   dropout:       in {x}; i {n, seed}; f {p}
//   attention:     in {q, k, v, bias} (packed: in {qkv, -, -, bias}); saved {lse}; p {mask};
//                  i {B, Tq, Tk, NH, HS, causal, bias_b, bias_h, packed, kv batch stride,
//                  dropout seed}; f {scale, dropout}
//   cross_entropy: in {logits}; saved {lse}; p {targets, weights}; i {N, V, Vp, ignore, gradient
//                  already in the logits (consume_logits)}; f {smoothing, weight_sum}
//   linear_cross_entropy: in {x, w}; saved {dx, dW^T} (for d(loss) = 1; null where not
//                  wanted); i {N, C, Vp}
//   sum:           in {x}; i {n}; f {multiplier}
//   reshape:       in {x}; i {n}
//   gather_rows:   in {x}; p {rows}; i {n, C}
//   concat_rows:   in {a, b}; i {numel a, numel b}
#include "lmk/nn/ops.h"
#include "lmk/core/error.h"
#include "lmk/core/threads.h"

#include <cstring>

namespace lmk::nn {

namespace {

bool any_grad(std::initializer_list<Var> vs) {
    for (const Var& v : vs)
        if (v.defined() && v.requires_grad()) return true;
    return false;
}

// The gradients a backward rule writes, one per input (TapeEntry::in order; null where the
// input is absent or needs none), with Graph::grad_out's modes: the first write to an
// activation gradient in a backward pass overwrites, later ones and parameters' accumulate.
// Every rule writes all of the gradients it is handed, and all of an overwritten one.
// An input that appears twice in one entry (add(x, x), attention(x, x, x)) is zeroed once
// and accumulated by both uses, since a kernel may interleave its writes to the two.
struct InputGrads {
    GradOut in[4];
    const GradOut& operator[](int k) const { return in[k]; }
};
InputGrads input_grads(Graph& g, const TapeEntry& e) {
    InputGrads r;
    for (int k = 0; k < 4; k++) {
        const int32_t id = e.in[k];
        if (id < 0 || !g.requires_grad(id)) continue;
        int first = 0;
        while (first < k && e.in[first] != id) first++;
        if (first == k) {
            r.in[k] = g.grad_out(id);
            continue;
        }
        GradOut& earlier = r.in[first];
        if (earlier.overwrite()) {
            std::memset(earlier.data, 0, size_t(g.value(id).numel()) * sizeof(float));
            earlier.mode = GradMode::accumulate;
        }
        r.in[k] = earlier;
    }
    return r;
}

Shape with_last(Shape s, int64_t last) {
    s.dim[size_t(s.ndim - 1)] = last;
    return s;
}

void check_same_graph(Graph& g, std::initializer_list<Var> vs, const char* op) {
    for (const Var& v : vs)
        LMK_CHECK(!v.defined() || v.graph == &g, "{}: variable from another graph", op);
}

// t rounded to bf16 in the graph's arena (valid until reset): a matmul operand.
const uint16_t* bf16_copy(Graph& g, const Tensor& t) {
    uint16_t* dst = static_cast<uint16_t*>(g.arena().alloc_bytes(size_t(t.numel()) * sizeof(uint16_t)));
    to_bf16_matrix(dst, t.data(), t.shape().rows(), t.shape().last(), t.shape().last(), false);
    return dst;
}

// Whether b's shape is a suffix of a's shape (broadcast over a's leading dims).
bool is_trailing(const Shape& a, const Shape& b) {
    if (b.ndim > a.ndim) return false;
    for (int i = 1; i <= b.ndim; i++)
        if (a[a.ndim - i] != b[b.ndim - i]) return false;
    return true;
}

} // namespace

// ---- forward ----

Var linear(Graph& g, Var x, Var weight, Var bias, WeightLayout layout) {
    check_same_graph(g, {x, weight, bias}, "linear");
    const Shape& xs = x.shape();
    const Shape& ws = weight.shape();
    LMK_CHECK(xs.ndim >= 1 && ws.ndim == 2, "linear: input {} weight {}", xs.str(), ws.str());
    const int64_t C = xs.last(), N = xs.rows();
    const int64_t OC = layout == WeightLayout::out_in ? ws[0] : ws[1];
    LMK_CHECK((layout == WeightLayout::out_in ? ws[1] : ws[0]) == C,
              "linear: input {} does not match weight {} ({})", xs.str(), ws.str(),
              layout == WeightLayout::out_in ? "out x in" : "in x out");
    LMK_CHECK(!bias.defined() || bias.value().numel() == OC, "linear: bias {} for {} outputs",
              bias.defined() ? bias.shape().str() : "", OC);
    Var y = g.make(with_last(xs, OC), any_grad({x, weight, bias}));
    Parameter* wp = g.parameter(weight.id);
    const float* b = bias.defined() ? bias.data() : nullptr;
    const uint16_t *x16 = nullptr, *w16 = nullptr;
    if (g.precision == Precision::bf16) {
        // Each operand rounded once: the weight once per optimizer step (the parameter's
        // cached copy), the input here, kept for backward's weight gradient.
        x16 = bf16_copy(g, x.value());
        w16 = wp ? wp->bf16_value() : bf16_copy(g, weight.value());
        linear_forward_bf16(y.data(), x16, w16, b, N, C, OC, layout);
    } else {
        linear_forward(y.data(), x.data(), weight.data(), b, N, C, OC, layout);
    }
    if (y.requires_grad()) {
        TapeEntry e{OpKind::linear};
        e.out = y.id;
        e.in[0] = x.id;
        e.in[1] = weight.id;
        e.in[2] = bias.defined() ? bias.id : -1;
        e.i[0] = N, e.i[1] = C, e.i[2] = OC, e.i[3] = int64_t(layout), e.i[4] = int64_t(g.precision);
        e.p[0] = x16, e.p[1] = w16;
        g.record(e);
    }
    // The one adapter hook: LoRA / IA3 wrap the base projection here.
    if (wp && wp->adapter) return wp->adapter->apply(g, x, y);
    return y;
}

Var embedding(Graph& g, const int32_t* ids, Shape ids_shape, Var table) {
    check_same_graph(g, {table}, "embedding");
    LMK_CHECK(table.shape().ndim == 2 && ids_shape.ndim <= 3, "embedding: table {} ids {}",
              table.shape().str(), ids_shape.str());
    const int64_t V = table.shape()[0], C = table.shape()[1], N = ids_shape.numel();
    int32_t* kept = g.alloc_ints(size_t(N));
    for (int64_t i = 0; i < N; i++) {
        LMK_CHECK(ids[i] >= 0 && ids[i] < V, "embedding: id {} at position {} is outside [0, {})", ids[i], i, V);
        kept[i] = ids[i];
    }
    Shape os = ids_shape;
    os.dim[size_t(os.ndim++)] = C;
    Var y = g.make(os, table.requires_grad());
    embedding_forward(y.data(), kept, table.data(), N, C);
    if (y.requires_grad()) {
        TapeEntry e{OpKind::embedding};
        e.out = y.id, e.in[0] = table.id, e.p[0] = kept, e.i[0] = N, e.i[1] = C;
        g.record(e);
    }
    return y;
}

Var sinusoidal_positions(Graph& g, int64_t T, int64_t C, int64_t offset) {
    Var y = g.input({T, C});
    nn::sinusoidal_positions(y.data(), T, C, offset);
    return y;
}

namespace {
Var binary_broadcast(Graph& g, Var a, Var b, OpKind op, const char* name) {
    check_same_graph(g, {a, b}, name);
    LMK_CHECK(is_trailing(a.shape(), b.shape()), "{}: cannot broadcast {} onto {}", name,
              b.shape().str(), a.shape().str());
    const int64_t nb = b.value().numel(), R = nb ? a.value().numel() / nb : 0;
    Var y = g.make(a.shape(), any_grad({a, b}));
    parallel_for_chunks(size_t(R), 1, [&](size_t r0, size_t r1) {
        for (size_t r = r0; r < r1; r++) {
            size_t off = r * size_t(nb);
            if (op == OpKind::add) add_forward(y.data() + off, a.data() + off, b.data(), size_t(nb));
            else mul_forward(y.data() + off, a.data() + off, b.data(), size_t(nb));
        }
    });
    if (y.requires_grad()) {
        TapeEntry e{op};
        e.out = y.id, e.in[0] = a.id, e.in[1] = b.id, e.i[0] = R, e.i[1] = nb;
        g.record(e);
    }
    return y;
}
} // namespace

Var add(Graph& g, Var a, Var b) { return binary_broadcast(g, a, b, OpKind::add, "add"); }
Var mul(Graph& g, Var a, Var b) { return binary_broadcast(g, a, b, OpKind::mul, "mul"); }

Var scale(Graph& g, Var a, float alpha) {
    Var y = g.make(a.shape(), a.requires_grad());
    std::memcpy(y.data(), a.data(), size_t(a.value().numel()) * 4);
    scale_inplace(y.data(), size_t(a.value().numel()), alpha);
    if (y.requires_grad()) {
        TapeEntry e{OpKind::scale};
        e.out = y.id, e.in[0] = a.id, e.f[0] = alpha;
        g.record(e);
    }
    return y;
}

Var activation(Graph& g, Var x, Activation act) {
    check_same_graph(g, {x}, "activation");
    const int64_t n = x.value().numel();
    Var y = g.make(x.shape(), x.requires_grad());
    activation_forward(y.data(), x.data(), size_t(n), act);
    if (y.requires_grad()) {
        TapeEntry e{OpKind::activation};
        e.out = y.id, e.in[0] = x.id, e.i[0] = n, e.i[1] = int64_t(act);
        g.record(e);
    }
    return y;
}

Var layernorm(Graph& g, Var x, Var weight, Var bias, float eps) {
    check_same_graph(g, {x, weight, bias}, "layernorm");
    const int64_t C = x.shape().last(), N = x.shape().rows();
    LMK_CHECK(weight.value().numel() == C && (!bias.defined() || bias.value().numel() == C),
              "layernorm: input {} weight {}", x.shape().str(), weight.shape().str());
    Var y = g.make(x.shape(), any_grad({x, weight, bias}));
    float* mean = g.alloc_floats(size_t(N));
    float* rstd = g.alloc_floats(size_t(N));
    layernorm_forward(y.data(), mean, rstd, x.data(), weight.data(),
                      bias.defined() ? bias.data() : nullptr, N, C, eps);
    if (y.requires_grad()) {
        TapeEntry e{OpKind::layernorm};
        e.out = y.id, e.in[0] = x.id, e.in[1] = weight.id, e.in[2] = bias.defined() ? bias.id : -1;
        e.saved[0] = mean, e.saved[1] = rstd, e.i[0] = N, e.i[1] = C;
        g.record(e);
    }
    return y;
}

Var rmsnorm(Graph& g, Var x, Var weight, float eps) {
    check_same_graph(g, {x, weight}, "rmsnorm");
    const int64_t C = x.shape().last(), N = x.shape().rows();
    LMK_CHECK(weight.value().numel() == C, "rmsnorm: input {} weight {}", x.shape().str(), weight.shape().str());
    Var y = g.make(x.shape(), any_grad({x, weight}));
    float* rstd = g.alloc_floats(size_t(N));
    rmsnorm_forward(y.data(), rstd, x.data(), weight.data(), N, C, eps);
    if (y.requires_grad()) {
        TapeEntry e{OpKind::rmsnorm};
        e.out = y.id, e.in[0] = x.id, e.in[1] = weight.id, e.saved[0] = rstd, e.i[0] = N, e.i[1] = C;
        g.record(e);
    }
    return y;
}

Var softmax(Graph& g, Var x) {
    const int64_t C = x.shape().last(), N = x.shape().rows();
    Var y = g.make(x.shape(), x.requires_grad());
    softmax_forward(y.data(), x.data(), N, C);
    if (y.requires_grad()) {
        TapeEntry e{OpKind::softmax};
        e.out = y.id, e.in[0] = x.id, e.i[0] = N, e.i[1] = C;
        g.record(e);
    }
    return y;
}

Var dropout(Graph& g, Var x, float p) {
    LMK_CHECK(p >= 0.f && p < 1.f, "dropout: probability {} outside [0, 1)", p);
    if (!g.training || p == 0.f) return x;
    const int64_t n = x.value().numel();
    const uint64_t seed = g.next_op_seed();
    Var y = g.make(x.shape(), x.requires_grad());
    dropout_forward(y.data(), x.data(), size_t(n), p, seed);
    if (y.requires_grad()) {
        TapeEntry e{OpKind::dropout};
        e.out = y.id, e.in[0] = x.id, e.i[0] = n, e.i[1] = int64_t(seed), e.f[0] = p;
        g.record(e);
    }
    return y;
}

namespace {
Var attention_impl(Graph& g, Var q, Var k, Var v, const AttentionOptions& opt, bool packed) {
    const Shape& qs = q.shape();
    LMK_CHECK(qs.ndim == 3, "attention: expected (B, T, C) inputs, got {}", qs.str());
    const int64_t B = qs[0], Tq = qs[1];
    const int64_t C = packed ? qs[2] / 3 : qs[2];
    const int64_t Tk = packed ? Tq : k.shape()[1];
    LMK_CHECK(!packed || qs[2] % 3 == 0, "self_attention: last dim {} is not 3C", qs[2]);
    LMK_CHECK(opt.n_head > 0 && C % opt.n_head == 0, "attention: {} channels do not split into {} heads", C, opt.n_head);
    if (!packed)
        LMK_CHECK(k.shape().ndim == 3 && k.shape()[0] == B && k.shape()[2] == C && v.shape() == k.shape(),
                  "attention: q {} k {} v {}", qs.str(), k.shape().str(), v.shape().str());
    LMK_CHECK(!opt.causal || Tk >= Tq, "attention: causal with {} keys for {} queries", Tk, Tq);
    AttentionShape s;
    s.B = B, s.Tq = Tq, s.Tk = Tk, s.NH = opt.n_head, s.HS = C / opt.n_head;
    s.q_stride = s.k_stride = s.v_stride = packed ? 3 * C : C;
    LMK_CHECK(opt.kv_batch_stride == 0 || (!packed && opt.kv_batch_stride >= Tk * C),
              "attention: kv_batch_stride {} for Tk={} C={}", opt.kv_batch_stride, Tk, C);
    s.k_bstride = s.v_bstride = opt.kv_batch_stride;
    s.causal = opt.causal;
    s.scale = opt.scale;
    LMK_CHECK(opt.dropout >= 0.f && opt.dropout < 1.f, "attention: dropout {} outside [0, 1)", opt.dropout);
    if (g.training && opt.dropout > 0.f) {
        s.dropout = opt.dropout;
        s.dropout_seed = opt.dropout_seed ? opt.dropout_seed : g.next_op_seed();
    }
    if (opt.key_mask) {
        uint8_t* m = static_cast<uint8_t*>(g.arena().alloc_bytes(size_t(B * Tk)));
        std::memcpy(m, opt.key_mask, size_t(B * Tk));
        s.key_mask = m;
    }
    if (opt.bias.defined()) {
        const Shape& bs = opt.bias.shape();
        const bool per_batch = bs.ndim == 4;
        LMK_CHECK((bs.ndim == 3 || per_batch) && bs[-3] == s.NH && bs[-2] == Tq && bs[-1] == Tk &&
                      (!per_batch || bs[0] == B),
                  "attention: bias {} for B={} NH={} Tq={} Tk={}", bs.str(), B, s.NH, Tq, Tk);
        s.bias = opt.bias.data();
        s.bias_h = Tq * Tk;
        s.bias_b = per_batch ? s.NH * Tq * Tk : 0;
    }
    const float* qp = q.data();
    const float* kp = packed ? qp + C : k.data();
    const float* vp = packed ? qp + 2 * C : v.data();
    const bool rg = packed ? any_grad({q, opt.bias}) : any_grad({q, k, v, opt.bias});
    Var y = g.make({B, Tq, C}, rg);
    float* lse = g.alloc_floats(size_t(B * s.NH * Tq));
    attention_forward(y.data(), lse, qp, kp, vp, s);
    if (y.requires_grad()) {
        TapeEntry e{OpKind::attention};
        e.out = y.id;
        e.in[0] = q.id, e.in[1] = packed ? -1 : k.id, e.in[2] = packed ? -1 : v.id;
        e.in[3] = opt.bias.defined() ? opt.bias.id : -1;
        e.saved[0] = lse;
        e.p[0] = s.key_mask;
        e.i[0] = B, e.i[1] = Tq, e.i[2] = Tk, e.i[3] = s.NH, e.i[4] = s.HS, e.i[5] = s.causal;
        e.i[6] = s.bias_b, e.i[7] = s.bias_h, e.i[8] = packed, e.i[9] = s.k_bstride;
        e.i[10] = int64_t(s.dropout_seed);
        e.f[0] = s.scale, e.f[1] = s.dropout;
        g.record(e);
    }
    return y;
}
} // namespace

Var attention(Graph& g, Var q, Var k, Var v, const AttentionOptions& opt) {
    check_same_graph(g, {q, k, v, opt.bias}, "attention");
    return attention_impl(g, q, k, v, opt, false);
}

Var self_attention(Graph& g, Var qkv, const AttentionOptions& opt) {
    check_same_graph(g, {qkv, opt.bias}, "self_attention");
    return attention_impl(g, qkv, {}, {}, opt, true);
}

namespace {
// The arena copies a loss keeps for its backward: the targets (checked against V) and the
// per-token weights, if any (o.weights then points at the copy).
int32_t* copy_targets(Graph& g, const int32_t* targets, int64_t N, int64_t V, CrossEntropyOptions& o) {
    int32_t* t = g.alloc_ints(size_t(N));
    for (int64_t i = 0; i < N; i++) {
        LMK_CHECK(targets[i] == o.ignore_index || (targets[i] >= 0 && targets[i] < V),
                  "cross_entropy: target {} at row {} is outside [0, {})", targets[i], i, V);
        t[i] = targets[i];
    }
    if (o.weights) {
        float* w = g.alloc_floats(size_t(N));
        std::memcpy(w, o.weights, size_t(N) * 4);
        o.weights = w;
    }
    return t;
}
} // namespace

Var cross_entropy(Graph& g, Var logits, const int32_t* targets, int64_t V,
                  const CrossEntropyOptions& opt, float* per_token_loss) {
    check_same_graph(g, {logits}, "cross_entropy");
    const int64_t Vp = logits.shape().last(), N = logits.shape().rows();
    LMK_CHECK(V > 0 && V <= Vp, "cross_entropy: vocabulary {} for logits {}", V, logits.shape().str());
    CrossEntropyOptions o = opt;
    const int32_t* t = copy_targets(g, targets, N, V, o);
    float* lse = g.alloc_floats(size_t(N));
    float* losses = per_token_loss ? per_token_loss : g.alloc_floats(size_t(N));
    Var y = g.make({}, logits.requires_grad());
    // Consumed logits (opt.consume_logits) take their gradient now, in place.
    const bool gradient_now = o.consume_logits && y.requires_grad();
    CrossEntropyResult r = gradient_now ? cross_entropy_forward_grad(losses, lse, logits.data(), t, N, V, Vp, o)
                                        : cross_entropy_forward(losses, lse, logits.data(), t, N, V, Vp, o);
    y.data()[0] = r.loss;
    if (y.requires_grad()) {
        TapeEntry e{OpKind::cross_entropy};
        e.out = y.id, e.in[0] = logits.id, e.saved[0] = lse, e.p[0] = t, e.p[1] = o.weights;
        e.i[0] = N, e.i[1] = V, e.i[2] = Vp, e.i[3] = o.ignore_index, e.i[4] = gradient_now;
        e.f[0] = o.label_smoothing, e.f[1] = float(r.weight_sum);
        g.record(e);
    }
    return y;
}

Var linear_cross_entropy(Graph& g, Var x, Var weight, const int32_t* targets, int64_t V,
                         const CrossEntropyOptions& opt, float* per_token_loss) {
    check_same_graph(g, {x, weight}, "linear_cross_entropy");
    const Shape& ws = weight.shape();
    const int64_t N = x.shape().rows(), C = x.shape().last();
    const Parameter* wp = g.parameter(weight.id);
    const bool chunked = g.grad_enabled() && any_grad({x, weight}) && g.precision == Precision::f32 &&
                         N > kHeadChunkRows && !(wp && wp->adapter) && ws.ndim == 2 && ws[1] == C;
    if (!chunked) {
        CrossEntropyOptions o = opt;
        o.consume_logits = true; // linear's output: ours alone
        return cross_entropy(g, linear(g, x, weight, Var{}, WeightLayout::out_in), targets, V, o, per_token_loss);
    }
    const int64_t Vp = ws[0];
    LMK_CHECK(V > 0 && V <= Vp, "cross_entropy: vocabulary {} for logits {}", V, ws.str());
    CrossEntropyOptions o = opt;
    const int32_t* t = copy_targets(g, targets, N, V, o);
    float* lse = g.alloc_floats(size_t(N));
    float* losses = per_token_loss ? per_token_loss : g.alloc_floats(size_t(N));
    const bool want_dx = x.requires_grad(), want_dw = weight.requires_grad();
    float* dx = want_dx ? g.alloc_floats(size_t(N * C)) : nullptr;
    float* dwt = want_dw ? g.alloc_floats(size_t(C * Vp)) : nullptr; // d W^T (C, Vp)
    float* logits = g.alloc_floats(size_t(kHeadChunkRows * Vp));
    const double weight_sum = cross_entropy_weight_sum(t, N, o);
    const float* w = weight.data();
    for (int64_t r0 = 0; r0 < N; r0 += kHeadChunkRows) {
        const int64_t n = std::min(kHeadChunkRows, N - r0);
        const float* xr = x.data() + r0 * C;
        linear_forward(logits, xr, w, nullptr, n, C, Vp, WeightLayout::out_in, Precision::f32);
        CrossEntropyOptions oc = o;
        if (o.weights) oc.weights = o.weights + r0;
        cross_entropy_rows_grad(losses + r0, lse + r0, logits, t + r0, n, V, Vp, oc, weight_sum);
        if (dx) gemm(false, false, n, C, Vp, 1.f, logits, Vp, w, C, 0.f, dx + r0 * C, C); // dlogits W
        if (dwt) gemm(true, false, C, Vp, n, 1.f, xr, C, logits, Vp, r0 ? 1.f : 0.f, dwt, Vp); // += x^T dlogits
    }
    Var y = g.make({}, true);
    y.data()[0] = cross_entropy_mean(losses, t, N, o, weight_sum).loss;
    TapeEntry e{OpKind::linear_cross_entropy};
    e.out = y.id, e.in[0] = x.id, e.in[1] = weight.id, e.saved[0] = dx, e.saved[1] = dwt;
    e.i[0] = N, e.i[1] = C, e.i[2] = Vp;
    g.record(e);
    return y;
}

namespace {
Var reduce_sum(Graph& g, Var x, float multiplier) {
    const int64_t n = x.value().numel();
    double s = 0;
    const float* p = x.data();
    for (int64_t i = 0; i < n; i++) s += p[i]; // in order: deterministic
    Var y = g.make({}, x.requires_grad());
    y.data()[0] = float(s * multiplier);
    if (y.requires_grad()) {
        TapeEntry e{OpKind::sum};
        e.out = y.id, e.in[0] = x.id, e.i[0] = n, e.f[0] = multiplier;
        g.record(e);
    }
    return y;
}
} // namespace

Var sum(Graph& g, Var x) { return reduce_sum(g, x, 1.f); }
Var mean(Graph& g, Var x) { return reduce_sum(g, x, 1.f / float(x.value().numel())); }

Var reshape(Graph& g, Var x, Shape shape) {
    Var y = g.make_view(x.value().reshape(shape), x.requires_grad());
    if (y.requires_grad()) {
        TapeEntry e{OpKind::reshape};
        e.out = y.id, e.in[0] = x.id, e.i[0] = shape.numel();
        g.record(e);
    }
    return y;
}

Var gather_rows(Graph& g, Var x, const int32_t* rows, int64_t n) {
    const int64_t C = x.shape().last(), N = x.shape().rows();
    int32_t* kept = g.alloc_ints(size_t(n));
    for (int64_t i = 0; i < n; i++) {
        LMK_CHECK(rows[i] >= 0 && rows[i] < N, "gather_rows: row {} outside [0, {})", rows[i], N);
        kept[i] = rows[i];
    }
    Var y = g.make({n, C}, x.requires_grad());
    for (int64_t i = 0; i < n; i++) std::memcpy(y.data() + i * C, x.data() + int64_t(kept[i]) * C, size_t(C) * 4);
    if (y.requires_grad()) {
        TapeEntry e{OpKind::gather_rows};
        e.out = y.id, e.in[0] = x.id, e.p[0] = kept, e.i[0] = n, e.i[1] = C;
        g.record(e);
    }
    return y;
}

Var concat_rows(Graph& g, Var a, Var b) {
    const int64_t C = a.shape().last();
    LMK_CHECK(b.shape().last() == C, "concat_rows: {} and {}", a.shape().str(), b.shape().str());
    const int64_t na = a.value().numel(), nb = b.value().numel();
    Var y = g.make({a.shape().rows() + b.shape().rows(), C}, any_grad({a, b}));
    std::memcpy(y.data(), a.data(), size_t(na) * 4);
    std::memcpy(y.data() + na, b.data(), size_t(nb) * 4);
    if (y.requires_grad()) {
        TapeEntry e{OpKind::concat_rows};
        e.out = y.id, e.in[0] = a.id, e.in[1] = b.id, e.i[0] = na, e.i[1] = nb;
        g.record(e);
    }
    return y;
}

// ---- backward: every rule in one place ----

namespace {
// Hands over a gradient a loss's forward computed for d(loss) = 1 into buf (n floats, free
// for the taking): buf becomes node id's gradient, scaled by d(loss), when nothing has
// written one yet; otherwise it is added to the gradient already there.
void hand_over_grad(Graph& g, int32_t id, float* buf, size_t n, float dloss) {
    if (!g.requires_grad(id)) return;
    if (g.adopt_grad(id, buf)) {
        if (dloss != 1.f) scale_inplace(buf, n, dloss);
        return;
    }
    accumulate(g.grad_out(id), buf, n, dloss);
}

// The backward of a cross-entropy whose forward left d(loss)/d(logits) in the logits' own
// buffer (consume_logits).
void consumed_cross_entropy_backward(Graph& g, const TapeEntry& e, float dloss) {
    hand_over_grad(g, e.in[0], g.value(e.in[0]).data(), size_t(e.i[0] * e.i[2]), dloss);
}

// A same-shape add's (a residual connection's): d(a + b) is dout for both. b gets a copy (or
// adds it), then a takes dout's own buffer when it has no gradient yet, so a residual
// stream's gradient passes down the blocks in one buffer instead of a copy per add (4 MB a
// copy on the small config); the sum keeps no gradient after its backward.
void same_shape_add_backward(Graph& g, const TapeEntry& e) {
    const float* dout = g.grad_if_any(e.out);
    const size_t n = size_t(e.i[1]);
    if (g.requires_grad(e.in[1])) accumulate(g.grad_out(e.in[1]), dout, n);
    if (g.requires_grad(e.in[0]) && !g.move_grad(e.out, e.in[0])) accumulate(g.grad_out(e.in[0]), dout, n);
}

// linear_cross_entropy's: dx as above; the head's gradient from d W^T, transposed.
void linear_cross_entropy_backward(Graph& g, const TapeEntry& e, float dloss) {
    const int64_t N = e.i[0], C = e.i[1], Vp = e.i[2];
    if (e.saved[0]) hand_over_grad(g, e.in[0], e.saved[0], size_t(N * C), dloss);
    if (e.saved[1]) accumulate_transposed(g.grad_out(e.in[1]), e.saved[1], Vp, C, dloss);
}
} // namespace

void backward_op(Graph& g, const TapeEntry& e) {
    const float* dout = g.grad_if_any(e.out);
    if (e.op == OpKind::cross_entropy && e.i[4]) return consumed_cross_entropy_backward(g, e, dout[0]);
    if (e.op == OpKind::linear_cross_entropy) return linear_cross_entropy_backward(g, e, dout[0]);
    if (e.op == OpKind::add && e.i[0] == 1) return same_shape_add_backward(g, e);
    const Tensor& out = g.value(e.out);
    const InputGrads d = input_grads(g, e);
    switch (e.op) {
    case OpKind::linear:
        if (Precision(e.i[4]) == Precision::bf16)
            linear_backward_bf16(d[0], d[1], d[2], dout, static_cast<const uint16_t*>(e.p[0]),
                                 static_cast<const uint16_t*>(e.p[1]), e.i[0], e.i[1], e.i[2],
                                 WeightLayout(e.i[3]));
        else
            linear_backward(d[0], d[1], d[2], dout, g.value(e.in[0]).data(), g.value(e.in[1]).data(),
                            e.i[0], e.i[1], e.i[2], WeightLayout(e.i[3]));
        break;
    case OpKind::embedding:
        embedding_backward(d[0], dout, static_cast<const int32_t*>(e.p[0]), e.i[0], g.value(e.in[0]).shape()[0],
                           e.i[1]);
        break;
    case OpKind::add: {
        const int64_t R = e.i[0], nb = e.i[1];
        accumulate(d[0], dout, size_t(R * nb));
        add_rows(d[1], dout, R, nb);
        break;
    }
    case OpKind::mul: {
        const int64_t R = e.i[0], nb = e.i[1];
        const float* a = g.value(e.in[0]).data();
        const float* b = g.value(e.in[1]).data();
        if (d[0])
            for (int64_t r = 0; r < R; r++) accumulate_product(d[0].at(r * nb), dout + r * nb, b, size_t(nb));
        if (d[1]) {
            float* tmp = g.alloc_floats(size_t(R * nb)); // dout * a, then summed over repeats
            mul_forward(tmp, dout, a, size_t(R * nb));
            add_rows(d[1], tmp, R, nb);
        }
        break;
    }
    case OpKind::scale:
        accumulate(d[0], dout, size_t(out.numel()), e.f[0]);
        break;
    case OpKind::activation:
        activation_backward(d[0], dout, g.value(e.in[0]).data(), size_t(e.i[0]), Activation(e.i[1]));
        break;
    case OpKind::layernorm:
        layernorm_backward(d[0], d[1], d[2], dout, g.value(e.in[0]).data(), g.value(e.in[1]).data(), e.saved[0],
                           e.saved[1], e.i[0], e.i[1]);
        break;
    case OpKind::rmsnorm:
        rmsnorm_backward(d[0], d[1], dout, g.value(e.in[0]).data(), g.value(e.in[1]).data(), e.saved[0], e.i[0],
                         e.i[1]);
        break;
    case OpKind::softmax:
        softmax_backward(d[0], dout, out.data(), e.i[0], e.i[1]);
        break;
    case OpKind::dropout:
        dropout_backward(d[0], dout, size_t(e.i[0]), e.f[0], uint64_t(e.i[1]));
        break;
    case OpKind::attention: {
        AttentionShape s;
        s.B = e.i[0], s.Tq = e.i[1], s.Tk = e.i[2], s.NH = e.i[3], s.HS = e.i[4];
        s.causal = e.i[5] != 0, s.bias_b = e.i[6], s.bias_h = e.i[7];
        s.k_bstride = s.v_bstride = e.i[9];
        const bool packed = e.i[8] != 0;
        const int64_t C = s.NH * s.HS;
        s.q_stride = s.k_stride = s.v_stride = packed ? 3 * C : C;
        s.key_mask = static_cast<const uint8_t*>(e.p[0]);
        s.bias = e.in[3] >= 0 ? g.value(e.in[3]).data() : nullptr;
        s.scale = e.f[0];
        s.dropout = e.f[1], s.dropout_seed = uint64_t(e.i[10]);
        const float* q = g.value(e.in[0]).data();
        const float* k = packed ? q + C : g.value(e.in[1]).data();
        const float* v = packed ? q + 2 * C : g.value(e.in[2]).data();
        // packed: dq, dk, dv are the three column slices of the one (B, T, 3C) gradient
        const GradOut dk = packed ? d[0].at(C) : d[1], dv = packed ? d[0].at(2 * C) : d[2];
        attention_backward(d[0], dk, dv, d[3], dout, out.data(), e.saved[0], q, k, v, s);
        break;
    }
    case OpKind::cross_entropy: {
        const GradOut dl = d[0];
        if (!dl) break;
        if (e.f[1] <= 0.f) { // every row ignored or weighted 0: no gradient
            if (dl.overwrite()) std::memset(dl.data, 0, size_t(e.i[0] * e.i[2]) * sizeof(float));
            break;
        }
        CrossEntropyOptions o;
        o.ignore_index = int32_t(e.i[3]);
        o.label_smoothing = e.f[0];
        o.weights = static_cast<const float*>(e.p[1]);
        cross_entropy_backward(dl, g.value(e.in[0]).data(), e.saved[0], static_cast<const int32_t*>(e.p[0]),
                               e.i[0], e.i[1], e.i[2], o, dout[0] / e.f[1]);
        break;
    }
    case OpKind::linear_cross_entropy: break; // linear_cross_entropy_backward, above
    case OpKind::sum:
        if (d[0]) {
            const float dx = dout[0] * e.f[0];
            float* p = d[0].data;
            for (int64_t i = 0; i < e.i[0]; i++) p[i] = d[0].overwrite() ? dx : p[i] + dx;
        }
        break;
    case OpKind::reshape:
        accumulate(d[0], dout, size_t(e.i[0]));
        break;
    case OpKind::gather_rows:
        if (d[0]) { // scattered rows (some repeated, some absent): an overwritten gradient starts at zero
            float* dx = d[0].data;
            if (d[0].overwrite()) std::memset(dx, 0, size_t(g.value(e.in[0]).numel()) * sizeof(float));
            const int32_t* rows = static_cast<const int32_t*>(e.p[0]);
            const int64_t C = e.i[1];
            for (int64_t i = 0; i < e.i[0]; i++) accumulate(dx + int64_t(rows[i]) * C, dout + i * C, size_t(C));
        }
        break;
    case OpKind::concat_rows:
        accumulate(d[0], dout, size_t(e.i[0]));
        accumulate(d[1], dout + e.i[0], size_t(e.i[1]));
        break;
    }
}

} // namespace lmk::nn
