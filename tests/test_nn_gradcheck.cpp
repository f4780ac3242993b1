// Finite-difference gradient checks for every differentiable op, on every ISA this CPU has
// (scalar, AVX2, AVX-512). For each op the test holds an independent double-precision
// reference of the forward; the engine's fp32 forward must match it, and the engine's
// analytic backward must match central differences of the reference (h = 1e-5 in double,
// so the numeric gradient is accurate to ~1e-9). The loss is sum(out * R) with a fixed
// random R. Every check runs with the op's backward both overwriting its input gradients
// (the first writer) and accumulating onto them (a later writer): see gradcheck().
#include "lmk/core/rng.h"
#include "lmk/nn/ops.h"

#include <cmath>
#include <doctest/doctest.h>
#include <functional>
#include <vector>

using namespace lmk::nn;

namespace {

using Vec = std::vector<double>;
using RefFn = std::function<Vec(const std::vector<Vec>&)>;

struct Input {
    Shape shape;
    std::vector<float> data;
    bool requires_grad = true;
};

std::vector<float> random_floats(lmk::Rng& rng, int64_t n, float lo = -1.f, float hi = 1.f) {
    std::vector<float> v(static_cast<size_t>(n));
    for (float& x : v) x = lo + (hi - lo) * rng.uniform_f();
    return v;
}

// Max |a - b| relative to the reference's scale.
double rel_error(const std::vector<float>& got, const Vec& want) {
    double scale = 1e-2, err = 0;
    for (double w : want) scale = std::max(scale, std::fabs(w));
    for (size_t i = 0; i < want.size(); i++) err = std::max(err, std::fabs(double(got[i]) - want[i]));
    return err / scale;
}

// Checks forward and gradients of the op built by `build` against `ref`. Up to
// max_coords coordinates per input get a finite-difference gradient (chosen at random).
// Runs twice, once per gradient write mode of the op's backward (kernels.h GradMode):
//  - first writer: the op is each input's only consumer, so the tape hands its backward
//    fresh buffers to overwrite; the loss is sum(out * R), seeded with Graph::backward(out, R);
//  - later writer: each input also feeds a scale(x, 0.5) recorded after the op, whose
//    backward runs first and overwrites the input's gradient, so the op's backward
//    accumulates; the loss, sum(out * R) + sum_k sum(0.5 x_k * R_k), is built from ops and
//    each input's expected gradient gains 0.5 R_k.
void gradcheck(const char* name, std::vector<Input> inputs,
               const std::function<Var(Graph&, std::vector<Var>&)>& build, const RefFn& ref,
               double fwd_tol = 2e-5, double grad_tol = 2e-4, int max_coords = 48) {
    for (bool later_writer : {false, true}) {
        lmk::Rng rng(lmk::stream_id(name));
        Graph g;
        std::vector<Tensor> owned;
        std::vector<Var> vars;
        for (Input& in : inputs) {
            owned.push_back(Tensor::from(in.shape, in.data));
            vars.push_back(g.leaf(owned.back(), in.requires_grad));
        }
        Var out = build(g, vars);
        const int64_t n_out = out.value().numel();
        std::vector<float> R = random_floats(rng, n_out);
        std::vector<Vec> xs;
        for (Input& in : inputs) xs.emplace_back(in.data.begin(), in.data.end());
        Vec want = ref(xs);
        REQUIRE(int64_t(want.size()) == n_out);
        const std::string mode = later_writer ? "accumulating (later writer)" : "overwriting (first writer)";
        double fe = rel_error(out.value().to_vector(), want);
        INFO(std::string(name), " on ", std::string(isa_name(current_isa())), ", ", mode, ": forward error ", fe);
        CHECK(fe < fwd_tol);
        std::vector<std::vector<float>> Rk(inputs.size());
        if (later_writer) {
            owned.push_back(Tensor::from(out.shape(), R));
            Var loss = sum(g, mul(g, out, g.constant(owned.back())));
            for (size_t k = 0; k < inputs.size(); k++) {
                if (!inputs[k].requires_grad) continue;
                Rk[k] = random_floats(rng, int64_t(inputs[k].data.size()));
                owned.push_back(Tensor::from(inputs[k].shape, Rk[k]));
                loss = add(g, loss, sum(g, mul(g, scale(g, vars[k], 0.5f), g.constant(owned.back()))));
            }
            g.backward(loss);
        } else {
            g.backward(out, Tensor::from(out.shape(), R));
        }

        for (size_t k = 0; k < inputs.size(); k++) {
            if (!inputs[k].requires_grad) continue;
            Tensor grad = vars[k].grad();
            REQUIRE(grad.defined());
            const size_t n = xs[k].size();
            std::vector<size_t> coords;
            if (n <= size_t(max_coords)) {
                for (size_t i = 0; i < n; i++) coords.push_back(i);
            } else {
                for (int c = 0; c < max_coords; c++) coords.push_back(size_t(rng.below(n)));
            }
            std::vector<float> got;
            Vec numeric;
            for (size_t i : coords) {
                const double h = 1e-5, x0 = xs[k][i];
                xs[k][i] = x0 + h;
                Vec plus = ref(xs);
                xs[k][i] = x0 - h;
                Vec minus = ref(xs);
                xs[k][i] = x0;
                double d = later_writer ? 0.5 * double(Rk[k][i]) : 0.0;
                for (int64_t j = 0; j < n_out; j++) d += double(R[size_t(j)]) * (plus[size_t(j)] - minus[size_t(j)]) / (2 * h);
                numeric.push_back(d);
                got.push_back(grad[int64_t(i)]);
            }
            double ge = rel_error(got, numeric);
            INFO(std::string(name), " on ", std::string(isa_name(current_isa())), ", ", mode, ": input ", k,
                 " gradient error ", ge);
            CHECK(ge < grad_tol);
        }
    }
}

// Runs fn once per ISA the CPU supports, restoring the best one afterwards.
void for_each_isa(const std::function<void()>& fn) {
    for (Isa isa : supported_isas()) {
        set_isa(isa);
        fn();
    }
    set_isa(best_isa());
}

// ---- double references ----

Vec ref_linear(const Vec& x, const Vec& w, const Vec* b, int64_t N, int64_t C, int64_t OC, bool out_in) {
    Vec y(size_t(N * OC));
    for (int64_t n = 0; n < N; n++)
        for (int64_t o = 0; o < OC; o++) {
            double s = b ? (*b)[size_t(o)] : 0.0;
            for (int64_t c = 0; c < C; c++) s += x[size_t(n * C + c)] * w[size_t(out_in ? o * C + c : c * OC + o)];
            y[size_t(n * OC + o)] = s;
        }
    return y;
}

Vec ref_layernorm(const Vec& x, const Vec& w, const Vec& b, int64_t N, int64_t C, double eps) {
    Vec y(x.size());
    for (int64_t n = 0; n < N; n++) {
        double mu = 0, var = 0;
        for (int64_t c = 0; c < C; c++) mu += x[size_t(n * C + c)];
        mu /= double(C);
        for (int64_t c = 0; c < C; c++) var += std::pow(x[size_t(n * C + c)] - mu, 2);
        double rs = 1 / std::sqrt(var / double(C) + eps);
        for (int64_t c = 0; c < C; c++) y[size_t(n * C + c)] = (x[size_t(n * C + c)] - mu) * rs * w[size_t(c)] + b[size_t(c)];
    }
    return y;
}

// Reference attention: q (B,Tq,C), k,v (B,Tk,C) read with row strides; bias (NH,Tq,Tk) or
// (B,NH,Tq,Tk) or empty; mask (B,Tk) or empty.
Vec ref_attention(const Vec& q, const Vec& k, const Vec& v, int64_t B, int64_t Tq, int64_t Tk,
                  int64_t NH, int64_t HS, bool causal, const std::vector<uint8_t>& mask,
                  const Vec& bias, bool bias_per_batch, int64_t qs, int64_t ks, size_t koff, size_t voff,
                  float dropout = 0.f, uint64_t dropout_seed = 0) {
    const int64_t C = NH * HS;
    Vec out(size_t(B * Tq * C), 0.0);
    const double scale = 1 / std::sqrt(double(HS));
    for (int64_t b = 0; b < B; b++)
        for (int64_t h = 0; h < NH; h++)
            for (int64_t t = 0; t < Tq; t++) {
                std::vector<double> s(size_t(Tk), -INFINITY);
                double m = -INFINITY;
                for (int64_t j = 0; j < Tk; j++) {
                    if (causal && j > t + (Tk - Tq)) continue;
                    if (!mask.empty() && !mask[size_t(b * Tk + j)]) continue;
                    double d = 0;
                    for (int64_t e = 0; e < HS; e++)
                        d += q[size_t(b * Tq * qs + t * qs + h * HS + e)] * k[koff + size_t(b * Tk * ks + j * ks + h * HS + e)];
                    d *= scale;
                    if (!bias.empty()) d += bias[size_t((bias_per_batch ? b * NH * Tq * Tk : 0) + h * Tq * Tk + t * Tk + j)];
                    s[size_t(j)] = d;
                    m = std::max(m, d);
                }
                if (m == -INFINITY) continue;
                double z = 0;
                for (double& x : s) z += (x = x == -INFINITY ? 0 : std::exp(x - m));
                for (int64_t j = 0; j < Tk; j++) {
                    // Dropout after the softmax: kept probabilities scaled by 1 / (1 - p).
                    const double keep = dropout == 0.f ? 1.0
                                        : attention_dropout_keep(dropout_seed, b, h, t, j, dropout) ? 1.0 / (1.0 - double(dropout))
                                                                                                    : 0.0;
                    for (int64_t e = 0; e < HS; e++)
                        out[size_t((b * Tq + t) * C + h * HS + e)] +=
                            keep * s[size_t(j)] / z * v[voff + size_t(b * Tk * ks + j * ks + h * HS + e)];
                }
            }
    return out;
}

} // namespace

