// eval/scorer.h: the model side of evaluation: log-likelihoods of continuations, rolling
// log-likelihoods of long documents, greedy generation with stop sequences.
//
// Semantics follow lm-evaluation-harness's HFLM:
//   - encode_pair(context, continuation): trailing whitespace of the context moves to the
//     continuation; continuation tokens = encode(context + continuation) minus the first
//     len(encode(context)) tokens; an empty context becomes [prefix token] (end-of-text),
//     unless the continuation already starts with it.
//   - the scored sequence is (context + continuation)[-(L+1):][:-1] (left-truncated to the
//     model's context L); the result is the sum of the continuation tokens' log-softmax and
//     whether each was the arg-max (is_greedy).
//   - rolling: lm-eval's get_rolling_token_windows(tokens, prefix, L, context_len = 1) +
//     make_disjoint_window, summed over windows.
//   - generate_until: the context left-truncated to L - max_gen_toks, greedy decoding until
//     a stop sequence or end-of-text appears or max_gen_toks tokens; the text is cut before
//     the first stop sequence.
// Speed: score_choices() runs the shared context ONCE into a KV cache and then scores all
// continuations as one batch against it (B = choices, each attending to the cached prefix
// and causally to itself); only the rows that are scored go through the LM head. A Scorer
// is used by one thread at a time; make one per worker (they share the model read-only).
//
//   lmk::Scorer sc(model, tokenizer);
//   auto [ctx, cont] = sc.encode_pair("Question: 2+2?\nAnswer:", " 4");
//   std::vector<lmk::LlResult> r = sc.score_choices(ctx, {cont, other});
#pragma once
#include "lmk/model/gpt.h"
#include "lmk/tok/tokenizer.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace lmk {

struct LlResult {
    double logprob = 0;      // sum over the continuation tokens
    bool is_greedy = false;  // every continuation token was the arg-max
    int64_t tokens = 0;      // continuation tokens scored
    std::vector<float> token_logprobs; // per token (for tests and --samples)
};

class Scorer {
public:
    Scorer(Gpt& model, const tok::Tokenizer& tk, int64_t max_length = 0); // 0: n_positions
    ~Scorer();
    int64_t max_length() const { return max_len_; }
    int32_t prefix_token() const { return prefix_; }
    std::vector<int32_t> encode(std::string_view text) const;
    std::pair<std::vector<int32_t>, std::vector<int32_t>> encode_pair(std::string_view context,
                                                                       std::string_view continuation) const;

    // Several continuations of one context (the multiple-choice case).
    std::vector<LlResult> score_choices(const std::vector<int32_t>& context,
                                        const std::vector<std::vector<int32_t>>& continuations);
    // One (context, continuation) pair.
    LlResult score(const std::vector<int32_t>& context, const std::vector<int32_t>& continuation);
    // Sum of log-likelihoods of every token of `tokens` (rolling windows); *windows gets the
    // number of windows run.
    double score_rolling(const std::vector<int32_t>& tokens, int64_t* windows = nullptr);
    // Greedy continuation of `context` (text) until a stop string.
    std::string generate_until(std::string_view context, const std::vector<std::string>& until, int max_gen_toks,
                               int64_t* generated_tokens = nullptr);

    struct Cache; // internal: per-layer keys/values of a prefix
private:
    // Runs `tokens` (B rows of T, padded with any valid id) at positions P.. where P is the
    // cached prefix's length (the prefix is shared by the B rows); with `append` (B = 1) the
    // new keys/values are added to the cache. For each requested row (index b*T + t) the
    // logits are kept in logits_ (n_rows x Vp) with their log-sum-exp over the real
    // vocabulary in lse_ and arg-max in argmax_.
    void forward(const int32_t* tokens, int64_t B, int64_t T, Cache& cache, bool append,
                 const std::vector<int32_t>& rows);
    double logprob(size_t row, int32_t token) const;

    Gpt& model_;
    const tok::Tokenizer& tk_;
    int64_t max_len_;
    int32_t prefix_;
    nn::Graph g_;
    std::unique_ptr<Cache> cache_;
    std::vector<float> logits_;
    std::vector<double> lse_;
    std::vector<int32_t> argmax_;
    int64_t V_ = 0, Vp_ = 0;
};

// lm-eval's utils.get_rolling_token_windows + make_disjoint_window: (context, predicted)
// token lists; exposed for tests.
std::vector<std::pair<std::vector<int32_t>, std::vector<int32_t>>> rolling_windows(const std::vector<int32_t>& tokens,
                                                                                   int32_t prefix, int64_t max_len,
                                                                                   int64_t context_len = 1);

} // namespace lmk
