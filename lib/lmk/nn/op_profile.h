// nn/op_profile.h: where a step's time goes, op by op (pretrain --profile).
//
// A Graph with an OpProfile attached (Graph::profile) times every op it records: an op's
// forward time is the time from the previous recording (or the graph's reset) to its own,
// which is its eager computation plus whatever the model did in between (shape checks,
// nothing heavy); its backward time is its rule in the replay. Ops that record nothing (no
// gradient wanted, NoGradScope) are not timed. Rows are keyed by the op and, for linear,
// the projection's shape: one model's projections differ tenfold and more in cost.
//
//   lmk::nn::OpProfile prof;
//   graph.profile = &prof;            // before reset(): every step adds to the same rows
//   ... steps ...
//   for (const auto& [label, row] : prof.rows()) ...
#pragma once
#include "lmk/nn/autograd.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace lmk::nn {

struct OpProfileRow {
    double forward = 0, backward = 0; // seconds
    int64_t forward_calls = 0, backward_calls = 0;
};

class OpProfile {
public:
    void start(); // the forward clock's origin (Graph::reset calls it)
    void forward_recorded(const TapeEntry& e);
    void add_backward(const TapeEntry& e, double seconds);
    const std::map<std::string, OpProfileRow>& rows() const { return rows_; }

private:
    std::map<std::string, OpProfileRow> rows_;
    std::chrono::steady_clock::time_point mark_ = std::chrono::steady_clock::now();
};

const char* op_kind_name(OpKind k);
// "linear 768->2304" for a projection (input and output features), else the op's name.
std::string op_label(const TapeEntry& e);

} // namespace lmk::nn