TEST_CASE("gradcheck: linear in both layouts, with and without bias") {
    for_each_isa([] {
        lmk::Rng rng(1);
        const int64_t N = 5, C = 7, OC = 6;
        for (bool out_in : {true, false}) {
            for (bool with_bias : {true, false}) {
                std::vector<Input> in = {{{N, C}, random_floats(rng, N * C)},
                                         {out_in ? Shape{OC, C} : Shape{C, OC}, random_floats(rng, OC * C)}};
                if (with_bias) in.push_back({{OC}, random_floats(rng, OC)});
                gradcheck("linear", in,
                          [&](Graph& g, std::vector<Var>& v) {
                              return linear(g, v[0], v[1], with_bias ? v[2] : Var{},
                                            out_in ? WeightLayout::out_in : WeightLayout::in_out);
                          },
                          [&](const std::vector<Vec>& x) {
                              return ref_linear(x[0], x[1], with_bias ? &x[2] : nullptr, N, C, OC, out_in);
                          });
            }
        }
    });
}

TEST_CASE("linear in bf16 precision stays close to fp32") {
    lmk::Rng rng(2);
    const int64_t N = 16, C = 64, OC = 32;
    Tensor x = Tensor::from({N, C}, random_floats(rng, N * C));
    Tensor w = Tensor::from({OC, C}, random_floats(rng, OC * C));
    Graph g;
    g.precision = Precision::bf16;
    Var y = linear(g, g.leaf(x, true), g.leaf(w, true), {}, WeightLayout::out_in);
    Vec want = ref_linear(Vec(x.data(), x.data() + N * C), Vec(w.data(), w.data() + OC * C), nullptr, N, C, OC, true);
    double e = rel_error(y.value().to_vector(), want);
    CHECK(e < 2e-2);  // bf16 operands: 8 significant bits
    CHECK(e > 1e-7);  // and it really ran in bf16
    // Backward in bf16 (transposed operands): close to the fp32 gradients.
    Tensor dy = Tensor::from({N, OC}, random_floats(rng, N * OC));
    Graph g32;
    Var x32 = g32.leaf(x, true), w32 = g32.leaf(w, true);
    g32.backward(linear(g32, x32, w32, {}, WeightLayout::out_in), dy);
    Var x16 = g.leaf(x, true), w16 = g.leaf(w, true);
    g.backward(linear(g, x16, w16, {}, WeightLayout::out_in), dy);
    Vec dw32(w32.grad().data(), w32.grad().data() + OC * C), dx32(x32.grad().data(), x32.grad().data() + N * C);
    CHECK(rel_error(w16.grad().to_vector(), dw32) < 2e-2);
    CHECK(rel_error(x16.grad().to_vector(), dx32) < 2e-2);
}

