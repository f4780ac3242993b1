// gen-neardups: a near-duplicate benchmark for `dedup minhash`, built from real pages.
//
//   gen-neardups make PAGES.jsonl[.gz] -o corpus.jsonl --truth truth.tsv [--variants 4] [--seed 1]
//   gen-neardups score corpus.jsonl truth.tsv dups.jsonl [--threshold 0.7]
//
// make: writes every page of PAGES (ids kept) and then, for each page with at least 100 words,
// `variants` edited copies with id "<page id>~k". Each copy gets a random edit budget of 0-12%
// of its words, spent on a random mix of the edits near-duplicates show on the web: word
// substitutions (a word from another page), insertions, deletions, and swapped boilerplate
// (a block of lines from another page's head or tail replacing this page's). truth.tsv has,
// per copy: its position, its source's position, and the exact 5-gram Jaccard of the two
// (the same shingles dedup uses), which decides its bucket.
//
// score: reads dedup's --duplicates file and reports, per Jaccard bucket, the share of copies
// that ended in their source's cluster (recall for buckets above the LSH threshold, the
// false-merge rate below it), and the precision of all removals: a removed document is
// correct when its exact Jaccard with the kept document of its cluster is >= --threshold.
#include "lmk/core/cli.h"
#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/core/rng.h"
#include "lmk/io/file.h"
#include "lmk/io/jsonl.h"
#include "lmk/text/minhash.h"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <sstream>

