// eval/prompt.h: few-shot prompts exactly as lm-evaluation-harness builds them.
//
// A prompt for document d with k examples e1..ek is
//   description + e1.text + tgt + answer(e1) + fs + ... + ek.text + tgt + answer(ek) + fs + d.text
// with tgt = target_delimiter (" "), fs = fewshot_delimiter ("\n\n"), the description as is,
// and answer(e) = e.choices[e.gold] (multiple choice) or e.target. The request for a choice c
// is (prompt, tgt + c). Examples come from FewshotSampler: ONE Python random.Random(seed)
// per task and shot count, consumed document after document in evaluation order, drawing
// sample(pool, k) — or sample(pool, k + 1) minus the evaluated document (compared by
// content, first k kept) when the task's fewshot_excludes_eval_doc is set — as lm-eval's
// ContextSampler does. So the prompts of document i depend on the draws for documents
// before it, and a --limit run builds the same first prompts as a full run.
//
//   lmk::FewshotSampler s(task, 5, 1234);
//   for (const lmk::Doc& d : task.docs) {
//       std::string ctx = lmk::fewshot_context(task.config, d, s.next(d));
//   }
#pragma once
#include "lmk/eval/pyrandom.h"
#include "lmk/eval/task.h"

#include <string>
#include <vector>

namespace lmk {

class FewshotSampler {
public:
    FewshotSampler(const Task& task, int k, uint64_t seed);
    // The k examples for `doc` (the next document in evaluation order).
    std::vector<const Doc*> next(const Doc& doc);

private:
    const Task& task_;
    int k_;
    PyRandom rnd_;
};

// answer(e) above.
const std::string& example_answer(const TaskConfig& c, const Doc& e);
std::string fewshot_context(const TaskConfig& c, const Doc& doc, const std::vector<const Doc*>& examples);

// lm-eval's continuation rule: trailing whitespace (Python's) of the context moves to the
// front of the continuation. Returns the (context, continuation) strings to encode.
std::pair<std::string, std::string> split_trailing_space(std::string_view context, std::string_view continuation);

} // namespace lmk