TEST_CASE("gradcheck: embedding with repeated ids") {
    for_each_isa([] {
        lmk::Rng rng(3);
        const int64_t V = 6, C = 5;
        const std::vector<int32_t> ids = {1, 4, 1, 0, 5, 1, 4};
        const int64_t N = int64_t(ids.size());
        gradcheck("embedding", {{{V, C}, random_floats(rng, V * C)}},
                  [&](Graph& g, std::vector<Var>& v) { return embedding(g, ids.data(), {N}, v[0]); },
                  [&](const std::vector<Vec>& x) {
                      Vec y;
                      for (int32_t id : ids)
                          for (int64_t c = 0; c < C; c++) y.push_back(x[0][size_t(id * C + c)]);
                      return y;
                  });
    });
}

TEST_CASE("gradcheck: add and mul with broadcasting, scale") {
    for_each_isa([] {
        lmk::Rng rng(4);
        const int64_t B = 3, T = 4, C = 19;
        for (bool full : {true, false}) {
            Shape bs = full ? Shape{B, T, C} : Shape{T, C};
            const int64_t nb = bs.numel();
            auto ref = [&](const std::vector<Vec>& x, bool is_mul) {
                Vec y(x[0].size());
                for (size_t i = 0; i < y.size(); i++) y[i] = is_mul ? x[0][i] * x[1][i % size_t(nb)] : x[0][i] + x[1][i % size_t(nb)];
                return y;
            };
            std::vector<Input> in = {{{B, T, C}, random_floats(rng, B * T * C)}, {bs, random_floats(rng, nb)}};
            gradcheck("add", in, [](Graph& g, std::vector<Var>& v) { return add(g, v[0], v[1]); },
                      [&](const std::vector<Vec>& x) { return ref(x, false); });
            gradcheck("mul", in, [](Graph& g, std::vector<Var>& v) { return mul(g, v[0], v[1]); },
                      [&](const std::vector<Vec>& x) { return ref(x, true); });
        }
        gradcheck("scale", {{{2, 9}, random_floats(rng, 18)}},
                  [](Graph& g, std::vector<Var>& v) { return scale(g, v[0], -2.5f); },
                  [](const std::vector<Vec>& x) {
                      Vec y = x[0];
                      for (double& d : y) d *= -2.5;
                      return y;
                  });
    });
}

