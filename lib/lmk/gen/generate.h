// gen/generate.h: incremental decoding with a KV cache, stop conditions and log-probs.
//
// The prompt is run through the model once (prefill, filling the cache); then each new
// token costs one forward of a single position against the cache, so the per-token cost
// grows linearly with the context instead of quadratically. Decoding stops at the first of:
//   "eos"     the model produced eos_id (kept in ids, not in the text),
//   "stop"    the text now contains one of the stop strings (the text is cut before it;
//             ids and logprobs keep every generated token),
//   "length"  max_new_tokens were generated, or the model's context is full.
// logprobs[i] is log p(ids[i] | context) under the model itself (temperature 1, before
// top-k/top-p/penalty), as lm-evaluation-harness and the OpenAI API report them.
// Streaming: on_text receives the completion's text in order, holding back bytes that
// could still become a stop string or that end inside a UTF-8 character; the pieces
// concatenate to exactly `text`.
//
//   lmk::GenerateOptions o;  o.max_new_tokens = 50;  o.sampling.temperature = 0.8f;
//   lmk::Generation g = lmk::generate(model, tokenizer, "Once upon a time", o, seed,
//                                     [](std::string_view s) { fwrite(s.data(), 1, s.size(), stdout); });
#pragma once
#include "lmk/gen/sampler.h"
#include "lmk/model/gpt.h"
#include "lmk/tok/tokenizer.h"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace lmk {

struct GenerateOptions {
    int64_t max_new_tokens = 128;
    SamplerOptions sampling;
    std::vector<std::string> stop; // stop strings
    int64_t eos_id = -1;           // -1: none
};

struct Generation {
    std::vector<int32_t> prompt_ids;
    std::vector<int32_t> ids;      // generated
    std::vector<double> logprobs;  // one per generated id
    std::string text;              // decoded completion (stop string and eos excluded)
    std::string finish_reason;     // "eos" | "stop" | "length"
    int64_t prompt_truncated = 0;  // prompt tokens dropped from the left to fit the context
    bool prompt_altered = false;   // generate(): the prompt's ids decode to other text (characters
                                   // outside a vocabulary without an unknown token are dropped)
};

using TextSink = std::function<void(std::string_view)>;

// Decodes from prompt ids. `decode` turns ids into text (for stop strings and streaming);
// it may be empty when neither is used.
Generation generate_ids(Gpt& model, std::vector<int32_t> prompt, const GenerateOptions& opts, uint64_t seed,
                        const std::function<std::string(const std::vector<int32_t>&)>& decode = {},
                        const TextSink& on_text = {});
// Encodes the prompt with the tokenizer, then generate_ids.
Generation generate(Gpt& model, const tok::Tokenizer& tk, std::string_view prompt, const GenerateOptions& opts,
                    uint64_t seed, const TextSink& on_text = {});

} // namespace lmk
