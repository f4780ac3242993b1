// eval/metrics.cpp: see metrics.h.
#include "lmk/eval/metrics.h"
#include "lmk/eval/pyrandom.h"
#include "lmk/text/unicode.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace lmk {

static const double kNaN = std::numeric_limits<double>::quiet_NaN();

double mean(const std::vector<double>& xs) {
    // Python's sum(arr) / len(arr): left-to-right double additions.
    double s = 0;
    for (double x : xs) s += x;
    return xs.empty() ? kNaN : s / double(xs.size());
}

double sample_stddev(const std::vector<double>& xs) {
    if (xs.size() < 2) return kNaN;
    double mu = mean(xs), s = 0;
    for (double x : xs) s += (x - mu) * (x - mu);
    return std::sqrt(s / double(xs.size() - 1));
}

double mean_stderr(const std::vector<double>& xs) {
    return xs.size() < 2 ? kNaN : sample_stddev(xs) / std::sqrt(double(xs.size()));
}

double perplexity_of(const std::vector<double>& lls) { return std::exp(-mean(lls)); }

double perplexity_bootstrap_stderr(const std::vector<double>& lls, int64_t iters) {
    if (lls.size() < 2 || iters <= 0) return kNaN;
    const int64_t chunk = std::min<int64_t>(1000, iters), chunks = iters / chunk;
    std::vector<double> reps(size_t(chunks * chunk));
    tbb::parallel_for(int64_t(0), chunks, [&](int64_t i) {
        PyRandom rnd{uint64_t(i)};
        std::vector<double> sample(lls.size());
        for (int64_t r = 0; r < chunk; r++) {
            for (double& x : sample) x = lls[size_t(std::floor(rnd.random() * double(lls.size())))];
            reps[size_t(i * chunk + r)] = perplexity_of(sample);
        }
    });
    return sample_stddev(reps);
}

static int argmax_first(const std::vector<double>& v) {
    int best = 0;
    for (size_t i = 1; i < v.size(); i++)
        if (v[i] > v[size_t(best)] || (std::isnan(v[i]) && !std::isnan(v[size_t(best)]))) best = int(i);
    return best;
}

ChoiceMetrics score_choices_metrics(const std::vector<double>& lls, const std::vector<std::string>& choices, int gold) {
    ChoiceMetrics m;
    std::vector<double> norm(lls.size()), bytes(lls.size());
    for (size_t i = 0; i < lls.size(); i++) {
        norm[i] = lls[i] / double(char_count(choices[i]));
        bytes[i] = lls[i] / double(choices[i].size());
    }
    m.pred = argmax_first(lls);
    m.pred_norm = argmax_first(norm);
    m.pred_bytes = argmax_first(bytes);
    m.acc = m.pred == gold;
    m.acc_norm = m.pred_norm == gold;
    m.acc_bytes = m.pred_bytes == gold;
    return m;
}

static bool is_ascii_punct(unsigned char c) {
    return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
}

static std::vector<std::string> words_of(std::string_view s) {
    std::vector<std::string> w;
    std::string cur;
    for (char c : s) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            if (!cur.empty()) w.push_back(std::move(cur));
            cur.clear();
        } else {
            cur.push_back(c);
        }
    }
    if (!cur.empty()) w.push_back(std::move(cur));
    return w;
}

std::string squad_normalize(std::string_view s) {
    std::string t;
    for (char c : s) {
        unsigned char u = static_cast<unsigned char>(c);
        if (is_ascii_punct(u)) continue;
        t.push_back(u >= 'A' && u <= 'Z' ? char(u - 'A' + 'a') : c);
    }
    std::string out;
    for (const std::string& w : words_of(t)) {
        if (w == "a" || w == "an" || w == "the") continue;
        if (!out.empty()) out.push_back(' ');
        out += w;
    }
    return out;
}

double token_f1(std::string_view prediction, std::string_view reference) {
    auto p = words_of(squad_normalize(prediction)), r = words_of(squad_normalize(reference));
    if (p.empty() || r.empty()) return p == r ? 1.0 : 0.0;
    std::map<std::string, int> counts;
    for (auto& w : r) counts[w]++;
    int common = 0;
    for (auto& w : p)
        if (counts[w]-- > 0) common++;
    if (common == 0) return 0.0;
    double precision = double(common) / double(p.size()), recall = double(common) / double(r.size());
    return 2 * precision * recall / (precision + recall);
}

bool exact_match(std::string_view prediction, std::string_view reference, bool ignore_case, bool ignore_punctuation) {
    auto norm = [&](std::string_view s) {
        std::string t;
        for (char c : s) {
            unsigned char u = static_cast<unsigned char>(c);
            if (ignore_punctuation && is_ascii_punct(u)) continue;
            t.push_back(ignore_case && u >= 'A' && u <= 'Z' ? char(u - 'A' + 'a') : c);
        }
        return t;
    };
    return norm(prediction) == norm(reference);
}

} // namespace lmk
