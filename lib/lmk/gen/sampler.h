// gen/sampler.h: picking the next token from a model's logits, reproducibly.
//
// The steps follow Hugging Face's logits processors, in this order:
//   1. repetition penalty p (CTRL): for each distinct token already in the context, a
//      positive logit is divided by p and a negative one multiplied by p;
//   2. temperature 0: greedy, the arg-max (the lowest id among ties); no randomness;
//   3. otherwise logits / temperature, then top-k (keep the k largest; ties keep lower ids),
//      then top-p (nucleus: keep the most probable tokens until their probability sum
//      reaches p; the token that crosses p is kept, so at least one always remains),
//      renormalise and draw one token with the sampler's own Rng.
// Candidates are ordered by (probability desc, id asc) before drawing, so the same seed
// gives the same tokens on any machine and thread count.
//
//   lmk::Sampler s({.temperature = 0.8f, .top_k = 40, .top_p = 0.95f}, seed);
//   int32_t next = s.sample(logits, V, context_ids);
//   double lp = lmk::token_logprob(logits, V, next);   // under the unmodified model
#pragma once
#include "lmk/core/rng.h"

#include <cstdint>
#include <span>
#include <vector>

namespace lmk {

struct SamplerOptions {
    float temperature = 1.0f;        // 0 = greedy
    int64_t top_k = 0;               // 0 = off
    float top_p = 1.0f;              // 1 = off
    float repetition_penalty = 1.0f; // 1 = off
};

class Sampler {
public:
    Sampler(SamplerOptions opts, uint64_t seed); // validates opts (throws lmk::UsageError)
    // logits: V scores for the next token; context: the ids so far (for the penalty).
    int32_t sample(const float* logits, int64_t V, std::span<const int32_t> context);
    const SamplerOptions& options() const { return opts_; }
    Rng& rng() { return rng_; }

private:
    SamplerOptions opts_;
    Rng rng_;
    std::vector<float> work_;
    std::vector<int32_t> order_;
    std::vector<double> probs_;
};

// log softmax(logits)[id], computed stably in double.
double token_logprob(const float* logits, int64_t V, int32_t id);

} // namespace lmk