TEST_CASE("gradcheck: GELU (tanh and erf) and ReLU") {
    for_each_isa([] {
        lmk::Rng rng(5);
        const int64_t n = 53; // not a multiple of any register width: tails are checked too
        std::vector<float> x = random_floats(rng, n, -4.f, 4.f);
        for (float& v : x)
            if (std::fabs(v) < 0.05f) v = 0.3f; // ReLU's kink is not differentiable
        for (Activation act : {Activation::gelu_tanh, Activation::gelu_erf, Activation::relu}) {
            gradcheck("activation", {{{n}, x}},
                      [act](Graph& g, std::vector<Var>& v) { return activation(g, v[0], act); },
                      [act](const std::vector<Vec>& in) {
                          Vec y;
                          for (double v : in[0]) {
                              if (act == Activation::relu) y.push_back(v > 0 ? v : 0);
                              else if (act == Activation::gelu_erf) y.push_back(0.5 * v * (1 + std::erf(v / std::sqrt(2.0))));
                              else y.push_back(0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v))));
                          }
                          return y;
                      },
                      5e-6, 2e-4, 64);
        }
    });
}

TEST_CASE("gradcheck: layernorm and rmsnorm") {
    for_each_isa([] {
        lmk::Rng rng(6);
        const int64_t N = 70, C = 37; // 70 rows: more than one reduction chunk of 32 rows
        std::vector<Input> in = {{{N, C}, random_floats(rng, N * C, -2.f, 3.f)},
                                 {{C}, random_floats(rng, C, 0.5f, 1.5f)},
                                 {{C}, random_floats(rng, C)}};
        gradcheck("layernorm", in,
                  [](Graph& g, std::vector<Var>& v) { return layernorm(g, v[0], v[1], v[2], 1e-5f); },
                  [&](const std::vector<Vec>& x) { return ref_layernorm(x[0], x[1], x[2], N, C, 1e-5); });
        in.pop_back();
        gradcheck("rmsnorm", in,
                  [](Graph& g, std::vector<Var>& v) { return rmsnorm(g, v[0], v[1], 1e-6f); },
                  [&](const std::vector<Vec>& x) {
                      Vec y(x[0].size());
                      for (int64_t n = 0; n < N; n++) {
                          double ms = 0;
                          for (int64_t c = 0; c < C; c++) ms += x[0][size_t(n * C + c)] * x[0][size_t(n * C + c)];
                          double rs = 1 / std::sqrt(ms / double(C) + 1e-6);
                          for (int64_t c = 0; c < C; c++) y[size_t(n * C + c)] = x[0][size_t(n * C + c)] * rs * x[1][size_t(c)];
                      }
                      return y;
                  });
    });
}

