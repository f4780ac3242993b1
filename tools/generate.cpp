// generate: sample text from a trained GPT (a pretrain directory, a Hugging Face GPT-2
// directory or an llm.c gpt2_*.bin) with a KV cache. Decoding lives in lib/lmk/gen.
#include "lmk/core/cli.h"
#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/core/rng.h"
#include "lmk/gen/generate.h"
#include "lmk/io/file.h"
#include "lmk/io/jsonl.h"
#include "lmk/model/import.h"

#include <cstdio>

namespace {

struct Options {
    std::string model, tokenizer, prompt, prompt_field = "prompt";
    std::vector<std::string> files, stop;
    lmk::GenerateOptions gen;
    bool json = false, echo = false, no_eos = false;
    int64_t samples = 1;
    CLI::Option* prompt_opt = nullptr;
};

const char* kExamples = R"(Examples:
  generate -m runs/shakespeare --prompt 'ROMEO:' --max-new-tokens 200 --temperature 0.8 --top-k 40
  generate -m runs/gpt --temperature 0 --json --prompt 'The meaning of life is'
  echo '{"id": "a", "prompt": "Once upon a time"}' | generate -m runs/gpt --json --stop '\n\n'
)";

std::string json_ids(const std::vector<int32_t>& ids) {
    std::string s = "[";
    for (size_t i = 0; i < ids.size(); i++) s += (i ? ", " : "") + std::to_string(ids[i]);
    return s + "]";
}
std::string json_logprobs(const std::vector<double>& lp) {
    std::string s = "[";
    for (size_t i = 0; i < lp.size(); i++) s += (i ? ", " : "") + lmk::json_number(lp[i]);
    return s + "]";
}

// Unescapes \n, \t and \\ in stop strings given on the command line.
std::string unescape_flag(const std::string& s) {
    std::string o;
    for (size_t i = 0; i < s.size(); i++) {
        if (s[i] == '\\' && i + 1 < s.size()) {
            char c = s[++i];
            o += c == 'n' ? '\n' : c == 't' ? '\t' : c;
        } else {
            o += s[i];
        }
    }
    return o;
}

int run(Options& o, const lmk::CommonFlags& common) {
    LMK_CHECK_USAGE(o.samples >= 1, "--samples must be at least 1, got {}", o.samples);
    auto model = lmk::load_gpt(o.model);
    auto tk = lmk::load_model_tokenizer(o.model, o.tokenizer, *model);
    for (const auto& s : o.stop) o.gen.stop.push_back(unescape_flag(s));
    if (!o.no_eos) {
        int64_t eos = model->config().eos_token_id;
        if (eos < 0 && tk->eot_id()) eos = int64_t(*tk->eot_id());
        o.gen.eos_id = eos;
    }
    std::unique_ptr<lmk::Output> out;
    if (o.json) out = lmk::Output::open("-");
    uint64_t index = 0;
    auto one = [&](std::string_view prompt, const lmk::JsonlReader* rec) {
        for (int64_t k = 0; k < o.samples; k++, index++) {
            // Each completion draws from its own stream: adding prompts never changes others.
            uint64_t seed = lmk::derive_seed(common.seed, index);
            lmk::TextSink sink;
            if (!o.json) {
                // Text mode streams through stdio, flushed per piece, so a reader (or a
                // terminal) sees tokens as they come.
                if (o.echo) std::fwrite(prompt.data(), 1, prompt.size(), stdout);
                sink = [](std::string_view s) {
                    std::fwrite(s.data(), 1, s.size(), stdout);
                    std::fflush(stdout);
                };
            }
            lmk::Generation g = lmk::generate(*model, *tk, prompt, o.gen, seed, sink);
            if (g.prompt_truncated) lmk::log_warn("prompt {}: {} tokens dropped from the left to fit the context", index, g.prompt_truncated);
            if (g.prompt_altered && k == 0)
                lmk::log_warn("prompt {}: the model sees other text than given (the tokenizer dropped or changed "
                              "characters outside its vocabulary)", index);
            if (o.json) {
                std::vector<lmk::JsonEdit> edits = {{"completion", lmk::json_string(g.text)},
                                                    {"ids", json_ids(g.ids)},
                                                    {"logprobs", json_logprobs(g.logprobs)},
                                                    {"finish_reason", lmk::json_string(g.finish_reason)}};
                lmk::JsonlWriter w(*out);
                if (rec) {
                    w.write_record(*rec, edits);
                } else {
                    lmk::JsonObjectWriter obj;
                    obj.str("prompt", prompt);
                    for (const auto& [k2, v] : edits) obj.raw(k2, *v);
                    w.write_object(obj.finish());
                }
            } else {
                std::fputc('\n', stdout);
            }
            lmk::log_debug("prompt {}: {} prompt tokens, {} generated ({})", index, g.prompt_ids.size(), g.ids.size(),
                           g.finish_reason);
        }
    };
    if (o.prompt_opt->count()) {
        LMK_CHECK_USAGE(o.files.empty(), "give either --prompt or JSONL files, not both");
        one(o.prompt, nullptr);
    } else {
        if (o.files.empty()) o.files.push_back("-");
        for (const auto& f : o.files) {
            lmk::JsonlReader in(f);
            while (in.next()) {
                auto p = in.get_string(o.prompt_field);
                if (!p) {
                    lmk::log_warn("{}:{}: no string \"{}\" field, skipped", in.name(), in.line(), o.prompt_field);
                    continue;
                }
                std::string prompt(*p);
                one(prompt, &in);
            }
        }
    }
    if (out) out->commit();
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    return lmk::tool_main(
        argc, argv,
        {"generate",
         "Generate text from a GPT model directory (pretrain's, or Hugging Face GPT-2's) or an llm.c "
         "checkpoint. Prompts come from --prompt or from JSONL records on stdin or FILEs (field \"prompt\"). "
         "Text streams to stdout; --json writes one object per prompt with completion, ids and logprobs.",
         kExamples},
        [&](CLI::App& app, lmk::CommonFlags&) {
            app.add_option("FILE", o.files, "JSONL prompts (default: stdin)");
            app.add_option("-m,--model", o.model, "model directory or llm.c .bin")->required();
            app.add_option("--tokenizer", o.tokenizer, "tokenizer (default: the model directory's)");
            o.prompt_opt = app.add_option("--prompt", o.prompt, "one prompt (instead of JSONL input)");
            app.add_option("--prompt-field", o.prompt_field, "JSONL field holding the prompt");
            app.add_option("--max-new-tokens", o.gen.max_new_tokens, "tokens to generate at most");
            app.add_option("--temperature", o.gen.sampling.temperature, "0 = greedy");
            app.add_option("--top-k", o.gen.sampling.top_k, "keep the k most likely tokens (0 = off)");
            app.add_option("--top-p", o.gen.sampling.top_p, "nucleus sampling mass (1 = off)");
            app.add_option("--repetition-penalty", o.gen.sampling.repetition_penalty, "CTRL penalty for seen tokens (1 = off)");
            app.add_option("--stop", o.stop, "stop string (repeatable; \\n and \\t understood)");
            app.add_flag("--no-eos", o.no_eos, "do not stop at the end-of-text token");
            app.add_option("-n,--samples", o.samples, "completions per prompt");
            app.add_flag("--echo", o.echo, "print the prompt before its completion (text mode)");
            app.add_flag("--json", o.json, "one JSON object per completion");
        },
        [&](const lmk::CommonFlags& c) { return run(o, c); });
}
