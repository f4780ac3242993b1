// Tests for text/dedup_common.h: every mode on tiny corpora with exact expected outputs, the
// staged MinHash run against the one-process run, and independence from the thread count.
#include "lmk/text/dedup_common.h"

#include "lmk/core/error.h"
#include "lmk/core/threads.h"
#include "lmk/io/file.h"

#include <cstdlib>
#include <doctest/doctest.h>
#include <filesystem>
#include <string>

using namespace lmk;

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        std::string t = "/tmp/lmk-test-dedup-XXXXXX";
        REQUIRE(mkdtemp(t.data()) != nullptr);
        path = t;
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    std::string file(const std::string& name, const std::string& content) const {
        write_file(path + "/" + name, content);
        return path + "/" + name;
    }
    std::string operator/(const std::string& name) const { return path + "/" + name; }
};

// count distinct letter-only words (digits would all simplify to "0").
std::string words(int from, int count) {
    std::string s;
    for (int i = from; i < from + count; ++i) {
        if (i > from) s += ' ';
        for (int v = i * 7919 % 10007 + 26 * 26; v > 0; v /= 26) s += char('a' + v % 26);
    }
    return s;
}
DedupOutputs outs(const std::string& output, const std::string& duplicates = "") {
    DedupOutputs o;
    o.output = output;
    o.duplicates = duplicates;
    return o;
}
DedupCorpus corpus_of(std::vector<std::string> files) {
    DedupCorpus c;
    c.files = std::move(files);
    return c;
}
LinesDedupOptions spans_of(int n) {
    LinesDedupOptions o;
    o.spans = n;
    return o;
}

std::string doc(const std::string& id, const std::string& text) {
    return "{\"id\":\"" + id + "\",\"text\":\"" + text + "\"}\n";
}

} // namespace

TEST_CASE("dedup exact: first kept, dup_of and cluster, bad lines counted") {
    TempDir d;
    std::string in = d.file("in.jsonl", doc("a", "Hello world. This is one.") + doc("b", "hello,  WORLD! this is one") +
                                            doc("c", "Other.") + "not json\n" + doc("d", "Other.") + "{\"id\":\"e\"}\n");
    DedupStats st = run_exact_dedup(corpus_of({in}), outs(d / "out", d / "dups"), SimplifyOptions{});
    CHECK(read_file(d / "out") == doc("a", "Hello world. This is one.") + doc("c", "Other.") + "{\"id\":\"e\"}\n");
    CHECK(read_file(d / "dups") ==
          "{\"id\":\"b\",\"text\":\"hello,  WORLD! this is one\",\"dup_of\":\"a\",\"cluster\":0}\n"
          "{\"id\":\"d\",\"text\":\"Other.\",\"dup_of\":\"c\",\"cluster\":2}\n");
    CHECK(st.documents == 5);
    CHECK(st.removed == 2);
    CHECK(st.clusters == 2);
    CHECK(st.malformed == 1);
    CHECK(st.no_text == 1);
    // Without normalization only byte-identical texts match.
    run_exact_dedup(corpus_of({in}), outs(d / "out2"), parse_simplify_steps("none"));
    CHECK(read_file(d / "out2") == doc("a", "Hello world. This is one.") + doc("b", "hello,  WORLD! this is one") +
                                       doc("c", "Other.") + "{\"id\":\"e\"}\n");
}

