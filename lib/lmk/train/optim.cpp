// train/optim.cpp: optimizer state and steps (the arithmetic is in nn's fused *_update
// kernels), global-norm clipping.
#include "lmk/train/optim.h"
#include "lmk/core/error.h"
#include "lmk/core/threads.h"
#include "lmk/nn/kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace lmk::train {

namespace {

// The parameters with a gradient to use (trainable, gradient allocated), in registration order.
std::vector<nn::Parameter*> with_grads(const nn::ParameterStore& store) {
    std::vector<nn::Parameter*> out;
    for (nn::Parameter* p : store.all())
        if (p->requires_grad && p->grad.defined()) out.push_back(p);
    return out;
}

} // namespace

OptimizerKind optimizer_kind_from_name(const std::string& name) {
    for (OptimizerKind k : {OptimizerKind::sgd, OptimizerKind::adagrad, OptimizerKind::adam, OptimizerKind::adamw})
        if (name == optimizer_kind_name(k)) return k;
    fail("unknown optimizer '{}' (expected sgd, adagrad, adam or adamw)", name);
}

const char* optimizer_kind_name(OptimizerKind k) {
    switch (k) {
    case OptimizerKind::sgd: return "sgd";
    case OptimizerKind::adagrad: return "adagrad";
    case OptimizerKind::adam: return "adam";
    case OptimizerKind::adamw: return "adamw";
    }
    return "?";
}

Optimizer::Optimizer(nn::ParameterStore& store, const OptimizerConfig& config) : cfg_(config) {
    LMK_CHECK(cfg_.beta1 >= 0 && cfg_.beta1 < 1 && cfg_.beta2 >= 0 && cfg_.beta2 < 1,
              "optimizer: betas must lie in [0, 1), got {} and {}", cfg_.beta1, cfg_.beta2);
    LMK_CHECK(cfg_.weight_decay >= 0 && cfg_.momentum >= 0, "optimizer: negative weight decay or momentum");
    LMK_CHECK(!cfg_.nesterov || cfg_.momentum > 0, "optimizer: Nesterov needs momentum > 0");
    for (nn::Parameter* p : store.trainable()) {
        Slot s{p, {}, {}};
        switch (cfg_.kind) {
        case OptimizerKind::adam:
        case OptimizerKind::adamw:
            s.a = nn::Tensor::zeros(p->value.shape());
            s.b = nn::Tensor::zeros(p->value.shape());
            break;
        case OptimizerKind::sgd:
            if (cfg_.momentum > 0) s.a = nn::Tensor::zeros(p->value.shape());
            break;
        case OptimizerKind::adagrad:
            s.a = nn::Tensor::zeros(p->value.shape());
            s.a.fill(cfg_.adagrad_initial);
            break;
        }
        slots_.push_back(std::move(s));
    }
}

