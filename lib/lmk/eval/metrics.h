// eval/metrics.h: per-document scores and their aggregation, as lm-evaluation-harness
// computes them (lm_eval/api/metrics.py).
//
//   multiple choice: pred = argmax(ll), acc = pred == gold; acc_norm uses ll / len(choice)
//     in characters (code points), acc_bytes ll / UTF-8 bytes; ties go to the first index.
//   loglikelihood:   acc = is_greedy; perplexity = exp(-mean(ll)).
//   rolling:         word_perplexity = exp(-sum(ll) / sum(words)), byte_perplexity likewise
//                    over bytes, bits_per_byte = -sum(ll) / sum(bytes) / ln 2.
//   generate_until:  exact_match (optionally ignoring case / punctuation) and SQuAD-style
//                    token F1 (lower-case, no punctuation or articles, max over references).
// Standard errors: a mean metric gets sample_stddev / sqrt(n) (Bessel-corrected); perplexity
// gets lm-eval's bootstrap: chunks of min(1000, iters) resamples, chunk i drawn with
// random.Random(i).choices(xs, k=n), the stderr the sample stddev of the replicates — the
// same Python generator, so the same number. weighted_perplexity and bits_per_byte have no
// stderr in lm-eval ("N/A", NaN here). n < 2 gives NaN.
//
//   double se = lmk::mean_stderr(accs);
//   double pse = lmk::perplexity_bootstrap_stderr(lls, 100000);
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lmk {

double mean(const std::vector<double>& xs);
double sample_stddev(const std::vector<double>& xs);
double mean_stderr(const std::vector<double>& xs);
double perplexity_of(const std::vector<double>& lls); // exp(-mean)
// lm-eval's bootstrap_stderr(perplexity, xs, iters) (parallel over chunks, deterministic).
double perplexity_bootstrap_stderr(const std::vector<double>& lls, int64_t iters);

struct ChoiceMetrics {
    int pred = 0, pred_norm = 0, pred_bytes = 0;
    double acc = 0, acc_norm = 0, acc_bytes = 0;
};
ChoiceMetrics score_choices_metrics(const std::vector<double>& lls, const std::vector<std::string>& choices, int gold);

// SQuAD normalisation: lower-case, punctuation and articles (a, an, the) removed, spaces collapsed.
std::string squad_normalize(std::string_view s);
double token_f1(std::string_view prediction, std::string_view reference);
bool exact_match(std::string_view prediction, std::string_view reference, bool ignore_case, bool ignore_punctuation);

} // namespace lmk
