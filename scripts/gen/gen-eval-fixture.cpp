// gen-eval-fixture OUTDIR: the eval-fewshot CLI tests' fixtures, deterministic:
//   OUTDIR/model/      a 2-layer random GPT over a 260-id byte-level BPE (config.json,
//                      model.safetensors, tokenizer.json), the unit tests' tests/eval_fixture.h
//   OUTDIR/task.json   a user task (multiple choice, two fixed choices, few-shot pool file)
//   OUTDIR/data.jsonl  8 documents plus 2 bad lines (line 4 is not JSON, line 7 lacks "label")
//   OUTDIR/train.jsonl the few-shot pool (6 documents)
//   OUTDIR/gen.json + gen.jsonl   a generate_until task (3 documents)
#include "../../tests/eval_fixture.h"

#include "lmk/core/cli.h"
#include "lmk/io/file.h"
#include "lmk/model/config.h"

#include <filesystem>

int main(int argc, char** argv) {
    std::string out;
    return lmk::tool_main(
        argc, argv, {"gen-eval-fixture", "Write eval-fewshot's CLI test fixtures.", ""},
        [&](CLI::App& app, lmk::CommonFlags&) { app.add_option("OUTDIR", out)->required(); },
        [&](const lmk::CommonFlags&) {
            std::filesystem::create_directories(out + "/model");
            auto tk = eval_fixture::tiny_tokenizer();
            auto m = eval_fixture::tiny_gpt();
            lmk::write_file(out + "/model/config.json", lmk::gpt_config_to_json(m->config()));
            m->save_safetensors(out + "/model/model.safetensors");
            lmk::write_file(out + "/model/tokenizer.json", lmk::tok::to_hf_json(*tk));
            lmk::write_file(out + "/task.json", R"({"task": "toy_sentiment", "data": "data.jsonl",
  "fewshot_data": "train.jsonl", "description": "Say if the review is good or bad.\n\n",
  "doc_to_text": "Review: {{text}}\nVerdict:", "doc_to_choice": ["bad", "good"], "doc_to_target": "{{label}}"}
)");
            lmk::write_file(out + "/data.jsonl", R"({"text": "the film was great", "label": 1}
{"text": "the plot was thin", "label": 0}
{"text": "the cast was superb", "label": 1}
{"text": "broken line
{"text": "the end was dull", "label": 0}
{"text": "the theme was deep", "label": 1}
{"text": "the lines were flat"}
{"text": "the score was lovely", "label": 1}
{"text": "the pace was slow", "label": 0}
{"text": "the sets were cheap", "label": 0}
)");
            lmk::write_file(out + "/train.jsonl", R"({"text": "a thrilling ride", "label": 1}
{"text": "a tedious mess", "label": 0}
{"text": "the best this year", "label": 1}
{"text": "the worst this year", "label": 0}
{"text": "a heartfelt tale", "label": 1}
{"text": "a hollow shell", "label": 0}
)");
            lmk::write_file(out + "/gen.json", R"({"task": "toy_echo", "output_type": "generate_until", "data": "gen.jsonl",
  "doc_to_text": "Q: {{q}}\nA:", "doc_to_target": "{{a}}", "generation_kwargs": {"until": ["\n"], "max_gen_toks": 6}}
)");
            lmk::write_file(out + "/gen.jsonl", R"({"q": "the", "a": "the"}
{"q": "then", "a": "then"}
{"q": "hat", "a": ["hat", "the hat"]}
)");
            return 0;
        });
}
