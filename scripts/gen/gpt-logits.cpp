// gpt-logits: prints a GPT's logits for given token ids as JSON, for the PyTorch reference
// check (scripts/gpt2_reference.py) and debugging. Not a user tool.
//   gpt-logits -m DIR --ids 1,2,3   ->  {"ids": [1, 2, 3], "logits": [[...V...], ...]}
#include "lmk/core/cli.h"
#include "lmk/core/error.h"
#include "lmk/model/import.h"

#include <cstdio>
#include <fmt/format.h>

int main(int argc, char** argv) {
    std::string model_path;
    std::vector<int32_t> ids;
    return lmk::tool_main(
        argc, argv, {"gpt-logits", "Print a GPT's logits for token ids as JSON.", ""},
        [&](CLI::App& app, lmk::CommonFlags&) {
            app.add_option("-m,--model", model_path, "model directory or llm.c .bin")->required();
            app.add_option("--ids", ids, "token ids")->required()->delimiter(',');
        },
        [&](const lmk::CommonFlags&) {
            auto model = lmk::load_gpt(model_path);
            const lmk::GptConfig& c = model->config();
            lmk::nn::Graph g;
            lmk::nn::NoGradScope ng(g);
            g.training = false;
            lmk::nn::Var l = model->forward(g, ids.data(), 1, int64_t(ids.size()));
            std::string s = fmt::format("{{\"ids\": [{}], \"logits\": [", fmt::join(ids, ", "));
            for (size_t t = 0; t < ids.size(); t++) {
                const float* row = l.data() + int64_t(t) * c.padded_vocab_size;
                s += fmt::format("{}[{}]", t ? ", " : "", fmt::join(row, row + c.vocab_size, ", "));
            }
            s += "]}\n";
            std::fwrite(s.data(), 1, s.size(), stdout);
            return 0;
        });
}