TEST_CASE("dedup lines: C4 line dedup and the three-sentence-span variant") {
    TempDir d;
    std::string in = d.file(
        "in.jsonl",
        doc("a", "Menu\\nHome page here.\\nThe cat sat on the mat. It was happy. Then it slept. The end came soon.") +
            doc("b", "MENU\\nAnother story starts. The cat sat on the mat. It was happy. Then it slept.\\nNothing else.") +
            doc("c", "  home page here. \\nUnique one. Unique two. Unique three.") + doc("d", "Menu\\nShort."));
    run_lines_dedup(corpus_of({in}), outs(d / "out", d / "dups"), {});
    CHECK(read_file(d / "out") ==
          doc("a", "Menu\\nHome page here.\\nThe cat sat on the mat. It was happy. Then it slept. The end came soon.") +
              doc("b", "Another story starts. The cat sat on the mat. It was happy. Then it slept.\\nNothing else.") +
              doc("c", "Unique one. Unique two. Unique three."));
    CHECK(read_file(d / "dups") ==
          "{\"id\":\"b\",\"span\":[0,4],\"text\":\"MENU\",\"dup_of\":\"a\",\"cluster\":0}\n"
          "{\"id\":\"c\",\"span\":[0,18],\"text\":\"  home page here. \",\"dup_of\":\"a\",\"cluster\":0}\n"
          "{\"id\":\"d\",\"span\":[0,4],\"text\":\"Menu\",\"dup_of\":\"a\",\"cluster\":0}\n"
          "{\"id\":\"d\",\"text\":\"Menu\\nShort.\",\"dup_of\":\"a\",\"cluster\":0,"
          "\"dedup_reason\":\"1 sentences left after removing duplicates\"}\n");
    DedupStats st = run_lines_dedup(corpus_of({in}), outs(d / "out3", d / "dups3"), spans_of(3));
    CHECK(read_file(d / "out3") ==
          doc("a", "Menu\\nHome page here.\\nThe cat sat on the mat. It was happy. Then it slept. The end came soon.") +
              doc("b", "MENU\\nAnother story starts. Nothing else.") +
              doc("c", "  home page here. \\nUnique one. Unique two. Unique three.") + doc("d", "Menu\\nShort."));
    CHECK(read_file(d / "dups3") == "{\"id\":\"b\",\"span\":[27,79],\"text\":\"The cat sat on the mat. It was happy. "
                                    "Then it slept.\",\"dup_of\":\"a\",\"cluster\":0}\n");
    CHECK(st.modified == 1);
}

TEST_CASE("dedup: sentence splitting") {
    auto s = split_sentences("Hi there. \"Quoted!\" Next?No split. 3.14 stays\nline two 。中文。 end");
    std::vector<std::string> got;
    std::string t = "Hi there. \"Quoted!\" Next?No split. 3.14 stays\nline two 。中文。 end";
    for (auto [b, e] : s) got.push_back(t.substr(b, e - b));
    CHECK(got == std::vector<std::string>{"Hi there.", "\"Quoted!\"", "Next?No split.", "3.14 stays", "line two 。",
                                          "中文。", "end"});
}

