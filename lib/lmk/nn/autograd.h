// nn/autograd.h: parameters, the Graph (tape + arena) and Var handles.
//
// A model owns its weights in a ParameterStore, each Parameter named in Hugging Face's dotted
// scheme ("transformer.h.0.attn.c_attn.weight") so checkpoints need no mapping. A training
// step builds a Graph: every op (nn/ops.h) computes its output at once (eager, into the
// graph's arena) and, when gradients are wanted, records one TapeEntry. backward(loss)
// replays the tape in reverse; each op's backward rule lives in ops.cpp's one switch.
//
// Invariants:
//  - Parameter gradients ACCUMULATE across backward calls (gradient accumulation over
//    micro-batches is just several forward/backward before the optimizer step);
//    ParameterStore::zero_grad clears them, or release_grads/settle_grads, which let the
//    step's first contribution to each overwrite it instead (no pass over memory).
//  - Within one backward pass, the first contribution to any other gradient (activations,
//    leaves) OVERWRITES a fresh, never zero-filled arena buffer and later contributions
//    accumulate onto it (Graph::grad_out, kernels.h GradMode): no gradient is memset.
//  - Graph::reset() starts a step: Vars from earlier steps become invalid; arena and tape
//    keep their capacity, so a steady-state step allocates nothing.
//  - A frozen parameter (requires_grad false) and everything computed only from frozen or
//    constant inputs records nothing; NoGradScope turns recording off for inference.
//  - Every projection goes through ops::linear(), which calls the weight's Adapter (LoRA,
//    IA3) when one is attached: PEFT touches one function.
//
//   lmk::nn::ParameterStore ps;
//   auto& w = ps.add("lm_head.weight", {V, C});
//   lmk::nn::Graph g;
//   for (int step = 0; step < steps; step++) {
//       g.reset();
//       lmk::nn::Var x = g.constant(batch);                    // (N, C) input
//       lmk::nn::Var logits = lmk::nn::linear(g, x, g.param(w), {}, WeightLayout::out_in);
//       lmk::nn::Var loss = lmk::nn::cross_entropy(g, logits, targets, V);
//       ps.zero_grad();
//       g.backward(loss);                                      // w.grad += dloss/dw
//   }
#pragma once
#include "lmk/nn/kernels.h"
#include "lmk/nn/tensor.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace lmk::nn {

class Graph;
class Adapter;
class OpProfile;

// Elements per task when an elementwise pass runs over all parameters at once (zeroing, the
// optimizer's update, clipping): lmk::parallel_for_pieces with this piece size.
constexpr size_t kParameterPiece = 16384;

// A handle to a value in a Graph (valid until the graph's next reset()).
struct Var {
    Graph* graph = nullptr;
    int32_t id = -1;

    bool defined() const { return graph != nullptr; }
    const Tensor& value() const;
    const Shape& shape() const { return value().shape(); }
    float* data() const { return value().data(); }
    float item() const { return value().data()[0]; } // scalar value
    Tensor grad() const; // undefined Tensor if none flowed here (or not requiring grad)
    bool requires_grad() const;
};

// A named trainable tensor. grad exists while requires_grad is true.
//
// version counts writes to value: whoever changes value after it was first used (the
// optimizer's step, a checkpoint load) calls mark_modified(). Copies derived from value
// (bf16_value) are remade when the version moves, and only then, so with Precision::bf16 a
// weight is rounded once per optimizer step, not once per matmul.
struct Parameter {
    std::string name;
    Tensor value;
    Tensor grad;
    bool requires_grad = true;
    bool weight_decay = true;    // default: true for ndim >= 2 (not biases, norms)
    Adapter* adapter = nullptr;  // consulted by ops::linear when this is its weight
    uint64_t version = 0;        // see mark_modified()
    bool grad_stale = false;     // grad holds an earlier step's sums: the next contribution overwrites it

    Parameter() = default;
    Parameter(const Parameter&) = delete;
    Parameter& operator=(const Parameter&) = delete;

