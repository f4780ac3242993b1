// eval/prompt.cpp: see prompt.h.
#include "lmk/eval/prompt.h"
#include "lmk/core/error.h"
#include "lmk/text/unicode.h"

#include <fmt/core.h>

namespace lmk {

FewshotSampler::FewshotSampler(const Task& task, int k, uint64_t seed) : task_(task), k_(k), rnd_(seed) {
    LMK_CHECK_USAGE(k >= 0, "--shots: {} is negative", k);
    if (k == 0) return;
    const size_t need = size_t(k) + (task.config.fewshot_excludes_eval_doc ? 1 : 0);
    if (task.fewshot.size() < need)
        throw Error(fmt::format("task {}: {} shots need {} few-shot documents, the pool has {}", task.config.name, k,
                                need, task.fewshot.size()));
}

std::vector<const Doc*> FewshotSampler::next(const Doc& doc) {
    std::vector<const Doc*> out;
    if (k_ == 0) return out;
    const auto& pool = task_.fewshot;
    if (!task_.config.fewshot_excludes_eval_doc) {
        for (size_t i : rnd_.sample(pool.size(), size_t(k_))) out.push_back(&pool[i]);
        return out;
    }
    for (size_t i : rnd_.sample(pool.size(), size_t(k_) + 1)) {
        if (pool[i].identity == doc.identity) continue;
        if (out.size() < size_t(k_)) out.push_back(&pool[i]);
    }
    return out;
}

const std::string& example_answer(const TaskConfig& c, const Doc& e) {
    if (c.output_type == OutputType::multiple_choice) return e.choices.at(size_t(e.gold));
    return e.target;
}

std::string fewshot_context(const TaskConfig& c, const Doc& doc, const std::vector<const Doc*>& examples) {
    std::string s = c.description;
    for (const Doc* e : examples) {
        const std::string& a = example_answer(c, *e);
        s += e->text;
        // lm-eval's build_qa_turn: no answer (empty) means no delimiters either.
        if (a.empty()) continue;
        s += c.target_delimiter;
        s += a;
        s += c.fewshot_delimiter;
    }
    s += doc.text;
    return s;
}

std::pair<std::string, std::string> split_trailing_space(std::string_view context, std::string_view continuation) {
    size_t keep = py_rstrip(context).size();
    std::string cont(context.substr(keep));
    cont += continuation;
    return {std::string(context.substr(0, keep)), cont};
}

} // namespace lmk