TEST_CASE("gradcheck: softmax") {
    for_each_isa([] {
        lmk::Rng rng(7);
        const int64_t N = 4, C = 23;
        gradcheck("softmax", {{{N, C}, random_floats(rng, N * C, -3.f, 3.f)}},
                  [](Graph& g, std::vector<Var>& v) { return softmax(g, v[0]); },
                  [&](const std::vector<Vec>& x) {
                      Vec y(x[0].size());
                      for (int64_t n = 0; n < N; n++) {
                          double m = -INFINITY, z = 0;
                          for (int64_t c = 0; c < C; c++) m = std::max(m, x[0][size_t(n * C + c)]);
                          for (int64_t c = 0; c < C; c++) z += std::exp(x[0][size_t(n * C + c)] - m);
                          for (int64_t c = 0; c < C; c++) y[size_t(n * C + c)] = std::exp(x[0][size_t(n * C + c)] - m) / z;
                      }
                      return y;
                  });
    });
}

TEST_CASE("gradcheck: dropout (seeded mask, regenerated in backward)") {
    for_each_isa([] {
        lmk::Rng rng(8);
        const int64_t n = 200;
        const float p = 0.3f;
        std::vector<float> x = random_floats(rng, n, 0.5f, 1.5f); // nonzero: a zero output means dropped
        // The mask the engine draws for this graph's first dropout call.
        Graph probe;
        probe.seed = 42;
        Tensor xt = Tensor::from({n}, x);
        std::vector<float> y = dropout(probe, probe.constant(xt), p).value().to_vector();
        int dropped = 0;
        for (float v : y) dropped += v == 0.f;
        CHECK(dropped > 30);
        CHECK(dropped < 90); // ~60 expected
        gradcheck("dropout", {{{n}, x}},
                  [&](Graph& g, std::vector<Var>& v) {
                      g.seed = 42;
                      return dropout(g, v[0], p);
                  },
                  [&](const std::vector<Vec>& in) {
                      Vec out(static_cast<size_t>(n));
                      for (int64_t i = 0; i < n; i++) out[size_t(i)] = y[size_t(i)] == 0.f ? 0.0 : in[0][size_t(i)] / (1 - double(p));
                      return out;
                  });
        Graph eval;
        eval.training = false;
        Var e = dropout(eval, eval.constant(xt), p);
        CHECK(e.data() == xt.data()); // identity at evaluation
    });
}