    void set_requires_grad(bool on); // allocates (zeroed) or frees grad
    void mark_modified() { version++; }
    // value rounded to bf16 (to_bf16, same shape and layout), made on the first call after
    // each mark_modified() (or when value was replaced by another tensor). The pointer stays
    // valid until the next call that remakes it. Thread-safe.
    const uint16_t* bf16_value();
    // Lets whoever rewrites value keep that copy current instead of it being remade from
    // memory on the next bf16_value(): bf16_copy() is the copy when one exists and matches
    // value's storage (else nullptr); the writer calls mark_modified(), rounds each updated
    // element into it (to_bf16), then bf16_refreshed(). The optimizer does this while each
    // piece of the weights is still in cache.
    uint16_t* bf16_copy();
    void bf16_refreshed();

private:
    std::mutex bf16_mu_;
    std::vector<uint16_t> bf16_;
    uint64_t bf16_version_ = 0;
    const float* bf16_source_ = nullptr; // value.data() the copy was made from (null: none)
};

// Something attached to a projection weight: linear() computes y = x W (+b) and returns
// adapter->apply(g, x, y). Implementations (model/peft) build their extra ops on g.
class Adapter {
public:
    virtual ~Adapter() = default;
    virtual Var apply(Graph& g, Var x, Var base_out) = 0;
};

// The parameters of a model, in registration order (the order of checkpoints and of the
// optimizer's state).
class ParameterStore {
public:
    ParameterStore() = default;
    ParameterStore(const ParameterStore&) = delete;
    ParameterStore& operator=(const ParameterStore&) = delete;

    // Zero-initialised; throws on a duplicate name.
    Parameter& add(const std::string& name, Shape shape, bool requires_grad = true);
    Parameter* find(const std::string& name) const;
    Parameter& at(const std::string& name) const; // throws naming the parameter
    const std::vector<Parameter*>& all() const { return order_; }
    std::vector<Parameter*> trainable() const;
    void zero_grad();
    // zero_grad without the pass over memory: every gradient is marked stale, the first
    // contribution a backward pass makes to it overwrites it (GradMode::overwrite: a weight
    // gradient's GEMM runs with beta 0 and reads nothing), and settle_grads(), called after
    // the backward passes, zeroes the gradients that got none. Same values as zero_grad.
    void release_grads();
    void settle_grads();
    void set_requires_grad(bool on);              // every parameter (freeze_all = false)
    int64_t numel(bool trainable_only = false) const;
    size_t size() const { return order_.size(); }

private:
    std::vector<std::unique_ptr<Parameter>> params_;
    std::vector<Parameter*> order_;
    std::unordered_map<std::string, Parameter*> by_name_;
};

// What ops record; only ops.cpp interprets the fields (per-op meaning documented there).
enum class OpKind : uint8_t {
    linear, embedding, add, mul, scale, activation, layernorm, rmsnorm, softmax, dropout,
    attention, cross_entropy, linear_cross_entropy, sum, reshape, gather_rows, concat_rows
};
struct TapeEntry {
    OpKind op;
    int32_t out = -1;
    int32_t in[4] = {-1, -1, -1, -1};
    int64_t i[12] = {};
    float f[4] = {};
    const void* p[4] = {};
    float* saved[3] = {};
};

class Graph {
public:
    Graph();
    ~Graph();
    Graph(const Graph&) = delete;
    Graph& operator=(const Graph&) = delete;

    // Starts a new step (see the invariants above).
    void reset();

    // ---- leaves
    // The parameter's value; when it requires grad, backward accumulates into p.grad.
    Var param(Parameter& p);
    // A constant (no gradient); the data is NOT copied and must outlive the step.
    Var constant(const Tensor& t);
    // An uninitialised arena tensor to fill in place (a constant input).
    Var input(Shape shape);
    // A leaf whose gradient is wanted (tests, prefix/prompt tuning on activations).
    Var leaf(const Tensor& t, bool requires_grad);
    // Arena memory that lives until reset() (token ids, masks, per-token weights).
    int32_t* alloc_ints(size_t n);
    float* alloc_floats(size_t n) { return arena_.alloc_floats(n); }

