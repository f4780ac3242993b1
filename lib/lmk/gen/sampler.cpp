// gen/sampler.cpp: see sampler.h.
#include "lmk/gen/sampler.h"
#include "lmk/core/error.h"

#include <algorithm>
#include <cmath>

namespace lmk {

Sampler::Sampler(SamplerOptions opts, uint64_t seed) : opts_(opts), rng_(seed) {
    LMK_CHECK_USAGE(opts.temperature >= 0.0f && std::isfinite(opts.temperature), "--temperature must be >= 0, got {}",
                    opts.temperature);
    LMK_CHECK_USAGE(opts.top_k >= 0, "--top-k must be >= 0, got {}", opts.top_k);
    LMK_CHECK_USAGE(opts.top_p > 0.0f && opts.top_p <= 1.0f, "--top-p must be in (0, 1], got {}", opts.top_p);
    LMK_CHECK_USAGE(opts.repetition_penalty > 0.0f && std::isfinite(opts.repetition_penalty),
                    "--repetition-penalty must be > 0, got {}", opts.repetition_penalty);
}

int32_t Sampler::sample(const float* logits, int64_t V, std::span<const int32_t> context) {
    work_.assign(logits, logits + V);
    if (opts_.repetition_penalty != 1.0f) {
        // Each distinct context token is penalised once, however often it occurs.
        std::vector<int32_t> seen(context.begin(), context.end());
        std::sort(seen.begin(), seen.end());
        seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
        for (int32_t id : seen) {
            if (id < 0 || id >= V) continue;
            float& l = work_[size_t(id)];
            l = l > 0 ? l / opts_.repetition_penalty : l * opts_.repetition_penalty;
        }
    }
    if (opts_.temperature == 0.0f) {
        int32_t best = 0;
        for (int64_t i = 1; i < V; i++)
            if (work_[size_t(i)] > work_[size_t(best)]) best = int32_t(i);
        return best;
    }
    // Candidates by (score desc, id asc); top-k cuts the list before sorting it fully.
    order_.resize(size_t(V));
    for (int64_t i = 0; i < V; i++) order_[size_t(i)] = int32_t(i);
    auto better = [&](int32_t a, int32_t b) {
        return work_[size_t(a)] != work_[size_t(b)] ? work_[size_t(a)] > work_[size_t(b)] : a < b;
    };
    size_t keep = size_t(V);
    if (opts_.top_k > 0 && opts_.top_k < V) {
        keep = size_t(opts_.top_k);
        std::nth_element(order_.begin(), order_.begin() + std::ptrdiff_t(keep), order_.end(), better);
        order_.resize(keep);
    }
    std::sort(order_.begin(), order_.end(), better);
    // Softmax at this temperature over the kept candidates (double: sums over 50k terms).
    const double inv_t = 1.0 / double(opts_.temperature);
    const double top = double(work_[size_t(order_[0])]) * inv_t;
    probs_.resize(keep);
    double sum = 0;
    for (size_t i = 0; i < keep; i++) {
        double l = double(work_[size_t(order_[i])]);
        probs_[i] = std::isfinite(l) ? std::exp(l * inv_t - top) : 0.0;
        sum += probs_[i];
    }
    if (opts_.top_p < 1.0f) {
        double cum = 0;
        size_t n = 0;
        while (n < keep) {
            cum += probs_[n] / sum;
            n++;
            if (cum >= double(opts_.top_p)) break;
        }
        keep = n;
        sum = 0;
        for (size_t i = 0; i < keep; i++) sum += probs_[i];
    }
    double u = rng_.uniform() * sum, cum = 0;
    for (size_t i = 0; i < keep; i++) {
        cum += probs_[i];
        if (u < cum) return order_[i];
    }
    return order_[keep - 1]; // u landed in rounding slack at the very end
}

double token_logprob(const float* logits, int64_t V, int32_t id) {
    double m = -INFINITY;
    for (int64_t i = 0; i < V; i++) m = std::max(m, double(logits[i]));
    double s = 0;
    for (int64_t i = 0; i < V; i++) s += std::exp(double(logits[i]) - m);
    return double(logits[id]) - m - std::log(s);
}

} // namespace lmk
