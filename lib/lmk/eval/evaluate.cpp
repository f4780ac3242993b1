// eval/evaluate.cpp: see evaluate.h.
#include "lmk/eval/evaluate.h"
#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/eval/metrics.h"
#include "lmk/eval/prompt.h"
#include "lmk/eval/scorer.h"
#include "lmk/io/jsonl.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <chrono>
#include <ctime>
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <mutex>

namespace lmk {

namespace {

// What scoring one document produced (the inputs of its metrics).
struct DocOutcome {
    bool ok = false;
    std::string error;
    std::string context;
    std::vector<LlResult> lls;       // multiple choice: per choice; loglikelihood: one
    std::vector<int32_t> ctx_ids;    // the scored token ids (for --samples and the reference)
    std::vector<std::vector<int32_t>> cont_ids;
    double rolling_ll = 0;
    int64_t rolling_tokens = 0;
    std::string completion;
    int64_t generated = 0;
};

std::string json_num_or_na(double v) { return std::isnan(v) ? json_string("N/A") : json_number(v); }

std::string json_str_array(const std::vector<std::string>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); i++) s += (i ? ", " : "") + json_string(v[i]);
    return s + "]";
}

std::string json_ids(const std::vector<int32_t>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); i++) s += (i ? ", " : "") + std::to_string(v[i]);
    return s + "]";
}

template <typename T, typename F> std::string json_array(const std::vector<T>& v, F f) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); i++) s += (i ? ", " : "") + f(v[i]);
    return s + "]";
}

// CPU time of the whole process (all threads): with -j 1 on a shared machine, the fair clock.
double process_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

bool metric_wanted(const TaskConfig& c, std::string_view m) {
    for (const auto& x : c.metrics)
        if (x == m) return true;
    return false;
}

} // namespace