TEST_CASE("gradcheck: attention (causal, bidirectional, masks, bias, cross, KV cache, packed)") {
    for_each_isa([] {
        lmk::Rng rng(9);
        struct Case {
            const char* name;
            int64_t B, Tq, Tk, NH, HS;
            bool causal, mask, bias, bias_per_batch, packed;
            float dropout = 0.f;
        };
        const Case cases[] = {
            {"causal, two key tiles", 1, 70, 70, 2, 8, true, false, false, false, false},
            {"bidirectional, padding mask", 2, 9, 9, 2, 4, false, true, false, false, false},
            {"additive bias shared by the batch (T5)", 2, 6, 6, 2, 4, false, false, true, false, false},
            {"per-batch bias with mask", 2, 5, 5, 1, 8, true, true, true, true, false},
            {"cross-attention Tq != Tk", 2, 4, 11, 2, 4, false, true, false, false, false},
            {"decoding against a KV cache", 1, 3, 10, 2, 4, true, false, false, false, false},
            {"packed qkv, 260 queries (two query blocks)", 2, 260, 260, 2, 4, true, false, false, false, true},
            {"attention dropout, causal, two key tiles", 1, 70, 70, 2, 8, true, false, false, false, false, 0.3f},
            {"attention dropout with mask, bias, cross", 2, 5, 9, 2, 4, false, true, true, true, false, 0.5f},
            {"attention dropout, packed qkv", 2, 20, 20, 2, 4, true, false, false, false, true, 0.2f},
            {"head size 136 (any head size: scratch grows)", 1, 9, 9, 1, 136, true, false, false, false, false},
            {"head size 200, cross-attention with mask and dropout", 2, 3, 7, 1, 200, false, true, false, false, false, 0.1f},
        };
        const uint64_t dropout_seed = 0x5eed;
        for (const Case& cs : cases) {
            const int64_t C = cs.NH * cs.HS;
            std::vector<uint8_t> mask;
            if (cs.mask) {
                for (int64_t i = 0; i < cs.B * cs.Tk; i++) mask.push_back(rng.below(4) != 0);
                mask[0] = 1; // keep the first key of every sequence visible
                mask[size_t(cs.Tk)] = 1;
            }
            std::vector<Input> in;
            if (cs.packed) {
                in.push_back({{cs.B, cs.Tq, 3 * C}, random_floats(rng, cs.B * cs.Tq * 3 * C)});
            } else {
                in.push_back({{cs.B, cs.Tq, C}, random_floats(rng, cs.B * cs.Tq * C)});
                in.push_back({{cs.B, cs.Tk, C}, random_floats(rng, cs.B * cs.Tk * C)});
                in.push_back({{cs.B, cs.Tk, C}, random_floats(rng, cs.B * cs.Tk * C)});
            }
            if (cs.bias) {
                Shape bs = cs.bias_per_batch ? Shape{cs.B, cs.NH, cs.Tq, cs.Tk} : Shape{cs.NH, cs.Tq, cs.Tk};
                in.push_back({bs, random_floats(rng, bs.numel())});
            }
            gradcheck(cs.name, in,
                      [&](Graph& g, std::vector<Var>& v) {
                          AttentionOptions o;
                          o.n_head = cs.NH;
                          o.causal = cs.causal;
                          o.key_mask = cs.mask ? mask.data() : nullptr;
                          if (cs.bias) o.bias = v.back();
                          o.dropout = cs.dropout;
                          o.dropout_seed = dropout_seed;
                          return cs.packed ? self_attention(g, v[0], o) : attention(g, v[0], v[1], v[2], o);
                      },
                      [&](const std::vector<Vec>& x) {
                          const Vec none;
                          const Vec& bias = cs.bias ? x.back() : none;
                          if (cs.packed)
                              return ref_attention(x[0], x[0], x[0], cs.B, cs.Tq, cs.Tk, cs.NH, cs.HS, cs.causal, mask,
                                                   bias, cs.bias_per_batch, 3 * C, 3 * C, size_t(C), size_t(2 * C),
                                                   cs.dropout, dropout_seed);
                          return ref_attention(x[0], x[1], x[2], cs.B, cs.Tq, cs.Tk, cs.NH, cs.HS, cs.causal, mask,
                                               bias, cs.bias_per_batch, C, C, 0, 0, cs.dropout, dropout_seed);
                      },
                      2e-5, 3e-4, 24);
        }
    });
}