TEST_CASE("dedup minhash: near duplicates, verification, staged = one process, any -j") {
    TempDir d;
    std::string base = words(0, 60);
    std::string near = words(0, 30) + " changed " + words(31, 29); // 5-gram Jaccard 51/61
    std::string far = words(1000, 60);
    std::string a = d.file("a.jsonl", doc("x1", base) + doc("x2", far) + doc("x3", near));
    std::string b = d.file("b.jsonl", doc("y1", "!!!") + doc("y2", base) + "{\"id\":\"y3\",\"n\":1}\n");
    std::string c = d.file("c.jsonl", doc("z1", far) + doc("z2", words(0, 30) + " " + words(5000, 30)));
    DedupCorpus corpus = corpus_of({a, b, c});
    MinHashDedupOptions o;
    DedupStats st = run_minhash_dedup(corpus, outs(d / "one", d / "one.dups"), o);
    CHECK(read_file(d / "one") == doc("x1", base) + doc("x2", far) + doc("y1", "!!!") + "{\"id\":\"y3\",\"n\":1}\n" +
                                      doc("z2", words(0, 30) + " " + words(5000, 30)));
    CHECK(read_file(d / "one.dups") == "{\"id\":\"x3\",\"text\":\"" + near + "\",\"dup_of\":\"x1\",\"cluster\":0}\n" +
                                           "{\"id\":\"y2\",\"text\":\"" + base + "\",\"dup_of\":\"x1\",\"cluster\":0}\n" +
                                           "{\"id\":\"z1\",\"text\":\"" + far + "\",\"dup_of\":\"x2\",\"cluster\":1}\n");
    CHECK(st.clusters == 2);
    CHECK(st.no_signature == 2); // "!!!" and the record without text
    CHECK(st.no_text == 1);

    // Verification at 0.9 rejects the 0.84 pair but keeps the exact copies.
    o.verify_jaccard = 0.9;
    run_minhash_dedup(corpus, outs(d / "v", d / "v.dups"), o);
    CHECK(read_file(d / "v.dups") == "{\"id\":\"y2\",\"text\":\"" + base + "\",\"dup_of\":\"x1\",\"cluster\":0}\n" +
                                         "{\"id\":\"z1\",\"text\":\"" + far + "\",\"dup_of\":\"x2\",\"cluster\":1}\n");

    // Staged over 2 sign ranks, 3 bucket ranks, 2 filter ranks: the same bytes.
    o.work_dir = d / "work";
    for (int r = 0; r < 2; ++r) run_minhash_stage("sign", r, 2, corpus, {}, o);
    for (int r = 0; r < 3; ++r) run_minhash_stage("bucket", r, 3, corpus, {}, o);
    run_minhash_stage("cluster", 0, 1, corpus, {}, o);
    for (int r = 0; r < 2; ++r)
        run_minhash_stage("filter", r, 2, corpus, outs(d / "part-{rank}", d / "dups-{rank}"), o);
    CHECK(read_file(d / "part-00000") + read_file(d / "part-00001") == read_file(d / "v"));
    CHECK(read_file(d / "dups-00000") + read_file(d / "dups-00001") == read_file(d / "v.dups"));
    // Rerunning a finished stage is a no-op; a changed parameter is refused.
    run_minhash_stage("cluster", 0, 1, corpus, {}, o);
    MinHashDedupOptions other = o;
    other.params.ngram = 4;
    CHECK_THROWS_AS(run_minhash_stage("bucket", 0, 1, corpus, {}, other), Error);

    // Thread count does not matter.
    o.work_dir.clear();
    set_threads(1);
    run_minhash_dedup(corpus, outs(d / "j1"), o);
    set_threads(2);
    run_minhash_dedup(corpus, outs(d / "j2"), o);
    set_threads(0);
    CHECK(read_file(d / "j1") == read_file(d / "v"));
    CHECK(read_file(d / "j2") == read_file(d / "v"));
}

TEST_CASE("dedup substr: repeats of min_bytes cut from later occurrences") {
    TempDir d;
    std::string rep = "This boilerplate sentence is repeated verbatim across pages and is long enough to be cut.";
    std::string x = "First page starts here. " + rep + " First page ends.";
    std::string y = "Second page has its own start. " + rep + " Second page ends here too.";
    std::string in = d.file("in.jsonl", doc("p", x) + doc("q", y) + doc("r", rep));
    DedupStats st = run_substr_dedup(corpus_of({in}), outs(d / "out", d / "dups"),
                                     {.min_bytes = 50, .min_doc_bytes = 20});
    // The longest earlier repeat in q is ". " + rep + " ": the bytes around rep match p's too.
    CHECK(read_file(d / "out") == doc("p", x) + doc("q", "Second page has its own startSecond page ends here too."));
    CHECK(st.dropped_short == 1);
    CHECK(st.modified == 1);
    std::string dups = read_file(d / "dups");
    CHECK(dups.find("{\"id\":\"q\",\"span\":[29," + std::to_string(29 + 3 + rep.size()) + "],\"text\":\". " + rep + " \",\"dup_of\":\"p\",\"cluster\":0}\n") == 0);
    // r's copy points at an earlier occurrence: q's (the suffix-array neighbour), not always the first.
    CHECK(dups.find("{\"id\":\"r\",\"text\":\"" + rep + "\",\"dup_of\":\"q\",\"cluster\":1,\"dedup_reason\"") != std::string::npos);
    // Below min_bytes nothing is cut.
    run_substr_dedup(corpus_of({in}), outs(d / "out2"), {.min_bytes = 200, .min_doc_bytes = 20});
    CHECK(read_file(d / "out2") == read_file(in));
}