TaskResult evaluate_task(Gpt& model, const tok::Tokenizer& tk, const Task& task, int shots, const EvalOptions& opt,
                         Progress* progress) {
    const auto t0 = std::chrono::steady_clock::now();
    const double cpu0 = process_cpu_seconds();
    const TaskConfig& c = task.config;
    const OutputType type = c.output_type;
    LMK_CHECK(!(type == OutputType::loglikelihood_rolling && shots > 0),
              "task {}: loglikelihood_rolling tasks take no few-shot examples (--shots 0)", c.name);
    size_t n = task.docs.size();
    if (opt.limit > 0 && size_t(opt.limit) < n) n = size_t(opt.limit);

    // 1. prompts, in document order (the sampler's draws depend on the order)
    std::vector<std::string> contexts(n);
    if (type != OutputType::loglikelihood_rolling) {
        FewshotSampler sampler(task, shots, opt.fewshot_seed);
        for (size_t i = 0; i < n; i++) contexts[i] = fewshot_context(c, task.docs[i], sampler.next(task.docs[i]));
    }

    // 2. scoring, parallel over documents
    std::vector<DocOutcome> out(n);
    tbb::enumerable_thread_specific<std::unique_ptr<Scorer>> scorers;
    tbb::parallel_for(size_t(0), n, [&](size_t i) {
        auto& sc = scorers.local();
        if (!sc) sc = std::make_unique<Scorer>(model, tk, opt.max_length);
        const Doc& d = task.docs[i];
        DocOutcome& o = out[i];
        o.context = contexts[i];
        try {
            switch (type) {
            case OutputType::multiple_choice: {
                std::vector<std::vector<int32_t>> conts;
                std::vector<int32_t> ctx;
                for (const std::string& ch : d.choices) {
                    auto [ce, co] = sc->encode_pair(o.context, c.target_delimiter + ch);
                    if (co.empty()) throw Error(fmt::format("{}: choice \"{}\" encodes to no tokens", d.where, ch));
                    ctx = std::move(ce); // the same for every choice: it depends on the context only
                    conts.push_back(std::move(co));
                }
                o.lls = sc->score_choices(ctx, conts);
                if (opt.keep_samples) o.ctx_ids = std::move(ctx), o.cont_ids = std::move(conts);
                break;
            }
            case OutputType::loglikelihood: {
                auto [ce, co] = sc->encode_pair(o.context, d.target);
                if (co.empty()) throw Error(fmt::format("{}: the target encodes to no tokens", d.where));
                o.lls = {sc->score(ce, co)};
                if (opt.keep_samples) o.ctx_ids = std::move(ce), o.cont_ids = {std::move(co)};
                break;
            }
            case OutputType::loglikelihood_rolling: {
                std::vector<int32_t> toks = sc->encode(d.target);
                o.rolling_tokens = int64_t(toks.size());
                o.rolling_ll = sc->score_rolling(toks);
                break;
            }
            case OutputType::generate_until:
                o.completion = sc->generate_until(o.context, c.until, c.max_gen_toks, &o.generated);
                break;
            }
            o.ok = true;
        } catch (const Error& e) {
            std::string what = e.what();
            o.error = what.starts_with(d.where) ? what : d.where + ": " + what;
        }
        if (progress) progress->add(1);
    });

    // 3. per-document metrics, in order
    TaskResult r;
    r.task = &task;
    r.shots = shots;
    r.key = c.name;
    std::map<std::string, std::vector<double>> items;
    std::vector<double> roll_ll, roll_words, roll_bytes;
    for (size_t i = 0; i < n; i++) {
        const Doc& d = task.docs[i];
        const DocOutcome& o = out[i];
        if (!o.ok) {
            log_warn("{}, not scored", o.error);
            r.docs_failed++;
            continue;
        }
        r.docs_scored++;
        JsonObjectWriter w;
        w.str("task", c.name).num("n_shot", int64_t(shots)).num("doc_id", int64_t(i)).str("where", d.where);
        switch (type) {
        case OutputType::multiple_choice: {
            std::vector<double> lls;
            std::vector<std::string> greedy;
            for (const LlResult& l : o.lls) {
                lls.push_back(l.logprob);
                greedy.push_back(l.is_greedy ? "true" : "false");
                r.tokens_scored += l.tokens;
            }
            r.requests += int64_t(lls.size());
            ChoiceMetrics m = score_choices_metrics(lls, d.choices, d.gold);
            items["acc"].push_back(m.acc);
            items["acc_norm"].push_back(m.acc_norm);
            items["acc_bytes"].push_back(m.acc_bytes);
            if (opt.keep_samples)
                w.str("context", o.context)
                    .raw("choices", json_str_array(d.choices))
                    .raw("loglikelihoods", json_array(lls, [](double x) { return json_number(x); }))
                    .raw("is_greedy", json_array(greedy, [](const std::string& s) { return s; }))
                    .num("pred", int64_t(m.pred))
                    .num("gold", int64_t(d.gold))
                    .num("acc", m.acc)
                    .num("acc_norm", m.acc_norm)
                    .num("acc_bytes", m.acc_bytes)
                    .raw("context_ids", json_ids(o.ctx_ids))
                    .raw("continuation_ids", json_array(o.cont_ids, json_ids));
            break;
        }
        case OutputType::loglikelihood: {
            const LlResult& l = o.lls[0];
            r.requests++;
            r.tokens_scored += l.tokens;
            items["perplexity"].push_back(l.logprob);
            items["acc"].push_back(l.is_greedy ? 1.0 : 0.0);
            if (opt.keep_samples)
                w.str("context", o.context)
                    .raw("choices", json_str_array({d.target}))
                    .raw("loglikelihoods", "[" + json_number(l.logprob) + "]")
                    .raw("is_greedy", l.is_greedy ? "[true]" : "[false]")
                    .num("pred", int64_t(l.is_greedy ? 0 : -1))
                    .num("gold", int64_t(0))
                    .num("acc", l.is_greedy ? 1.0 : 0.0)
                    .raw("context_ids", json_ids(o.ctx_ids))
                    .raw("continuation_ids", json_array(o.cont_ids, json_ids));
            break;
        }
        case OutputType::loglikelihood_rolling:
            r.requests++;
            r.tokens_scored += o.rolling_tokens;
            roll_ll.push_back(o.rolling_ll);
            roll_words.push_back(double(d.words));
            roll_bytes.push_back(double(d.bytes));
            if (opt.keep_samples)
                w.num("loglikelihood", o.rolling_ll)
                    .num("tokens", o.rolling_tokens)
                    .num("words", d.words)
                    .num("bytes", d.bytes);
            break;
        case OutputType::generate_until: {
            r.requests++;
            r.tokens_scored += o.generated;
            double em = 0, f1 = 0;
            for (const std::string& ref : d.references) {
                em = std::max(em, exact_match(o.completion, ref, c.ignore_case, c.ignore_punctuation) ? 1.0 : 0.0);
                f1 = std::max(f1, token_f1(o.completion, ref));
            }
            items["exact_match"].push_back(em);
            items["f1"].push_back(f1);
            if (opt.keep_samples)
                w.str("context", o.context)
                    .str("completion", o.completion)
                    .raw("references", json_str_array(d.references))
                    .num("exact_match", em)
                    .num("f1", f1);
            break;
        }
        }
        if (opt.keep_samples) r.samples.push_back(w.finish());
    }

    // 4. aggregation
    for (const std::string& m : c.metrics) {
        MetricValue v;
        v.name = m;
        if (m == "acc" || m == "acc_norm" || m == "acc_bytes" || m == "exact_match" || m == "f1") {
            auto& xs = items[m];
            v.aggregation = "mean";
            v.value = mean(xs);
            v.stderr_ = mean_stderr(xs);
        } else if (m == "perplexity") {
            auto& xs = items[m];
            v.aggregation = "perplexity";
            v.higher_is_better = false;
            v.value = perplexity_of(xs);
            v.stderr_ = perplexity_bootstrap_stderr(xs, opt.bootstrap_iters);
        } else if (m == "word_perplexity" || m == "byte_perplexity" || m == "bits_per_byte") {
            // lm-eval's weighted_mean: sum(ll) / sum(weights); no stderr
            double sl = 0, sw = 0;
            const auto& wts = m == "word_perplexity" ? roll_words : roll_bytes;
            for (size_t i = 0; i < roll_ll.size(); i++) sl += roll_ll[i], sw += wts[i];
            v.higher_is_better = false;
            v.stderr_ = std::nan("");
            v.aggregation = m == "bits_per_byte" ? "bits_per_byte" : "weighted_perplexity";
            v.value = m == "bits_per_byte" ? -(sl / sw) / std::log(2.0) : std::exp(-(sl / sw));
        } else {
            throw Error(fmt::format("task {}: unknown metric \"{}\"", c.name, m),
                        "metrics: acc acc_norm acc_bytes perplexity word_perplexity byte_perplexity bits_per_byte "
                        "exact_match f1");
        }
        if (r.docs_scored == 0) v.value = std::nan("");
        r.metrics.push_back(v);
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.cpu_seconds = process_cpu_seconds() - cpu0;
    (void)metric_wanted;
    return r;
}

std::string results_json(const std::vector<TaskResult>& results, const RunInfo& info) {
    std::string res, groups, configs, versions, nshot, hib, nsamples, lmk;
    for (const TaskResult& r : results) {
        const TaskConfig& c = r.task->config;
        const std::string key = json_string(r.key);
        auto sep = [](std::string& s) { s += s.empty() ? "\n    " : ",\n    "; };
        std::string m = fmt::format("{{\"alias\": {}", json_string(c.name));
        std::string h, mlist;
        for (const MetricValue& v : r.metrics) {
            m += fmt::format(", \"{},none\": {}, \"{}_stderr,none\": {}", v.name, json_num_or_na(v.value), v.name,
                             json_num_or_na(v.stderr_));
            h += fmt::format("{}\"{}\": {}", h.empty() ? "" : ", ", v.name, v.higher_is_better ? "true" : "false");
            mlist += fmt::format("{}{{\"metric\": \"{}\", \"aggregation\": \"{}\", \"higher_is_better\": {}}}",
                                 mlist.empty() ? "" : ", ", v.name, v.aggregation, v.higher_is_better ? "true" : "false");
        }
        sep(res), res += key + ": " + m + "}";
        sep(groups), groups += key + ": []";
        JsonObjectWriter cw;
        cw.str("task", c.name)
            .str("dataset_path", c.dataset)
            .str("test_split", c.eval_split)
            .str("fewshot_split", c.fewshot_split)
            .str("output_type", output_type_name(c.output_type))
            .str("doc_to_text", c.doc_to_text)
            .str("doc_to_target", c.doc_to_target)
            .str("doc_to_choice", c.doc_to_choice)
            .str("description", c.description)
            .str("target_delimiter", c.target_delimiter)
            .str("fewshot_delimiter", c.fewshot_delimiter)
            .raw("fewshot_config", fmt::format("{{\"sampler\": \"default\", \"excludes_eval_doc\": {}}}",
                                               c.fewshot_excludes_eval_doc ? "true" : "false"))
            .num("num_fewshot", int64_t(r.shots))
            .raw("metric_list", "[" + mlist + "]");
        if (c.output_type == OutputType::generate_until)
            cw.raw("generation_kwargs", fmt::format("{{\"until\": {}, \"max_gen_toks\": {}, \"do_sample\": false}}",
                                                    json_str_array(c.until), c.max_gen_toks));
        cw.raw("metadata", fmt::format("{{\"version\": {}}}", json_number(c.version)));
        sep(configs), configs += key + ": " + cw.finish();
        sep(versions), versions += key + ": " + json_number(c.version);
        sep(nshot), nshot += key + ": " + json_number(int64_t(r.shots));
        sep(hib), hib += key + ": {" + h + "}";
        sep(nsamples), nsamples += key + fmt::format(": {{\"original\": {}, \"effective\": {}}}",
                                                     r.task->docs.size(), r.docs_scored);
        sep(lmk), lmk += key + fmt::format(": {{\"docs_scored\": {}, \"docs_failed\": {}, \"bad_records\": {}, "
                                           "\"requests\": {}, \"tokens_scored\": {}, \"seconds\": {}, \"cpu_seconds\": {}}}",
                                           r.docs_scored, r.docs_failed, r.task->bad_docs, r.requests,
                                           r.tokens_scored, json_number(std::round(r.seconds * 1000) / 1000),
                                           json_number(std::round(r.cpu_seconds * 1000) / 1000));
    }
    JsonObjectWriter cfg;
    cfg.str("model", "lmkit-gpt")
        .str("model_args", "pretrained=" + info.model)
        .str("batch_size", "per-document")
        .raw("limit", info.limit > 0 ? json_number(info.limit) : "null")
        .num("bootstrap_iters", info.bootstrap_iters)
        .num("fewshot_seed", int64_t(info.fewshot_seed))
        .num("threads", int64_t(info.threads))
        .str("lmkit_version", "0.1.0");
    auto block = [](const std::string& s) { return "{" + s + "\n  }"; };
    return fmt::format("{{\n  \"results\": {},\n  \"group_subtasks\": {},\n  \"configs\": {},\n  \"versions\": {},\n"
                       "  \"n-shot\": {},\n  \"higher_is_better\": {},\n  \"n-samples\": {},\n  \"config\": {},\n"
                       "  \"lmkit\": {}\n}}\n",
                       block(res), block(groups), block(configs), block(versions), block(nshot), block(hib),
                       block(nsamples), cfg.finish(), block(lmk));
}

std::string summary_table(const std::vector<TaskResult>& results) {
    // columns: distinct shot counts in first-seen order; rows: (task, metric)
    std::vector<int> shots;
    std::vector<std::pair<std::string, std::string>> rows;
    std::map<std::tuple<std::string, std::string, int>, const MetricValue*> cell;
    for (const TaskResult& r : results) {
        if (std::find(shots.begin(), shots.end(), r.shots) == shots.end()) shots.push_back(r.shots);
        for (const MetricValue& v : r.metrics) {
            std::pair<std::string, std::string> row{r.task->config.name, v.name};
            if (std::find(rows.begin(), rows.end(), row) == rows.end()) rows.push_back(row);
            cell[{row.first, row.second, r.shots}] = &v;
        }
    }
    auto shot_name = [](int k) { return k == 0 ? std::string("zero-shot") : k == 1 ? std::string("one-shot")
                                                                                    : fmt::format("few-shot (K={})", k); };
    std::string s = fmt::format("{:<16} {:<16}", "task", "metric");
    for (int k : shots) s += fmt::format(" {:>20}", shot_name(k));
    s += "\n";
    for (auto& [task, metric] : rows) {
        s += fmt::format("{:<16} {:<16}", task, metric);
        for (int k : shots) {
            auto it = cell.find({task, metric, k});
            std::string v = "-";
            if (it != cell.end()) {
                const MetricValue& m = *it->second;
                v = std::isnan(m.stderr_) ? fmt::format("{:.4f}", m.value) : fmt::format("{:.4f} ± {:.4f}", m.value, m.stderr_);
            }
            s += fmt::format(" {:>20}", v);
        }
        s += "\n";
    }
    return s;
}

} // namespace lmk