// consume_logits: the gradient is computed in the forward pass over the logits; the first
// writer's backward adopts that buffer (scaled by the seed, not 1 here), and the later
// writer's (the scale op's backward ran first) adds it to the gradient already written.
TEST_CASE("gradcheck: softmax cross-entropy (smoothing, ignore index, weights, padded vocabulary, consumed logits)") {
    for_each_isa([] {
        lmk::Rng rng(10);
        const int64_t N = 6, V = 21, Vp = 24;
        const std::vector<int32_t> targets = {3, -100, 20, 0, 7, 3};
        const std::vector<float> weights = {1.f, 1.f, 0.5f, 2.f, 0.f, 1.f};
        for (bool consume : {false, true})
        for (float smoothing : {0.f, 0.1f}) {
            for (bool weighted : {false, true}) {
                CrossEntropyOptions o;
                o.label_smoothing = smoothing;
                o.weights = weighted ? weights.data() : nullptr;
                o.consume_logits = consume;
                std::vector<float> per_token(static_cast<size_t>(N));
                gradcheck("cross_entropy", {{{N, Vp}, random_floats(rng, N * Vp, -4.f, 4.f)}},
                          [&](Graph& g, std::vector<Var>& v) {
                              return cross_entropy(g, v[0], targets.data(), V, o, per_token.data());
                          },
                          [&](const std::vector<Vec>& x) {
                              double num = 0, den = 0;
                              for (int64_t n = 0; n < N; n++) {
                                  if (targets[size_t(n)] == -100) continue;
                                  const double* row = x[0].data() + n * Vp;
                                  double m = -INFINITY, z = 0, mean = 0;
                                  for (int64_t j = 0; j < V; j++) m = std::max(m, row[j]), mean += row[j] / double(V);
                                  for (int64_t j = 0; j < V; j++) z += std::exp(row[j] - m);
                                  double lse = m + std::log(z);
                                  double loss = (1 - smoothing) * (lse - row[targets[size_t(n)]]) + smoothing * (lse - mean);
                                  double w = weighted ? weights[size_t(n)] : 1.0;
                                  num += w * loss;
                                  den += w;
                              }
                              return Vec{num / den};
                          });
                CHECK(per_token[1] == 0.f); // the ignored row
            }
        }
    });
}

