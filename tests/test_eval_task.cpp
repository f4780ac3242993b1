// Tests for eval/task.h: lm-eval's text transforms, user task files (templates, fixed and
// per-document choices, located errors for bad files and bad lines), and the built-in
// loaders on the original files when ../shared is present.
#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/eval/task.h"
#include "lmk/io/file.h"

#include <doctest/doctest.h>

#include <filesystem>

using namespace lmk;
namespace fs = std::filesystem;

static std::string temp_dir(const char* name) {
    std::string d = (fs::temp_directory_path() / fmt::format("lmk_eval_{}_{}", name, ::getpid())).string();
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

TEST_CASE("hellaswag preprocess and Python's capitalize") {
    // python3: preprocess('  How to x [title] Do it [step] now  ok.  ') == 'How to x. Do it now ok.'
    CHECK(hellaswag_preprocess("  How to x [title] Do it [step] now  ok.  ") == "How to x. Do it now ok.");
    CHECK(python_capitalize("hello WORLD foo") == "Hello world foo");
}

TEST_CASE("count_words_python = len(re.split(r'\\s+', s))") {
    CHECK(count_words_python(" a  b\tc\n") == 5); // python3 prints 5
    CHECK(count_words_python("abc") == 1);
    CHECK(count_words_python("") == 1);
}

TEST_CASE("wikitext detokenizer (lm-eval's rules in order)") {
    CHECK(wikitext_detokenize(" = = Career = = \n The 1 @,@ 000 @-@ seat hall ( built in 1900 ) . \n") ==
          " == Career ==\nThe 1,000-seat hall (built in 1900).\n"); // python3
    CHECK(wikitext_detokenize("He said \" hello \" to the players ' union") == "He said \"hello\" to the players' union");
}

TEST_CASE("templates: {{field}}, nested fields, numbers; missing fields are located") {
    CHECK(render_template("Q: {{q}} ({{meta.n}})", R"({"q": "why?", "meta": {"n": 3}})", "f:1") == "Q: why? (3)");
    CHECK_THROWS_WITH(render_template("{{nope}}", R"({"q": 1})", "data.jsonl:7"),
                      doctest::Contains("data.jsonl:7: missing field \"nope\""));
}

TEST_CASE("user task file: multiple choice with a bad line counted and located") {
    std::string d = temp_dir("mc");
    write_file(d + "/data.jsonl", "{\"text\": \"great film\", \"label\": 1}\n"
                                  "{\"text\": \"dull\", \"label\": 0}\n"
                                  "{not json}\n"
                                  "{\"text\": \"no label\"}\n"
                                  "{\"text\": \"bad label\", \"label\": 5}\n"
                                  "{\"text\": \"ok\", \"label\": \"positive\"}\n");
    write_file(d + "/task.json", R"({"task": "demo_sentiment", "data": "data.jsonl",
        "doc_to_text": "Review: {{text}}\nSentiment:", "doc_to_choice": ["negative", "positive"],
        "doc_to_target": "{{label}}", "description": "Classify.\n\n"})");
    std::string log;
    set_log_sink(&log);
    LoadOptions lo;
    Task t = load_task(d + "/task.json", lo);
    set_log_sink(nullptr);
    CHECK(t.config.name == "demo_sentiment");
    CHECK(t.config.output_type == OutputType::multiple_choice);
    CHECK(t.config.description == "Classify.\n\n");
    REQUIRE(t.docs.size() == 3);
    CHECK(t.bad_docs == 3);
    CHECK(t.docs[0].text == "Review: great film\nSentiment:");
    CHECK(t.docs[0].gold == 1);
    CHECK(t.docs[2].gold == 1); // "positive" is a choice's text
    CHECK(t.docs[0].where == d + "/data.jsonl:1");
    CHECK(t.fewshot.size() == 3);
    CHECK(t.config.fewshot_excludes_eval_doc);
    CHECK(log.find(d + "/data.jsonl:3:") != std::string::npos);
    CHECK(log.find(d + "/data.jsonl:4: missing field \"label\"") != std::string::npos);
    CHECK(log.find(d + "/data.jsonl:5: target index 5 outside the 2 choices") != std::string::npos);
    lo.strict = true;
    CHECK_THROWS_WITH(load_task(d + "/task.json", lo), doctest::Contains("data.jsonl:3"));
    fs::remove_all(d);
}

