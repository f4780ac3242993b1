// bench_unigram_ll: held-out quality of a Unigram tokenizer, for comparing trainers.
//   bench_unigram_ll TOKENIZER.json FILE.jsonl   encodes every document's "text" and prints
//   `bytes tokens unk bytes_per_token nats_per_byte`: nats_per_byte is the negative
//   log-likelihood of the text under the unigram language model along the segmentation the
//   tokenizer chose, -sum log p(token) / bytes, with the piece scores renormalized to a
//   probability distribution over the non-special pieces (trainers leave them slightly
//   below 1 after dropping pieces). Unknown characters (no piece) count as unk tokens with
//   HF's penalty: probability exp(min score - 10). Both numbers are lower-is-better for
//   nats/byte and higher-is-better for bytes/token, and comparable across trainers because
//   the same encoder segments the text for every model (load spm_train's vocabulary into a
//   tokenizer.json to score it).
#include "lmk/io/jsonl.h"
#include "lmk/tok/hf_json.h"
#include "lmk/tok/unigram.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>

int main(int argc, char** argv) {
    if (argc != 3) {
        fmt::print(stderr, "usage: bench_unigram_ll TOKENIZER.json FILE.jsonl\n");
        return 2;
    }
    try {
        auto tk = lmk::tok::load_tokenizer(argv[1]);
        auto* m = dynamic_cast<const lmk::tok::UnigramModel*>(&tk->model());
        if (!m) {
            fmt::print(stderr, "bench_unigram_ll: {} is not a Unigram tokenizer\n", argv[1]);
            return 1;
        }
        std::vector<uint8_t> special(tk->vocab_size(), 0);
        for (const auto& a : tk->added_tokens()) if (a.id < special.size()) special[a.id] = 1;
        if (m->unk_id()) special[*m->unk_id()] = 1;
        double max_score = -std::numeric_limits<double>::infinity(), min_score = -max_score;
        for (uint32_t i = 0; i < tk->vocab_size(); i++)
            if (!special[i]) { max_score = std::max(max_score, m->score(i)); min_score = std::min(min_score, m->score(i)); }
        double z = 0;
        for (uint32_t i = 0; i < tk->vocab_size(); i++)
            if (!special[i]) z += std::exp(m->score(i) - max_score);
        const double log_z = max_score + std::log(z);
        lmk::JsonlReader in(argv[2]);
        uint64_t bytes = 0, tokens = 0, unk = 0;
        double nll = 0;
        std::vector<uint32_t> ids;
        while (in.next()) {
            auto text = in.get_string("text");
            if (!text) continue;
            bytes += text->size();
            ids.clear();
            tk->encode(*text, ids);
            tokens += ids.size();
            for (uint32_t id : ids) {
                if (special[id]) { unk++; nll -= min_score - 10 - log_z; }
                else nll -= m->score(id) - log_z;
            }
        }
        fmt::print("{} {} {} {:.4f} {:.5f}\n", bytes, tokens, unk, double(bytes) / double(tokens), nll / double(bytes));
    } catch (const std::exception& e) {
        fmt::print(stderr, "bench_unigram_ll: {}\n", e.what());
        return 1;
    }
    return 0;
}