namespace {

std::vector<std::string> split_words(std::string_view t) {
    std::vector<std::string> w;
    size_t i = 0;
    while (i < t.size()) {
        while (i < t.size() && (t[i] == ' ' || t[i] == '\n' || t[i] == '\t')) ++i;
        size_t b = i;
        while (i < t.size() && t[i] != ' ' && t[i] != '\n' && t[i] != '\t') ++i;
        if (i > b) w.emplace_back(t.substr(b, i - b));
    }
    return w;
}

std::vector<std::string> split_lines(std::string_view t) {
    std::vector<std::string> out;
    size_t b = 0;
    while (b <= t.size()) {
        size_t e = t.find('\n', b);
        if (e == std::string_view::npos) e = t.size();
        out.emplace_back(t.substr(b, e - b));
        if (e == t.size()) break;
        b = e + 1;
    }
    return out;
}

struct Page {
    std::string id, text;
};

double jaccard_of(const lmk::MinHasher& mh, const std::string& a, const std::string& b) {
    lmk::MinHasher::Scratch s;
    auto x = mh.shingle_set(a, s), y = mh.shingle_set(b, s);
    return lmk::jaccard_sorted(x.data(), x.size(), y.data(), y.size());
}

std::string edit(const Page& p, const std::vector<Page>& pages, lmk::Rng& rng) {
    std::string text = p.text;
    double budget = rng.uniform() * 0.12;
    // Swapped boilerplate, on a third of the copies: replace the first or last 1-3 lines with
    // another page's first or last lines.
    if (rng.below(3) == 0) {
        auto lines = split_lines(text);
        const Page& other = pages[rng.below(pages.size())];
        auto olines = split_lines(other.text);
        size_t k = 1 + rng.below(3);
        if (lines.size() > 2 * k && olines.size() > k) {
            bool head = rng.below(2) == 0;
            std::vector<std::string> out;
            if (head) {
                out.assign(olines.begin(), olines.begin() + long(k));
                out.insert(out.end(), lines.begin() + long(k), lines.end());
            } else {
                out.assign(lines.begin(), lines.end() - long(k));
                out.insert(out.end(), olines.end() - long(k), olines.end());
            }
            text.clear();
            for (size_t i = 0; i < out.size(); ++i) text += (i ? "\n" : "") + out[i];
        }
    }
    auto words = split_words(text);
    size_t edits = size_t(budget * double(words.size()));
    for (size_t e = 0; e < edits && !words.empty(); ++e) {
        const Page& donor = pages[rng.below(pages.size())];
        auto dw = split_words(donor.text);
        std::string w = dw.empty() ? std::string("lorem") : dw[rng.below(dw.size())];
        size_t at = rng.below(words.size());
        switch (rng.below(3)) {
        case 0: words[at] = w; break;                                  // substitution
        case 1: words.insert(words.begin() + long(at), w); break;      // insertion
        default: words.erase(words.begin() + long(at)); break;         // deletion
        }
    }
    std::string out;
    for (size_t i = 0; i < words.size(); ++i) out += (i ? " " : "") + words[i];
    return out;
}

int make(const std::string& src, const std::string& out_path, const std::string& truth_path, int variants, uint64_t seed) {
    std::vector<Page> pages;
    lmk::JsonlReader in(src);
    while (in.next()) {
        auto t = in.get_string("text");
        const lmk::JsonField* id = in.find("id");
        if (!t) continue;
        pages.push_back({id && id->type == lmk::JsonType::string ? lmk::json_unescape(id->raw) : std::to_string(pages.size()),
                         std::string(*t)});
    }
    lmk::MinHasher mh(lmk::MinHashParams{});
    auto out = lmk::Output::open(out_path);
    lmk::JsonlWriter w(*out);
    for (const Page& p : pages) w.write_object(lmk::JsonObjectWriter().str("id", p.id).str("text", p.text).finish());
    std::string truth = "position\tsource_position\tjaccard\n";
    uint64_t pos = pages.size();
    for (size_t i = 0; i < pages.size(); ++i) {
        if (split_words(pages[i].text).size() < 100) continue;
        lmk::Rng rng(lmk::derive_seed(seed, i));
        for (int k = 0; k < variants; ++k) {
            std::string text = edit(pages[i], pages, rng);
            double j = jaccard_of(mh, pages[i].text, text);
            w.write_object(lmk::JsonObjectWriter().str("id", fmt::format("{}~{}", pages[i].id, k)).str("text", text).finish());
            truth += fmt::format("{}\t{}\t{:.4f}\n", pos++, i, j);
        }
    }
    out->commit();
    lmk::write_file(truth_path, truth);
    lmk::log_info("{} pages, {} edited copies", pages.size(), pos - pages.size());
    return 0;
}

int score(const std::string& corpus, const std::string& truth_path, const std::string& dups_path, double threshold) {
    std::vector<std::string> ids, texts;
    std::map<std::string, size_t> pos_of;
    {
        lmk::JsonlReader in(corpus);
        while (in.next()) {
            const lmk::JsonField* id = in.find("id");
            ids.emplace_back(id->raw);
            pos_of[ids.back()] = ids.size() - 1;
            texts.emplace_back(in.get_string("text").value_or(""));
        }
    }
    std::vector<uint64_t> cluster(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) cluster[i] = i;
    std::vector<std::pair<size_t, size_t>> removed; // (doc, root)
    {
        lmk::JsonlReader in(dups_path);
        while (in.next()) {
            size_t d = pos_of.at(std::string(in.find("id")->raw));
            uint64_t c = uint64_t(*in.get_number("cluster"));
            cluster[d] = c;
            removed.emplace_back(d, size_t(c));
        }
    }
    lmk::MinHasher mh(lmk::MinHashParams{});
    size_t correct = 0;
    for (auto [d, r] : removed) correct += jaccard_of(mh, texts[d], texts[r]) >= threshold;
    const double edges[] = {0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0001};
    size_t nb = std::size(edges) - 1;
    std::vector<size_t> total(nb), found(nb);
    std::istringstream tr(lmk::read_file(truth_path));
    std::string line;
    std::getline(tr, line);
    size_t above_total = 0, above_found = 0;
    while (std::getline(tr, line)) {
        size_t p, s;
        double j;
        if (std::sscanf(line.c_str(), "%zu\t%zu\t%lf", &p, &s, &j) != 3) continue;
        size_t b = 0;
        while (b + 1 < nb && j >= edges[b + 1]) ++b;
        bool hit = cluster[p] == cluster[s];
        ++total[b];
        found[b] += hit;
        if (j >= 0.85) ++above_total, above_found += hit;
    }
    std::printf("jaccard bucket   copies  in source's cluster\n");
    for (size_t b = 0; b < nb; ++b)
        if (total[b])
            std::printf("[%.2f, %.2f)  %7zu  %7zu  (%.3f)\n", edges[b], std::min(edges[b + 1], 1.0), total[b], found[b],
                        double(found[b]) / double(total[b]));
    std::printf("recall at J >= 0.85: %.4f (%zu of %zu)\n", above_total ? double(above_found) / double(above_total) : 0.0,
                above_found, above_total);
    std::printf("precision (removed docs with J >= %.2f to their kept doc): %.4f (%zu of %zu)\n", threshold,
                removed.empty() ? 1.0 : double(correct) / double(removed.size()), correct, removed.size());
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    std::string cmd, a, b, c, out = "-", truth = "truth.tsv";
    int variants = 4;
    double threshold = 0.7;
    return lmk::tool_main(
        argc, argv,
        {"gen-neardups", "Usage: gen-neardups make PAGES -o CORPUS --truth TSV | score CORPUS TSV DUPS\n\n"
                         "Makes and scores a near-duplicate benchmark from real pages (see the source header).",
         ""},
        [&](CLI::App& app, lmk::CommonFlags&) {
            app.add_option("CMD", cmd, "make or score")->required()->check(CLI::IsMember({"make", "score"}));
            app.add_option("A", a)->required();
            app.add_option("B", b);
            app.add_option("C", c);
            app.add_option("-o,--output", out, "corpus to write (make)");
            app.add_option("--truth", truth, "truth table to write (make)");
            app.add_option("--variants", variants, "edited copies per page");
            app.add_option("--threshold", threshold, "Jaccard a removal needs to count as correct (score)");
        },
        [&](const lmk::CommonFlags& common) {
            if (cmd == "make") return make(a, out, truth, variants, common.seed);
            LMK_CHECK(!b.empty() && !c.empty(), "score needs CORPUS TRUTH DUPS");
            return score(a, b, c, threshold);
        });
}