TEST_CASE("user task file: per-document choices, generate_until and rolling") {
    std::string d = temp_dir("kinds");
    write_file(d + "/mc.jsonl", R"({"q": "2+2", "opts": ["3", "4"], "a": 1})" "\n");
    write_file(d + "/gen.jsonl", R"({"q": "Capital of France?", "answers": ["Paris", "paris"]})" "\n");
    write_file(d + "/roll.jsonl", R"({"text": "one two  three"})" "\n");
    write_file(d + "/mc.json", R"({"task": "m", "data": "mc.jsonl", "doc_to_text": "{{q}} =",
        "doc_to_choice": "{{opts}}", "doc_to_target": "a"})");
    write_file(d + "/gen.json", R"({"task": "g", "output_type": "generate_until", "data": "gen.jsonl",
        "doc_to_text": "Q: {{q}}\nA:", "doc_to_target": "{{answers}}",
        "generation_kwargs": {"until": ["\n"], "max_gen_toks": 8}})");
    write_file(d + "/roll.json", R"({"task": "r", "output_type": "loglikelihood_rolling", "data": "roll.jsonl",
        "doc_to_target": "{{text}}"})");
    Task m = load_task(d + "/mc.json", {});
    REQUIRE(m.docs.size() == 1);
    CHECK(m.docs[0].choices == std::vector<std::string>{"3", "4"});
    CHECK(m.docs[0].gold == 1);
    Task g = load_task(d + "/gen.json", {});
    CHECK(g.docs[0].references == std::vector<std::string>{"Paris", "paris"});
    CHECK(g.config.until == std::vector<std::string>{"\n"});
    CHECK(g.config.max_gen_toks == 8);
    CHECK(g.config.metrics == std::vector<std::string>{"exact_match", "f1"});
    Task r = load_task(d + "/roll.json", {});
    CHECK(r.docs[0].target == "one two  three");
    CHECK(r.docs[0].words == 3);
    CHECK(r.docs[0].bytes == 14);
    fs::remove_all(d);
}

TEST_CASE("bad task files: missing or ill-typed keys name the file and the key") {
    std::string d = temp_dir("bad");
    write_file(d + "/d.jsonl", "{\"x\": 1}\n");
    auto err = [&](const std::string& json) {
        write_file(d + "/t.json", json);
        try {
            load_task(d + "/t.json", {});
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(err(R"({"data": "d.jsonl"})") == d + "/t.json: missing \"task\"");
    CHECK(err(R"({"task": "t", "doc_to_text": "x", "doc_to_target": "x"})") == d + "/t.json: missing \"data\"");
    CHECK(err(R"({"task": "t", "data": "d.jsonl", "doc_to_target": "x", "doc_to_choice": ["a"]})") ==
          d + "/t.json: missing \"doc_to_text\"");
    CHECK(err(R"({"task": "t", "data": "d.jsonl", "doc_to_text": "x", "doc_to_target": "x"})").find(
              "missing \"doc_to_choice\"") != std::string::npos);
    CHECK(err(R"({"task": "t", "data": "d.jsonl", "output_type": "ranking", "doc_to_text": "x", "doc_to_target": "x"})")
              .find("\"output_type\": \"ranking\" is not") != std::string::npos);
    CHECK(err(R"({"task": 3})") == d + "/t.json: \"task\": expected a string");
    CHECK(err("{\"task\": ").find(d + "/t.json: ") == 0);
    fs::remove_all(d);
}

static const std::string kShared = LMK_SOURCE_DIR "/../shared/data/eval";

TEST_CASE("built-in tasks load the original files (skipped without ../shared)") {
    if (!fs::exists(kShared)) {
        MESSAGE("../shared/data/eval absent: built-in task loaders not tested");
        return;
    }
    LoadOptions lo;
    lo.data_dir = kShared;
    Task hs = load_task("hellaswag", lo);
    CHECK(hs.docs.size() == 10042);
    CHECK(hs.bad_docs == 0);
    // lm-eval: "Roof shingle removal: A man is sitting on a roof. He" (ctx_b capitalised)
    CHECK(hs.docs[0].text == "Roof shingle removal: A man is sitting on a roof. He");
    CHECK(hs.docs[0].choices[3] == "starts pulling up roofing on a roof.");
    CHECK(hs.docs[0].gold == 3);
    Task lb = load_task("lambada", lo);
    CHECK(lb.docs.size() == 5153);
    CHECK(lb.docs[0].target == " signs");
    CHECK(lb.config.name == "lambada_openai");
    Task pq = load_task("piqa", lo);
    CHECK(pq.docs.size() == 1838);
    CHECK(pq.docs[0].text == "Question: How do I ready a guinea pig cage for it's new occupants?\nAnswer:");
    CHECK(pq.docs[0].gold == 0);
    Task arc = load_task("arc_easy", lo);
    CHECK(arc.docs.size() == 2376);
    CHECK(arc.fewshot.size() == 2251);
    CHECK_FALSE(arc.config.fewshot_excludes_eval_doc);
    Task sst = load_task("sst2", lo);
    CHECK(sst.docs.size() == 872);
    CHECK(sst.docs[0].text == "it 's a charming and often affecting journey . \nQuestion: Is this sentence positive or negative?\nAnswer:");
    CHECK(sst.docs[0].gold == 1);
    Task wt = load_task("wikitext", lo);
    CHECK(wt.docs.size() == 62); // lm-eval's wikitext (document level) test split: 62 pages
    CHECK(wt.docs[0].target.starts_with(" = Robert <unk> =\n\nRobert <unk> is an English film, television"));
    CHECK_THROWS_WITH(load_task("nosuch", lo), doctest::Contains("unknown task \"nosuch\""));
}
