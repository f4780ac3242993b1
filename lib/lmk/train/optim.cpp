// train/optim.cpp: optimizer state and steps (the arithmetic is in nn's fused *_update
// kernels), global-norm clipping.
#include "lmk/train/optim.h"
#include "lmk/core/error.h"
#include "lmk/nn/kernels.h"

#include <cmath>
#include <cstring>

namespace lmk::train {

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
        const size_t n = size_t(p->value.numel());
        switch (cfg_.kind) {
        case OptimizerKind::adam:
        case OptimizerKind::adamw:
            s.a.assign(n, 0.f);
            s.b.assign(n, 0.f);
            break;
        case OptimizerKind::sgd:
            if (cfg_.momentum > 0) s.a.assign(n, 0.f);
            break;
        case OptimizerKind::adagrad: s.a.assign(n, cfg_.adagrad_initial); break;
        }
        slots_.push_back(std::move(s));
    }
}

void Optimizer::step(float lr) {
    t_++;
    const double t = double(t_);
    const float bc1 = float(1.0 - std::pow(double(cfg_.beta1), t));
    const float bc2 = float(1.0 - std::pow(double(cfg_.beta2), t));
    for (Slot& s : slots_) {
        nn::Parameter& p = *s.param;
        if (!p.requires_grad || !p.grad.defined()) continue; // frozen after construction
        const size_t n = size_t(p.value.numel());
        const float wd = p.weight_decay ? cfg_.weight_decay : 0.f;
        p.mark_modified(); // its bf16 matmul copy is stale from here on
        switch (cfg_.kind) {
        case OptimizerKind::adamw:
        case OptimizerKind::adam: // Adam's decay is L2 on the gradient, as in torch.optim.Adam
            nn::adam_update(p.value.data(), p.grad.data(), s.a.data(), s.b.data(), n, lr, cfg_.beta1,
                            cfg_.beta2, cfg_.eps, wd, bc1, bc2, cfg_.kind == OptimizerKind::adamw);
            break;
        case OptimizerKind::sgd:
            nn::sgd_update(p.value.data(), p.grad.data(), s.a.empty() ? nullptr : s.a.data(), n, lr,
                           cfg_.momentum, cfg_.nesterov, wd, t_ == 1);
            break;
        case OptimizerKind::adagrad:
            nn::adagrad_update(p.value.data(), p.grad.data(), s.a.data(), n, lr, cfg_.adagrad_eps, wd);
            break;
        }
    }
}

std::vector<StateBuffer> Optimizer::state() {
    const char* a_name = cfg_.kind == OptimizerKind::sgd       ? "momentum_buffer"
                         : cfg_.kind == OptimizerKind::adagrad ? "sum"
                                                               : "exp_avg";
    std::vector<StateBuffer> out;
    for (Slot& s : slots_) {
        std::vector<int64_t> shape = s.param->value.shape().to_vector();
        if (!s.a.empty()) out.push_back({s.param->name + "." + a_name, shape, s.a.data(), s.a.size()});
        if (!s.b.empty()) out.push_back({s.param->name + ".exp_avg_sq", shape, s.b.data(), s.b.size()});
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
    double total = 0; // parameters in registration order, each summed in fixed chunks
    for (nn::Parameter* p : store.all())
        if (p->requires_grad && p->grad.defined()) total += nn::sum_squares(p->grad.data(), size_t(p->grad.numel()));
    return float(std::sqrt(total));
}

float clip_grad_norm(nn::ParameterStore& store, float max_norm) {
    const float norm = grad_norm(store);
    if (max_norm > 0.f && norm > max_norm) {
        const float factor = max_norm / (norm + 1e-6f);
        for (nn::Parameter* p : store.all())
            if (p->requires_grad && p->grad.defined()) nn::scale_inplace(p->grad.data(), size_t(p->grad.numel()), factor);
    }
    return norm;
}

} // namespace lmk::train