    // ---- backward (once per reset(): add several losses with ops::add before calling it)
    // Seeds d(loss)=1 (loss must be a scalar) and replays the tape in reverse.
    void backward(Var loss);
    // Seeds d(out) = dout (same numel) and replays the tape.
    void backward(Var out, const Tensor& dout);

    // ---- modes
    bool grad_enabled() const { return grad_enabled_; }
    void set_grad_enabled(bool on) { grad_enabled_ = on; }
    bool training = true;                 // dropout active
    Precision precision = Precision::f32; // matmul operands (bf16 = mixed precision)
    uint64_t seed = 0;                    // dropout masks derive from (seed, step, op index)
    uint64_t step = 0;                    // set by the training loop
    OpProfile* profile = nullptr;         // when set, every recorded op is timed (op_profile.h)

    // ---- for ops (nn/ops.cpp)
    Var make(Shape shape, bool requires_grad); // output node (uninitialised arena tensor)
    // Node view (rows share data with `base`), used by reshape.
    Var make_view(const Tensor& value, bool requires_grad);
    const Tensor& value(int32_t id) const { return nodes_[size_t(id)].value; }
    bool requires_grad(int32_t id) const { return nodes_[size_t(id)].requires_grad; }
    // Where a backward rule writes node id's gradient, and how: the first write in a backward
    // pass to a non-parameter gradient gets fresh, uninitialised arena memory to OVERWRITE;
    // every later write, and any write to a parameter's gradient, ACCUMULATES. A rule that
    // receives an overwrite buffer must define all of it.
    GradOut grad_out(int32_t id);
    float* grad_if_any(int32_t id) const { return nodes_[size_t(id)].grad; }
    // Makes `data` (numel floats, already holding node id's gradient, e.g. an op's output
    // buffer it no longer needs) the node's gradient buffer, when no gradient has been written
    // to it yet in this pass and it is not a parameter's: true; otherwise false, unchanged.
    bool adopt_grad(int32_t id, float* data);
    // Moves node `from`'s gradient buffer to node `to` when `to` could adopt it (see
    // adopt_grad): `from` then has no gradient (Var::grad() is empty), so no one reads it
    // after `to`'s later contributions are added. For a backward rule that passes its
    // output's gradient on unchanged and reads it no more; false, unchanged, otherwise.
    bool move_grad(int32_t from, int32_t to);
    Parameter* parameter(int32_t id) const { return nodes_[size_t(id)].param; }
    void record(const TapeEntry& e) {
        if (profile) profile_forward(e);
        tape_.push_back(e);
    }
    uint64_t next_op_seed();                   // distinct per dropout call within a step
    Arena& arena() { return arena_; }
    size_t tape_size() const { return tape_.size(); }
    size_t node_count() const { return nodes_.size(); }

private:
    struct Node {
        Tensor value;
        float* grad = nullptr;
        Parameter* param = nullptr;
        bool requires_grad = false;
    };
    void replay();
    void profile_forward(const TapeEntry& e);

    std::vector<Node> nodes_;
    std::vector<TapeEntry> tape_;
    Arena arena_;
    bool grad_enabled_ = true;
    uint64_t op_counter_ = 0;
};

// Turns recording off for its lifetime (inference, evaluation, reference models in PPO).
class NoGradScope {
public:
    explicit NoGradScope(Graph& g) : g_(g), was_(g.grad_enabled()) { g.set_grad_enabled(false); }
    ~NoGradScope() { g_.set_grad_enabled(was_); }
    NoGradScope(const NoGradScope&) = delete;
    NoGradScope& operator=(const NoGradScope&) = delete;

private:
    Graph& g_;
    bool was_;
};

// Replays one tape entry (defined in ops.cpp, the one home of backward rules).
void backward_op(Graph& g, const TapeEntry& e);

} // namespace lmk::nn
