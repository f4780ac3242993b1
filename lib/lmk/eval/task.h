// eval/task.h: evaluation tasks: what is asked of the model, loaded from the original files.
//
// A Task is a configuration in lm-evaluation-harness's terms (output type, prompt templates,
// delimiters, metrics) plus its documents, already rendered: each Doc carries the query text
// (doc_to_text), the choices and gold index (multiple_choice), the target continuation
// (loglikelihood, generate_until) or the whole text (loglikelihood_rolling). Few-shot
// examples come from `fewshot` (the train split when there is one, else the evaluated split);
// `fewshot_excludes_eval_doc` reproduces lm-eval's rule (it samples k+1 and drops the
// evaluated document when fewshot_split == test_split, which is also true when both are unset).
//
// Built-in tasks read the original files of ../shared/data/eval (SOURCES.md there):
//   hellaswag  hellaswag/hellaswag_val_full.txt.bz2 (6 lines per item), lm-eval's preprocess()
//   lambada    lambada/lambada_test.jsonl (OpenAI variant: context = all but the last word,
//              target = " " + last word; acc = greedy match, perplexity)
//   piqa       piqa/valid.jsonl + valid-labels.lst
//   arc_easy   arc_easy/test.json (few-shot pool: train.json)
//   sst2       sst2/glue_sst2_dev.tsv (pool: alps_sst2_train_split.tsv), a classification prompt
//   wikitext   wikitext-2/test.txt split into pages at level-1 headings, lm-eval detokenizer
// A user task is a JSON file (docs/TOOLS.md "eval-fewshot"):
//   {"task": "demo_sentiment", "output_type": "multiple_choice", "data": "demo.jsonl",
//    "fewshot_data": "demo_train.jsonl", "doc_to_text": "Review: {{text}}\nSentiment:",
//    "doc_to_choice": ["negative", "positive"], "doc_to_target": "{{label}}"}
// Templates substitute {{field}} or {{a.b}} (top-level or nested fields of the JSONL record).
// A bad data line is reported as `file:line: what`, counted in bad_docs and skipped (thrown
// under strict); a task file with a missing or ill-typed key throws naming the file and key.
//
//   lmk::LoadOptions lo; lo.data_dir = "../shared/data/eval";
//   lmk::Task t = lmk::load_task("arc_easy", lo);      // a built-in name or a .json path
//   for (const lmk::Doc& d : t.docs) ... d.text, d.choices, d.gold
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace lmk {

enum class OutputType { multiple_choice, loglikelihood, loglikelihood_rolling, generate_until };
const char* output_type_name(OutputType t);

struct Doc {
    std::string where;                 // "file:line" (or "file[item]") for messages
    std::string text;                  // the query (doc_to_text)
    std::vector<std::string> choices;  // multiple_choice
    int gold = -1;                     // multiple_choice: index into choices
    std::string target;                // loglikelihood / generate_until: the answer text;
                                       // loglikelihood_rolling: the document
    std::vector<std::string> references; // generate_until: every accepted answer (target first)
    int64_t words = 0, bytes = 0;      // rolling: counts of the original text (lm-eval's)
    std::string identity;              // canonical content: equal docs are "the same document"
};

struct TaskConfig {
    std::string name;
    OutputType output_type = OutputType::multiple_choice;
    std::string dataset;               // where the documents came from (files)
    std::string eval_split = "validation", fewshot_split = "validation";
    std::string description;           // prepended to every prompt as is (lm-eval)
    std::string target_delimiter = " ";
    std::string fewshot_delimiter = "\n\n";
    std::string doc_to_text, doc_to_target, doc_to_choice; // the templates, for results.json
    std::vector<std::string> metrics;  // acc acc_norm acc_bytes perplexity word_perplexity ...
    std::vector<std::string> until;    // generate_until stop sequences
    int max_gen_toks = 256;
    bool ignore_case = false, ignore_punctuation = false; // exact_match options
    bool fewshot_excludes_eval_doc = true;
    double version = 1.0;
};

struct Task {
    TaskConfig config;
    std::vector<Doc> docs;     // evaluated, in file order
    std::vector<Doc> fewshot;  // the few-shot pool (a copy of docs when no other split)
    uint64_t bad_docs = 0;     // data records skipped (each logged as file:line: what)
};

struct LoadOptions {
    std::string data_dir = "../shared/data/eval"; // built-in tasks' files
    std::string data;          // replaces the evaluated file (built-in or task file)
    std::string fewshot_data;  // replaces the few-shot pool file
    bool strict = false;       // the first bad record throws
};

// Built-in names, in the order --help lists them.
const std::vector<std::string>& builtin_task_names();
// `name_or_path`: a built-in name or a JSON task file.
Task load_task(const std::string& name_or_path, const LoadOptions& opt);
// A user task from JSON text (`path` names it in messages and anchors relative data paths).
Task parse_task_file(const std::string& json, const std::string& path, const LoadOptions& opt);

// lm-eval's text transforms, exposed for tests.
std::string hellaswag_preprocess(std::string_view text);
std::string python_capitalize(std::string_view s);  // str.capitalize() for ASCII letters
std::string wikitext_detokenize(std::string_view page);
int64_t count_words_python(std::string_view s);     // len(re.split(r"\s+", s))
// Substitutes {{field}} / {{a.b}} in `tmpl` from a JSON object's text; throws naming `where`.
std::string render_template(std::string_view tmpl, std::string_view json_object, const std::string& where);

} // namespace lmk
