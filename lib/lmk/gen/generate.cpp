// gen/generate.cpp: see generate.h.
#include "lmk/gen/generate.h"
#include "lmk/core/error.h"
#include "lmk/core/utf8.h"

#include <algorithm>

namespace lmk {

namespace {
// Length of the longest prefix of s that does not end inside a UTF-8 sequence.
size_t complete_utf8_prefix(std::string_view s) {
    size_t n = s.size(), back = 0;
    while (back < 4 && back < n && (uint8_t(s[n - 1 - back]) & 0xC0) == 0x80) back++;
    if (back == n) return n;
    uint8_t lead = uint8_t(s[n - 1 - back]);
    size_t need = lead < 0x80 ? 1 : (lead >> 5) == 6 ? 2 : (lead >> 4) == 14 ? 3 : (lead >> 3) == 30 ? 4 : 1;
    return back + 1 < need ? n - back - 1 : n;
}
} // namespace

Generation generate_ids(Gpt& model, std::vector<int32_t> prompt, const GenerateOptions& opts, uint64_t seed,
                        const std::function<std::string(const std::vector<int32_t>&)>& decode,
                        const TextSink& on_text) {
    const GptConfig& cfg = model.config();
    LMK_CHECK(!prompt.empty(), "empty prompt (give at least one token)");
    LMK_CHECK_USAGE(opts.max_new_tokens >= 0, "--max-new-tokens must not be negative, got {}", opts.max_new_tokens);
    LMK_CHECK((opts.stop.empty() && !on_text) || decode, "generate: stop strings and streaming need a decoder");
    Generation out;
    // Keep room for at least one new token: drop the oldest prompt tokens if needed.
    if (int64_t(prompt.size()) > cfg.n_positions - 1) {
        out.prompt_truncated = int64_t(prompt.size()) - (cfg.n_positions - 1);
        prompt.erase(prompt.begin(), prompt.begin() + out.prompt_truncated);
    }
    out.prompt_ids = prompt;
    const int64_t capacity = std::min<int64_t>(cfg.n_positions, int64_t(prompt.size()) + std::max<int64_t>(opts.max_new_tokens, 1));
    KvCache cache(cfg, capacity);
    Sampler sampler(opts.sampling, seed);
    nn::Graph g;
    nn::NoGradScope no_grad(g);
    g.training = false;
    std::vector<int32_t> context = prompt;
    size_t max_stop = 0;
    for (const auto& s : opts.stop) max_stop = std::max(max_stop, s.size());
    size_t emitted = 0;
    std::string text;

    g.reset();
    nn::Var logits = model.forward_cached(g, prompt.data(), int64_t(prompt.size()), cache);
    out.finish_reason = "length";
    for (int64_t i = 0; i < opts.max_new_tokens; i++) {
        const float* l = logits.data(); // (1, Vp): only the first V columns are real
        int32_t next = sampler.sample(l, cfg.vocab_size, context);
        out.ids.push_back(next);
        out.logprobs.push_back(token_logprob(l, cfg.vocab_size, next));
        context.push_back(next);
        if (next == opts.eos_id) {
            out.finish_reason = "eos";
            break;
        }
        bool stopped = false;
        if (decode) {
            text = decode(out.ids);
            size_t cut = std::string::npos;
            for (const auto& s : opts.stop)
                if (!s.empty()) cut = std::min(cut, text.find(s));
            if (cut != std::string::npos) {
                text.resize(cut);
                stopped = true;
            }
            if (on_text && !stopped) {
                // Hold back what might still grow into a stop string or finish a character.
                size_t safe = text.size() > max_stop ? text.size() - (max_stop ? max_stop - 1 : 0) : 0;
                safe = std::min(safe, complete_utf8_prefix(text));
                if (safe > emitted) {
                    on_text(std::string_view(text).substr(emitted, safe - emitted));
                    emitted = safe;
                }
            }
        }
        if (stopped) {
            out.finish_reason = "stop";
            break;
        }
        if (i + 1 == opts.max_new_tokens || cache.length() >= cache.capacity()) break;
        g.reset();
        logits = model.forward_cached(g, &next, 1, cache);
    }
    if (decode) {
        if (out.finish_reason != "stop") {
            std::vector<int32_t> shown = out.ids;
            if (out.finish_reason == "eos") shown.pop_back();
            text = decode(shown);
        }
        out.text = text;
        if (on_text && out.text.size() > emitted) on_text(std::string_view(out.text).substr(emitted));
    }
    return out;
}

Generation generate(Gpt& model, const tok::Tokenizer& tk, std::string_view prompt, const GenerateOptions& opts,
                    uint64_t seed, const TextSink& on_text) {
    const std::vector<uint32_t> ids = tk.encode(prompt);
    const bool altered = !ids.empty() && tk.decode(ids) != prompt;
    std::vector<int32_t> p(ids.begin(), ids.end());
    if (p.empty() && opts.eos_id >= 0) p.assign(1, int32_t(opts.eos_id)); // unconditional: start from end-of-text
    auto decode = [&](const std::vector<int32_t>& v) {
        std::vector<uint32_t> u(v.begin(), v.end());
        return tk.decode(u);
    };
    Generation out = generate_ids(model, std::move(p), opts, seed, decode, on_text);
    out.prompt_altered = altered;
    return out;
}

} // namespace lmk