// Over more rows than one chunk (kHeadChunkRows), so the chunked path runs: the logits made,
// differentiated and multiplied back chunk by chunk, dW^T accumulated across chunks.
TEST_CASE("gradcheck: linear head fused with its cross-entropy, in chunks of rows") {
    for_each_isa([] {
        lmk::Rng rng(11);
        const int64_t N = kHeadChunkRows + 37, C = 3, V = 7, Vp = 8;
        std::vector<int32_t> targets(static_cast<size_t>(N));
        std::vector<float> weights(static_cast<size_t>(N));
        for (int64_t i = 0; i < N; i++) {
            targets[size_t(i)] = i % 13 == 5 ? -100 : int32_t(rng.below(uint64_t(V)));
            weights[size_t(i)] = 0.25f * float(rng.below(5));
        }
        for (bool weighted : {false, true}) {
            CrossEntropyOptions o;
            o.label_smoothing = weighted ? 0.1f : 0.f;
            o.weights = weighted ? weights.data() : nullptr;
            gradcheck("linear_cross_entropy",
                      {{{N, C}, random_floats(rng, N * C, -2.f, 2.f)}, {{Vp, C}, random_floats(rng, Vp * C, -2.f, 2.f)}},
                      [&](Graph& g, std::vector<Var>& v) { return linear_cross_entropy(g, v[0], v[1], targets.data(), V, o); },
                      [&](const std::vector<Vec>& x) {
                          const Vec logits = ref_linear(x[0], x[1], nullptr, N, C, Vp, true);
                          double num = 0, den = 0;
                          for (int64_t n = 0; n < N; n++) {
                              const int32_t t = targets[size_t(n)];
                              if (t == -100) continue;
                              const double* row = logits.data() + n * Vp;
                              double m = -INFINITY, z = 0, mean = 0;
                              for (int64_t j = 0; j < V; j++) m = std::max(m, row[j]), mean += row[j] / double(V);
                              for (int64_t j = 0; j < V; j++) z += std::exp(row[j] - m);
                              const double lse = m + std::log(z), eps = o.label_smoothing;
                              const double w = weighted ? weights[size_t(n)] : 1.0;
                              num += w * ((1 - eps) * (lse - row[t]) + eps * (lse - mean));
                              den += w;
                          }
                          return Vec{num / den};
                      });
        }
    });
}

TEST_CASE("gradcheck: sum, mean, reshape, gather_rows, concat_rows") {
    for_each_isa([] {
        lmk::Rng rng(11);
        std::vector<Input> in = {{{4, 5}, random_floats(rng, 20)}};
        gradcheck("sum", in, [](Graph& g, std::vector<Var>& v) { return sum(g, v[0]); },
                  [](const std::vector<Vec>& x) {
                      double s = 0;
                      for (double d : x[0]) s += d;
                      return Vec{s};
                  });
        gradcheck("mean", in, [](Graph& g, std::vector<Var>& v) { return mean(g, v[0]); },
                  [](const std::vector<Vec>& x) {
                      double s = 0;
                      for (double d : x[0]) s += d;
                      return Vec{s / 20};
                  });
        gradcheck("reshape", in,
                  [](Graph& g, std::vector<Var>& v) { return scale(g, reshape(g, v[0], {2, 10}), 3.f); },
                  [](const std::vector<Vec>& x) {
                      Vec y = x[0];
                      for (double& d : y) d *= 3;
                      return y;
                  });
        const std::vector<int32_t> rows = {3, 0, 3};
        gradcheck("gather_rows", in,
                  [&](Graph& g, std::vector<Var>& v) { return gather_rows(g, v[0], rows.data(), 3); },
                  [&](const std::vector<Vec>& x) {
                      Vec y;
                      for (int32_t r : rows)
                          for (int c = 0; c < 5; c++) y.push_back(x[0][size_t(r * 5 + c)]);
                      return y;
                  });
        in.push_back({{2, 5}, random_floats(rng, 10)});
        gradcheck("concat_rows", in,
                  [](Graph& g, std::vector<Var>& v) { return concat_rows(g, v[0], v[1]); },
                  [](const std::vector<Vec>& x) {
                      Vec y = x[0];
                      y.insert(y.end(), x[1].begin(), x[1].end());
                      return y;
                  });
    });
}
