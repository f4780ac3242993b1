// train/optim.h: optimizers (SGD, momentum/Nesterov, Adagrad, Adam, AdamW) and global-norm
// gradient clipping.
//
// An Optimizer updates the trainable parameters of a ParameterStore in one fused pass
// (kernels.h *_update), with all tensors cut into fixed chunks run in parallel. Its state is a list of named fp32 buffers, one set per
// parameter, named "<param name>.<slot>" with slots exp_avg, exp_avg_sq (Adam/AdamW),
// momentum_buffer (SGD with momentum), sum (Adagrad), so optimizer.safetensors can save
// and restore it exactly; step_count() is saved alongside (trainer_state.json).
//
// Weight decay: AdamW decays decoupled (p -= lr*wd*p); SGD, Adagrad and Adam add wd*p to the
// gradient (L2), as PyTorch does. Only parameters with weight_decay set are decayed; by
// default (Parameter) that is every tensor with ndim >= 2, so biases and norms are not.
// Frozen parameters (requires_grad false) are skipped and have no state.
//
//   lmk::train::OptimizerConfig oc;
//   oc.kind = lmk::train::OptimizerKind::adamw; oc.weight_decay = 0.1f;
//   lmk::train::Optimizer opt(store, oc);
//   float norm = lmk::train::clip_grad_norm(store, 1.0f);
//   opt.step(schedule.lr(step));
#pragma once
#include "lmk/nn/autograd.h"

#include <string>
#include <vector>

namespace lmk::train {

enum class OptimizerKind { sgd, adagrad, adam, adamw };
OptimizerKind optimizer_kind_from_name(const std::string& name); // "sgd", "adamw", ...; throws
const char* optimizer_kind_name(OptimizerKind k);

struct OptimizerConfig {
    OptimizerKind kind = OptimizerKind::adamw;
    float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f; // Adam, AdamW
    float weight_decay = 0.f;
    float momentum = 0.f;  // SGD
    bool nesterov = false; // SGD with momentum
    float adagrad_eps = 1e-10f;
    float adagrad_initial = 0.f; // initial accumulator value
};

// A named state buffer, for checkpoints.
struct StateBuffer {
    std::string name;        // "<param>.<slot>"
    std::vector<int64_t> shape;
    float* data;
    size_t numel;
};

class Optimizer {
public:
    // Captures the store's trainable parameters now (freeze before constructing).
    Optimizer(nn::ParameterStore& store, const OptimizerConfig& config);

    // One update with learning rate lr, reading each gradient as grad * grad_scale (pass
    // clip_factor's value to clip without a pass of its own); increments step_count().
    void step(float lr, float grad_scale = 1.f);

    int64_t step_count() const { return t_; }
    void set_step_count(int64_t t) { t_ = t; }
    const OptimizerConfig& config() const { return cfg_; }
    std::vector<StateBuffer> state();  // pointers into the optimizer; copy in/out to save/load
    // Copies a saved buffer into the state slot with that name; throws on unknown name or size.
    void load_state(const std::string& name, const float* data, size_t numel);

private:
    struct Slot {
        nn::Parameter* param;
        // Owned, aligned tensors (not std::vector: its 16-byte alignment splits every
        // AVX-512 load of the update across two cache lines); undefined when unused.
        nn::Tensor a; // exp_avg / momentum_buffer / sum
        nn::Tensor b; // exp_avg_sq
    };
    OptimizerConfig cfg_;
    std::vector<Slot> slots_;
    int64_t t_ = 0;
};

// Global L2 norm of all trainable gradients (deterministic: fixed-order double sums). If it
// exceeds max_norm (> 0), scales every gradient by max_norm / (norm + 1e-6). Returns the norm
// before clipping.
float clip_grad_norm(nn::ParameterStore& store, float max_norm);
float grad_norm(const nn::ParameterStore& store);
// The factor clip_grad_norm scales the gradients by for this norm: max_norm / (norm + 1e-6)
// when max_norm > 0 and norm exceeds it, else 1.
float clip_factor(float norm, float max_norm);

} // namespace lmk::train
