// eval/evaluate.h: running a task on a model at k shots, and the files that report it.
//
// evaluate_task() builds every document's prompt in evaluation order (the few-shot sampler
// is sequential, prompt.h), then scores the documents in parallel (one Scorer per worker,
// scorer.h), computes lm-eval's per-document metrics and aggregates them with their
// standard errors (metrics.h). A document whose scoring fails (e.g. a prompt the tokenizer
// and model cannot take) is reported as `file:line: what`, counted in docs_failed and left
// out; docs_scored says how many made it into the numbers.
//
// results.json (results_json) has lm-evaluation-harness's shape:
//   {"results": {"arc_easy": {"alias": "arc_easy", "acc,none": 0.43, "acc_stderr,none": 0.01,
//                              "acc_norm,none": ..., "acc_norm_stderr,none": ...}},
//    "group_subtasks": {...}, "configs": {"arc_easy": {"task": ..., "num_fewshot": 5, ...}},
//    "versions": {...}, "n-shot": {"arc_easy": 5}, "higher_is_better": {...},
//    "n-samples": {"arc_easy": {"original": 2376, "effective": 100}}, "config": {...},
//    "lmkit": {"arc_easy": {"docs_scored": 100, "docs_failed": 0, "bad_records": 0, ...}}}
// With several shot counts (--shots 0,1,5) each run is its own entry "arc_easy_5shot"
// (alias "arc_easy"). Samples (--samples): one JSON object per document and run with
// task, n_shot, doc_id, where, context, choices, loglikelihoods, is_greedy, pred, gold and
// the document's metrics (rolling: loglikelihood, words, bytes, tokens; generation:
// completion, references).
//
//   lmk::TaskResult r = lmk::evaluate_task(model, tk, task, 5, opts, &progress);
//   lmk::write_file("results.json", lmk::results_json({r}, info));
#pragma once
#include "lmk/core/progress.h"
#include "lmk/eval/task.h"
#include "lmk/model/gpt.h"
#include "lmk/tok/tokenizer.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lmk {

struct EvalOptions {
    int64_t limit = 0;              // 0 = every document
    uint64_t fewshot_seed = 1234;   // lm-eval's default
    int64_t bootstrap_iters = 100000;
    int64_t max_length = 0;         // 0 = the model's n_positions
    bool keep_samples = false;
};

struct MetricValue {
    std::string name;
    double value = 0;
    double stderr_ = 0;             // NaN = "N/A"
    bool higher_is_better = true;
    std::string aggregation;        // mean, perplexity, weighted_perplexity, bits_per_byte
};

struct TaskResult {
    std::string key;                // results.json entry (name, or name_Kshot)
    const Task* task = nullptr;
    int shots = 0;
    std::vector<MetricValue> metrics;
    int64_t docs_scored = 0, docs_failed = 0;
    int64_t requests = 0;           // lm-eval requests (one per choice / document)
    int64_t tokens_scored = 0;      // continuation tokens scored (+ generated tokens)
    double seconds = 0;             // wall clock
    double cpu_seconds = 0;         // process CPU time (all threads)
    std::vector<std::string> samples; // JSON objects, in document order
};

TaskResult evaluate_task(Gpt& model, const tok::Tokenizer& tk, const Task& task, int shots, const EvalOptions& opt,
                         Progress* progress = nullptr);

struct RunInfo {
    std::string model;              // the model directory
    int64_t limit = 0;
    uint64_t fewshot_seed = 1234;
    int64_t bootstrap_iters = 100000;
    int threads = 0;
};
std::string results_json(const std::vector<TaskResult>& results, const RunInfo& info);
// The GPT-3 paper's table: one row per task and metric, one column per shot count.
std::string summary_table(const std::vector<TaskResult>& results);

} // namespace lmk