void Optimizer::step(float lr, float grad_scale) {
    t_++;
    const double t = double(t_);
    const float bc1 = float(1.0 - std::pow(double(cfg_.beta1), t));
    const float bc2 = float(1.0 - std::pow(double(cfg_.beta2), t));
    std::vector<size_t> sizes(slots_.size(), 0); // 0: frozen after construction, skipped
    std::vector<uint16_t*> bf16(slots_.size(), nullptr);
    for (size_t i = 0; i < slots_.size(); i++) {
        nn::Parameter& p = *slots_[i].param;
        if (!p.requires_grad || !p.grad.defined()) continue;
        p.mark_modified();       // its bf16 matmul copy is stale from here on,
        bf16[i] = p.bf16_copy(); // unless it has one: refreshed below, piece by piece
        sizes[i] = size_t(p.value.numel());
    }
    // Every update is elementwise, so pieces of all parameters at once in parallel give the
    // bits that one tensor after another gives.
    parallel_for_pieces(sizes, nn::kParameterPiece, [&](size_t i, size_t b, size_t e) {
        Slot& s = slots_[i];
        nn::Parameter& p = *s.param;
        const size_t n = e - b;
        const float wd = p.weight_decay ? cfg_.weight_decay : 0.f;
        float* w = p.value.data() + b;
        const float* g = p.grad.data() + b;
        switch (cfg_.kind) {
        case OptimizerKind::adamw:
        case OptimizerKind::adam: // Adam's decay is L2 on the gradient, as in torch.optim.Adam
            nn::adam_update(w, g, s.a.data() + b, s.b.data() + b, n, lr, cfg_.beta1, cfg_.beta2, cfg_.eps, wd, bc1,
                            bc2, cfg_.kind == OptimizerKind::adamw, grad_scale);
            break;
        case OptimizerKind::sgd:
            nn::sgd_update(w, g, s.a.defined() ? s.a.data() + b : nullptr, n, lr, cfg_.momentum, cfg_.nesterov, wd,
                           t_ == 1, grad_scale);
            break;
        case OptimizerKind::adagrad: nn::adagrad_update(w, g, s.a.data() + b, n, lr, cfg_.adagrad_eps, wd, grad_scale); break;
        }
        if (bf16[i]) nn::to_bf16(w, bf16[i] + b, n); // the piece is still in cache
    });
    for (size_t i = 0; i < slots_.size(); i++)
        if (bf16[i]) slots_[i].param->bf16_refreshed();
}

std::vector<StateBuffer> Optimizer::state() {
    const char* a_name = cfg_.kind == OptimizerKind::sgd       ? "momentum_buffer"
                         : cfg_.kind == OptimizerKind::adagrad ? "sum"
                                                               : "exp_avg";
    std::vector<StateBuffer> out;
    for (Slot& s : slots_) {
        std::vector<int64_t> shape = s.param->value.shape().to_vector();
        if (s.a.defined()) out.push_back({s.param->name + "." + a_name, shape, s.a.data(), size_t(s.a.numel())});
        if (s.b.defined()) out.push_back({s.param->name + ".exp_avg_sq", shape, s.b.data(), size_t(s.b.numel())});
    }
    return out;
}

void Optimizer::load_state(const std::string& name, const float* data, size_t numel) {
    for (StateBuffer& b : state()) {
        if (b.name != name) continue;
        LMK_CHECK(b.numel == numel, "optimizer state '{}': {} values, expected {}", name, numel, b.numel);
        std::memcpy(b.data, data, numel * sizeof(float));
        return;
    }
    fail("optimizer state '{}' does not match any trainable parameter of this {} optimizer", name,
         optimizer_kind_name(cfg_.kind));
}

float grad_norm(const nn::ParameterStore& store) {
    // Each parameter's sum of squares (itself summed in fixed chunks) in parallel, then the
    // parameters in registration order: the same double sums for any thread count.
    const std::vector<nn::Parameter*> ps = with_grads(store);
    std::vector<double> sums(ps.size());
    parallel_for_chunks(ps.size(), 1, [&](size_t i0, size_t i1) {
        for (size_t i = i0; i < i1; i++) sums[i] = nn::sum_squares(ps[i]->grad.data(), size_t(ps[i]->grad.numel()));
    });
    double total = 0;
    for (double s : sums) total += s;
    return float(std::sqrt(total));
}

float clip_factor(float norm, float max_norm) { return max_norm > 0.f && norm > max_norm ? max_norm / (norm + 1e-6f) : 1.f; }

float clip_grad_norm(nn::ParameterStore& store, float max_norm) {
    const float norm = grad_norm(store);
    const float factor = clip_factor(norm, max_norm);
    if (factor == 1.f) return norm;
    const std::vector<nn::Parameter*> ps = with_grads(store);
    std::vector<size_t> sizes;
    for (nn::Parameter* p : ps) sizes.push_back(size_t(p->grad.numel()));
    parallel_for_pieces(sizes, nn::kParameterPiece, [&](size_t i, size_t b, size_t e) {
        nn::scale_inplace(ps[i]->grad.data() + b, e - b, factor);
    });
    return norm;
}

} // namespace lmk::train
