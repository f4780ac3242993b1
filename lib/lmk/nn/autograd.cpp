// nn/autograd.cpp: ParameterStore, Graph (nodes, tape, arena) and the reverse replay.
#include "lmk/nn/autograd.h"
#include "lmk/core/error.h"
#include "lmk/core/rng.h"
#include "lmk/core/threads.h"
#include "lmk/nn/op_profile.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <utility>
#include <vector>

namespace lmk::nn {

// ---- Var ----

const Tensor& Var::value() const { return graph->value(id); }

Tensor Var::grad() const {
    float* g = graph->grad_if_any(id);
    return g ? Tensor(g, shape()) : Tensor();
}

bool Var::requires_grad() const { return graph->requires_grad(id); }

// ---- Parameter / ParameterStore ----

void Parameter::set_requires_grad(bool on) {
    requires_grad = on;
    if (on && !grad.defined()) grad = Tensor::zeros(value.shape());
    if (!on) grad = Tensor();
}

const uint16_t* Parameter::bf16_value() {
    std::lock_guard<std::mutex> lock(bf16_mu_);
    const size_t n = size_t(value.numel());
    if (bf16_source_ != value.data() || bf16_version_ != version || bf16_.size() != n) {
        bf16_.resize(n);
        to_bf16_matrix(bf16_.data(), value.data(), value.shape().rows(), value.shape().last(),
                       value.shape().last(), false);
        bf16_source_ = value.data();
        bf16_version_ = version;
    }
    return bf16_.data();
}

uint16_t* Parameter::bf16_copy() {
    std::lock_guard<std::mutex> lock(bf16_mu_);
    const bool usable = bf16_source_ == value.data() && bf16_.size() == size_t(value.numel());
    return usable ? bf16_.data() : nullptr;
}

void Parameter::bf16_refreshed() {
    std::lock_guard<std::mutex> lock(bf16_mu_);
    bf16_version_ = version;
}

Parameter& ParameterStore::add(const std::string& name, Shape shape, bool requires_grad) {
    LMK_CHECK(!by_name_.count(name), "parameter '{}' registered twice", name);
    auto p = std::make_unique<Parameter>();
    p->name = name;
    p->value = Tensor::zeros(shape);
    p->weight_decay = shape.ndim >= 2;
    p->requires_grad = false;
    p->set_requires_grad(requires_grad);
    Parameter* raw = p.get();
    params_.push_back(std::move(p));
    order_.push_back(raw);
    by_name_[name] = raw;
    return *raw;
}

Parameter* ParameterStore::find(const std::string& name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : it->second;
}

Parameter& ParameterStore::at(const std::string& name) const {
    Parameter* p = find(name);
    LMK_CHECK(p != nullptr, "no parameter named '{}'", name);
    return *p;
}

std::vector<Parameter*> ParameterStore::trainable() const {
    std::vector<Parameter*> out;
    for (Parameter* p : order_)
        if (p->requires_grad) out.push_back(p);
    return out;
}

void ParameterStore::zero_grad() {
    // Pieces of every gradient at once, in parallel (parallel_for_pieces).
    std::vector<size_t> sizes(order_.size(), 0);
    for (size_t i = 0; i < order_.size(); i++) {
        if (order_[i]->grad.defined()) sizes[i] = size_t(order_[i]->grad.numel());
        order_[i]->grad_stale = false;
    }
    parallel_for_pieces(sizes, kParameterPiece, [&](size_t i, size_t b, size_t e) {
        std::memset(order_[i]->grad.data() + b, 0, (e - b) * sizeof(float));
    });
}

void ParameterStore::release_grads() {
    for (Parameter* p : order_) p->grad_stale = p->grad.defined();
}

void ParameterStore::settle_grads() {
    for (Parameter* p : order_)
        if (p->grad_stale) {
            std::memset(p->grad.data(), 0, size_t(p->grad.numel()) * sizeof(float));
            p->grad_stale = false;
        }
}

void ParameterStore::set_requires_grad(bool on) {
    for (Parameter* p : order_) p->set_requires_grad(on);
}

int64_t ParameterStore::numel(bool trainable_only) const {
    int64_t n = 0;
    for (Parameter* p : order_)
        if (!trainable_only || p->requires_grad) n += p->value.numel();
    return n;
}

// ---- Graph ----

Graph::Graph() {
    nodes_.reserve(1024);
    tape_.reserve(1024);
}

Graph::~Graph() = default;

void Graph::reset() {
    nodes_.clear(); // capacity kept: no allocation in later steps of the same size
    tape_.clear();
    arena_.reset();
    op_counter_ = 0;
    if (profile) profile->start();
}

void Graph::profile_forward(const TapeEntry& e) { profile->forward_recorded(e); }

Var Graph::param(Parameter& p) {
    Node n;
    n.value = p.value;
    n.param = &p;
    n.requires_grad = grad_enabled_ && p.requires_grad;
    n.grad = n.requires_grad ? p.grad.data() : nullptr;
    nodes_.push_back(n);
    return {this, int32_t(nodes_.size() - 1)};
}

Var Graph::constant(const Tensor& t) {
    Node n;
    n.value = t;
    nodes_.push_back(n);
    return {this, int32_t(nodes_.size() - 1)};
}

Var Graph::input(Shape shape) { return constant(arena_.tensor(shape)); }

Var Graph::leaf(const Tensor& t, bool requires_grad) {
    Node n;
    n.value = t;
    n.requires_grad = grad_enabled_ && requires_grad;
    nodes_.push_back(n);
    return {this, int32_t(nodes_.size() - 1)};
}

int32_t* Graph::alloc_ints(size_t n) { return static_cast<int32_t*>(arena_.alloc_bytes(n * sizeof(int32_t))); }

Var Graph::make(Shape shape, bool requires_grad) {
    Node n;
    n.value = arena_.tensor(shape);
    n.requires_grad = grad_enabled_ && requires_grad;
    nodes_.push_back(n);
    return {this, int32_t(nodes_.size() - 1)};
}

Var Graph::make_view(const Tensor& value, bool requires_grad) {
    Node n;
    n.value = value;
    n.requires_grad = grad_enabled_ && requires_grad;
    nodes_.push_back(n);
    return {this, int32_t(nodes_.size() - 1)};
}

GradOut Graph::grad_out(int32_t id) {
    Node& n = nodes_[size_t(id)];
    if (n.grad) {
        if (n.param && n.param->grad_stale) { // the first contribution since release_grads
            n.param->grad_stale = false;
            return {n.grad, GradMode::overwrite};
        }
        return {n.grad, GradMode::accumulate}; // a parameter's, or written before
    }
    n.grad = arena_.alloc_floats(size_t(n.value.numel()));
    return {n.grad, GradMode::overwrite};
}

bool Graph::adopt_grad(int32_t id, float* data) {
    Node& n = nodes_[size_t(id)];
    if (n.grad || n.param) return false;
    n.grad = data;
    return true;
}

bool Graph::move_grad(int32_t from, int32_t to) {
    Node& f = nodes_[size_t(from)];
    if (!f.grad || f.param || !adopt_grad(to, f.grad)) return false;
    f.grad = nullptr;
    return true;
}

uint64_t Graph::next_op_seed() { return derive_seed(seed, mix64(step) ^ (op_counter_++)); }

void Graph::backward(Var loss) {
    LMK_CHECK(loss.graph == this, "backward: the variable belongs to another graph");
    LMK_CHECK(loss.value().numel() == 1, "backward(loss) needs a scalar, got shape {}",
              loss.shape().str());
    if (!requires_grad(loss.id)) return; // nothing trainable reached the loss
    GradOut seed = grad_out(loss.id);
    seed.data[0] = seed.overwrite() ? 1.f : seed.data[0] + 1.f;
    replay();
}

void Graph::backward(Var out, const Tensor& dout) {
    LMK_CHECK(out.graph == this, "backward: the variable belongs to another graph");
    LMK_CHECK(dout.numel() == out.value().numel(), "backward: gradient {} for value {}",
              dout.shape().str(), out.shape().str());
    if (!requires_grad(out.id)) return;
    accumulate(grad_out(out.id), dout.data(), size_t(dout.numel()));
    replay();
}

void Graph::replay() {
    for (size_t i = tape_.size(); i-- > 0;) {
        const TapeEntry& e = tape_[i];
        if (!grad_if_any(e.out)) continue; // no gradient reached this op's output
        if (!profile) {
            backward_op(*this, e);
            continue;
        }
        const auto t0 = std::chrono::steady_clock::now();
        backward_op(*this, e);
        profile->add_backward(e, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
}

} // namespace lmk::nn
