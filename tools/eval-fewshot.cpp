// eval-fewshot: zero-, one- and few-shot evaluation of a GPT with lm-evaluation-harness's
// prompts, requests and metrics; results.json in lm-eval's shape. Logic lives in lib/lmk/eval.
#include "lmk/core/cli.h"
#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/core/progress.h"
#include "lmk/core/threads.h"
#include "lmk/eval/evaluate.h"
#include "lmk/io/file.h"
#include "lmk/model/import.h"


namespace {

struct Options {
    std::string model, tokenizer, output = "-", samples;
    std::vector<std::string> tasks;
    std::vector<int> shots{0};
    lmk::LoadOptions load;
    lmk::EvalOptions eval;
};

const char* kExamples = R"(Tasks: hellaswag, lambada (lambada_openai), piqa, arc_easy, sst2, wikitext (built in,
read from --data-dir), or a JSON task file (docs/TOOLS.md, "eval-fewshot").

Examples:
  eval-fewshot -m runs/gpt --task arc_easy --shots 0,1,5 --limit 200 -o results.json
  eval-fewshot -m runs/gpt --task hellaswag,piqa --samples samples.jsonl -o results.json
  eval-fewshot -m runs/gpt --task my_task.json --shots 0,3 -o -
)";

int run(Options& o, const lmk::CommonFlags& common) {
    std::unique_ptr<lmk::Output> samples;
    if (!o.samples.empty()) samples = lmk::Output::open(o.samples);
    o.eval.keep_samples = samples != nullptr;

    // One task list may name several tasks (comma-separated or repeated).
    std::vector<std::string> names;
    for (const std::string& t : o.tasks)
        for (size_t p = 0; p <= t.size();) {
            size_t c = t.find(',', p);
            if (c == std::string::npos) c = t.size();
            if (c > p) names.push_back(t.substr(p, c - p));
            p = c + 1;
        }
    // Tasks first: a bad task file fails before the model is read.
    std::vector<std::unique_ptr<lmk::Task>> tasks;
    int64_t scored = 0, failed = 0, bad = 0;
    for (const std::string& name : names) {
        tasks.push_back(std::make_unique<lmk::Task>(lmk::load_task(name, o.load)));
        const lmk::Task& task = *tasks.back();
        bad += int64_t(task.bad_docs);
        lmk::log_info("{}: {} documents ({} bad records skipped), few-shot pool {}", task.config.name,
                      task.docs.size(), task.bad_docs, task.fewshot.size());
    }
    auto model = lmk::load_gpt(o.model);
    auto tk = lmk::load_model_tokenizer(o.model, o.tokenizer, *model);
    std::vector<lmk::TaskResult> results;
    for (const auto& tp : tasks) {
        const lmk::Task& task = *tp;
        for (int k : o.shots) {
            size_t n = task.docs.size();
            if (o.eval.limit > 0 && size_t(o.eval.limit) < n) n = size_t(o.eval.limit);
            lmk::Progress progress(fmt::format("{} {}-shot", task.config.name, k), n, "docs");
            lmk::TaskResult r = lmk::evaluate_task(*model, *tk, task, k, o.eval, &progress);
            progress.finish();
            if (o.shots.size() > 1) r.key = fmt::format("{}_{}shot", task.config.name, k);
            lmk::log_info("{}: {} documents scored, {} failed, {} tokens in {:.1f}s ({:.1f} docs/s)", r.key,
                          r.docs_scored, r.docs_failed, r.tokens_scored, r.seconds,
                          r.seconds > 0 ? double(r.docs_scored) / r.seconds : 0.0);
            scored += r.docs_scored;
            failed += r.docs_failed;
            if (samples)
                for (const std::string& s : r.samples) samples->write(s + "\n");
            results.push_back(std::move(r));
        }
    }
    lmk::RunInfo info{o.model, o.eval.limit, o.eval.fewshot_seed, o.eval.bootstrap_iters, lmk::num_threads()};
    auto out = lmk::Output::open(o.output);
    out->write(lmk::results_json(results, info));
    out->commit();
    if (samples) samples->commit();
    if (common.quiet == 0) std::fputs(("\n" + lmk::summary_table(results) + "\n").c_str(), stderr);
    lmk::log_info("{} documents scored, {} failed to score, {} bad records skipped", scored, failed, bad);
    if (scored == 0) throw lmk::Error("no document was scored", "check the task's data and the --limit flag");
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    return lmk::tool_main(
        argc, argv,
        {"eval-fewshot",
         "Zero-, one- and few-shot evaluation with lm-evaluation-harness semantics: prompts (description, "
         "target delimiter \" \", few-shot delimiter \"\\n\\n\", examples drawn with Python's random.Random(seed)), "
         "loglikelihood / loglikelihood_rolling / generate_until requests, acc, acc_norm, perplexities, exact match "
         "and F1 with stderrs; results.json in lm-eval's shape, a summary table on stderr.",
         kExamples},
        [&](CLI::App& app, lmk::CommonFlags&) {
            app.add_option("-m,--model", o.model, "model directory (config.json + model.safetensors) or llm.c .bin")
                ->required();
            app.add_option("--tokenizer", o.tokenizer, "tokenizer (default: the model directory)");
            app.add_option("--task", o.tasks, "built-in task name or JSON task file; comma list or repeated")
                ->required();
            app.add_option("--shots", o.shots, "few-shot counts, e.g. 0,1,5 (default 0)")->delimiter(',');
            app.add_option("--limit", o.eval.limit, "evaluate only the first N documents of each task");
            app.add_option("--data-dir", o.load.data_dir, "built-in tasks' data (default ../shared/data/eval)");
            app.add_option("--data", o.load.data, "replace the evaluated data file");
            app.add_option("--fewshot-data", o.load.fewshot_data, "replace the few-shot pool's data file");
            app.add_option("--fewshot-seed", o.eval.fewshot_seed, "seed of the few-shot sampler (default 1234, lm-eval's)");
            app.add_option("--bootstrap-iters", o.eval.bootstrap_iters,
                           "bootstrap resamples for perplexity stderrs (default 100000; 0 = none)");
            app.add_option("--max-length", o.eval.max_length, "context length used (default: the model's n_positions)");
            app.add_option("-o,--output", o.output, "results.json (default stdout)");
            app.add_option("--samples", o.samples, "write one JSON object per evaluated document to FILE");
            app.add_flag("--strict", o.load.strict, "the first bad data record is fatal");
        },
        [&](const lmk::CommonFlags& c) { return run(o, c); });
}
