// nn/op_profile.cpp: per-op timing rows (see op_profile.h).
#include "lmk/nn/op_profile.h"

#include <fmt/format.h>

namespace lmk::nn {

namespace {
double seconds_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}
} // namespace

const char* op_kind_name(OpKind k) {
    switch (k) {
    case OpKind::linear: return "linear";
    case OpKind::embedding: return "embedding";
    case OpKind::add: return "add";
    case OpKind::mul: return "mul";
    case OpKind::scale: return "scale";
    case OpKind::activation: return "activation";
    case OpKind::layernorm: return "layernorm";
    case OpKind::rmsnorm: return "rmsnorm";
    case OpKind::softmax: return "softmax";
    case OpKind::dropout: return "dropout";
    case OpKind::attention: return "attention";
    case OpKind::cross_entropy: return "cross_entropy";
    case OpKind::linear_cross_entropy: return "linear_cross_entropy";
    case OpKind::sum: return "sum";
    case OpKind::reshape: return "reshape";
    case OpKind::gather_rows: return "gather_rows";
    case OpKind::concat_rows: return "concat_rows";
    }
    return "?";
}

std::string op_label(const TapeEntry& e) {
    // linear's entry: i[1] input features, i[2] output features (ops.cpp)
    if (e.op == OpKind::linear) return fmt::format("linear {}->{}", e.i[1], e.i[2]);
    return op_kind_name(e.op);
}

void OpProfile::start() { mark_ = std::chrono::steady_clock::now(); }

void OpProfile::forward_recorded(const TapeEntry& e) {
    const auto now = std::chrono::steady_clock::now();
    OpProfileRow& r = rows_[op_label(e)];
    r.forward += seconds_between(mark_, now);
    r.forward_calls++;
    mark_ = now;
}

void OpProfile::add_backward(const TapeEntry& e, double seconds) {
    OpProfileRow& r = rows_[op_label(e)];
    r.backward += seconds;
    r.backward_calls++;
}

} // namespace lmk::nn
