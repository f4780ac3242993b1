// gen-demo-data OUTDIR [--mb N]: writes make demo's embedded dataset (deterministic per seed).
//
//   web.warc.wet.gz     synthetic Common Crawl WET: a warcinfo record, then one conversion record
//                       per page (one gzip member each, Common Crawl's headers). Page mix:
//                       ~58% good English pages (templated stories, question/answer pages,
//                       factual paragraphs) wrapped in realistic boilerplate (menus, cookie
//                       notices, terms, copyright, javascript lines), ~10% lorem ipsum, ~10% exact
//                       duplicates and ~10% near-duplicates (1-2 words changed, other boilerplate)
//                       of earlier good pages, ~10% German/French/Spanish/Chinese, ~2% junk (link
//                       lists, keyword spam, code with '{', near-empty pages). --mb sets the
//                       uncompressed text size.
//   web_pages.jsonl     the answer key: {"id" (WARC-Record-ID without <>), "url", "kind"} per page, kind one of
//                       story, qa, facts, lorem, exact-duplicate, near-duplicate, non-english, junk.
//   sft.jsonl           ~500 {"prompt","response"} instruction examples in the same language.
//   preferences.jsonl   ~300 {"prompt","chosen","rejected"}: chosen is correct and polite, rejected
//                       is wrong, rude, off-topic or unhelpful.
//   prompts.jsonl       200 {"prompt"} for PPO rollouts (questions and story requests).
//   eval_task.jsonl     100 multiple-choice items {"id","question","choices","gold"} about the facts
//                       the good pages teach; eval_task.json describes the task in eval-fewshot's
//                       task-file format (lm-evaluation-harness keys; see the file's "notes").
// The world (facts, templates, vocabulary) is in demo_world.h.
#include "demo_world.h"

#include "lmk/core/cli.h"
#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/io/file.h"
#include "lmk/io/jsonl.h"
#include "lmk/io/warc.h"

#include <filesystem>
#include <map>
#include <set>

namespace {

using demo::pick;

struct Options {
    std::string outdir;
    double mb = 4.0;
    int sft = 500, preferences = 300, prompts = 200, eval_items = 100;
};

// ---- web pages --------------------------------------------------------------------------

struct Site {
    const char* domain;
    const char* name;
    const char* section;
};
const Site kSites[] = {
    {"tinytales.example.com", "Tiny Tales", "stories"},     {"kidsfacts.example.org", "Kids Facts", "facts"},
    {"storytime.example.net", "Story Time", "stories"},     {"learnwithme.example.com", "Learn With Me", "learn"},
    {"animalworld.example.org", "Animal World", "animals"}, {"askkids.example.com", "Ask Kids", "questions"},
    {"bedtime.example.net", "Bedtime Stories", "stories"},  {"happyclass.example.org", "Happy Class", "lessons"},
};

std::string header_boilerplate(lmk::Rng& rng, const Site& s, const std::string& title) {
    const std::string lines[] = {
        s.name,
        "Home | About | Contact",
        "Home\nStories\nGames\nContact us",
        "Skip to main content",
        "Menu",
        fmt::format("Home > {} > {}", demo::capitalize(s.section), title),
        "Search this site",
        "Login or register",
        fmt::format("{} - {}", s.name, demo::capitalize(s.section)),
    };
    std::string out;
    int n = 1 + int(rng.below(2));
    std::set<size_t> used;
    while (int(used.size()) < n) used.insert(rng.below(std::size(lines)));
    for (size_t i : used) out += lines[i] + "\n";
    return out;
}

std::string footer_boilerplate(lmk::Rng& rng, const Site& s) {
    int year = 2015 + int(rng.below(10));
    const std::string lines[] = {
        "This website uses cookies to improve your experience. By using this site you accept our use of cookies.",
        "We use cookies to give you the best experience on our website.",
        "Terms of use | Privacy policy | Cookie policy",
        fmt::format("Copyright \xC2\xA9 {} {}. All rights reserved.", year, s.name),
        fmt::format("\xC2\xA9 {} {}", year, s.name),
        "Please enable JavaScript to view the comments.",
        "You need javascript enabled to play this game.",
        "Share this story with your friends on Facebook or Twitter",
        fmt::format("Posted on March {}, {} by admin", 1 + rng.below(28), year),
        "Leave a comment",
        "Previous post\nNext post",
        "Subscribe to our newsletter",
        "Read our terms of use before you post a comment.",
    };
    std::string out;
    int n = 1 + int(rng.below(3));
    std::set<size_t> used;
    while (int(used.size()) < n) used.insert(rng.below(std::size(lines)));
    for (size_t i : used) out += "\n" + lines[i];
    return out;
}

struct Page {
    std::string uri, lang, content, text; // content: the main text without boilerplate
};

std::string slug(std::string s) {
    for (char& c : s) c = (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : (c == ' ' ? '-' : c);
    return s;
}

// Wraps main content in a site's boilerplate.
Page wrap(lmk::Rng& rng, const Site& site, const std::string& title, const std::string& content, uint64_t n,
          const char* lang = "eng") {
    Page p;
    p.uri = fmt::format("https://{}/{}/{}-{}", site.domain, site.section, slug(title), n);
    p.lang = lang;
    p.content = content;
    p.text = header_boilerplate(rng, site, title) + title + "\n" + content + footer_boilerplate(rng, site);
    return p;
}

Page story_page(lmk::Rng& rng, uint64_t n) {
    demo::StoryWords w = demo::story_words(rng);
    std::string content = demo::story(rng, w);
    if (rng.below(3) == 0) content += "\n" + demo::story(rng); // a second story on the page
    return wrap(rng, pick(rng, kSites), demo::story_title(rng, w), content, n);
}

// Question/answer lines embedded in prose: a page of bare "Question: ... Answer: ..." lines is
// so dense in punctuation that Gopher's alphabetic-word rule (>= 80% of NLTK tokens) rejects it.
Page qa_page(lmk::Rng& rng, uint64_t n) {
    static const char* intros[] = {"Here are some simple questions and answers for young readers who like to learn.",
                                   "Test what you know with these easy questions and answers about the world.",
                                   "Read the short text first, and then think about each answer before you look.",
                                   "These questions and answers help children learn about animals and the world."};
    static const char* outros[] = {"We hope you enjoyed these questions and answers and learned something new.",
                                   "Come back tomorrow for more questions about animals, colors and numbers.",
                                   "Well done, you finished the quiz and you can be proud of yourself!",
                                   "Share these questions with your friends and your family at home."};
    static const char* titles[] = {"Questions and Answers", "Quiz Time", "Ask and Learn", "Fun Facts Quiz",
                                   "Questions for Kids"};
    std::string content = pick(rng, intros);
    content += "\n" + (rng.below(2) ? demo::animal_paragraph(rng, pick(rng, demo::animals()))
                                     : demo::topic_paragraph(rng, pick(rng, demo::kAllTopics)));
    int q = 3 + int(rng.below(3));
    std::set<std::string> seen;
    for (int i = 0; i < q; i++) {
        demo::Fact f = demo::random_fact(rng);
        if (!seen.insert(f.question).second) continue;
        content += fmt::format("\nQuestion: {} Answer: {}", f.question, f.answer);
    }
    content += "\n" + std::string(pick(rng, outros));
    return wrap(rng, pick(rng, kSites), pick(rng, titles), content, n);
}

Page fact_page(lmk::Rng& rng, uint64_t n) {
    std::string content, title;
    if (rng.below(2)) {
        const demo::Animal& a = pick(rng, demo::animals());
        title = fmt::format("All About the {}", demo::capitalize(a.name));
        content = demo::animal_paragraph(rng, a);
        content += "\n" + demo::story(rng, demo::story_words(rng, a.name));
    } else {
        static const char* titles[] = {"Learning Corner", "Facts for Kids", "Today We Learn", "Simple Lessons"};
        title = pick(rng, titles);
        demo::Topic first = pick(rng, demo::kAllTopics), second;
        do second = pick(rng, demo::kAllTopics); while (second == first);
        content = demo::topic_paragraph(rng, first) + "\n" + demo::topic_paragraph(rng, second);
    }
    return wrap(rng, pick(rng, kSites), title, content, n);
}

Page lorem_page(lmk::Rng& rng, uint64_t n) {
    static const char* words[] = {"lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit",
                                  "sed", "do", "eiusmod", "tempor", "incididunt", "ut", "labore", "et", "dolore",
                                  "magna", "aliqua", "enim", "ad", "minim", "veniam", "quis", "nostrud",
                                  "exercitation", "ullamco", "laboris", "nisi", "aliquip", "ex", "ea", "commodo"};
    std::string content = "Lorem ipsum dolor sit amet, consectetur adipiscing elit.";
    int paras = 2 + int(rng.below(3));
    for (int p = 0; p < paras; p++) {
        content += "\n";
        int sentences = 3 + int(rng.below(4));
        for (int s = 0; s < sentences; s++) {
            int len = 6 + int(rng.below(8));
            std::string sent;
            for (int i = 0; i < len; i++) sent += (i ? " " : "") + std::string(pick(rng, words));
            content += (s ? " " : "") + demo::capitalize(sent) + ".";
        }
    }
    return wrap(rng, pick(rng, kSites), "Sample Page", content, n, "lat");
}

Page foreign_page(lmk::Rng& rng, uint64_t n) {
    struct Foreign {
        gen::Lang lang;
        const char* domain;
        const char* cookie;
        const char* title;
    };
    static const Foreign langs[] = {
        {gen::Lang::de, "kinderseite.example.de", "Diese Website verwendet Cookies.", "Unser Alltag"},
        {gen::Lang::fr, "petitlecteur.example.fr", "Ce site utilise des cookies.", "La vie de tous les jours"},
        {gen::Lang::es, "lecturas.example.es", "Este sitio web utiliza cookies.", "La vida diaria"},
        {gen::Lang::zh, "gushi.example.cn", "本网站使用cookies。", "日常生活"},
    };
    const Foreign& f = pick(rng, langs);
    const gen::LangTable& t = gen::lang_table(f.lang);
    std::string content;
    int paras = 3 + int(rng.below(3));
    for (int p = 0; p < paras; p++) content += (p ? "\n" : "") + gen::sentences(rng, f.lang, 3 + int(rng.below(3)));
    Page pg;
    pg.uri = fmt::format("https://{}/seite/{}", f.domain, n);
    pg.lang = t.cc_code;
    pg.content = content;
    pg.text = fmt::format("{} | {} | {}\n{}\n{}\n{}", t.menu[0], t.menu[1], t.menu[2], f.title, content, f.cookie);
    return pg;
}

Page junk_page(lmk::Rng& rng, uint64_t n) {
    Page p;
    p.lang = "eng";
    p.uri = fmt::format("http://deals{}.example.biz/index.php?page={}", rng.below(50), n);
    switch (rng.below(4)) {
    case 0: { // a list of links
        static const char* links[] = {"Cheap flights", "Best hotels", "Free games online", "Click here",
                                      "Top 10 deals", "Download now", "Win a prize", "Hot offers", "Sign up free",
                                      "More links", "Cheap phones", "Casino bonus"};
        int k = 8 + int(rng.below(10));
        for (int i = 0; i < k; i++) p.text += (i ? "\n" : "") + std::string(pick(rng, links));
        break;
    }
    case 1: { // keyword spam
        static const char* kw[] = {"cheap shoes", "buy cheap shoes", "best cheap shoes", "cheap shoes online",
                                   "shoes sale", "cheap shoes free shipping"};
        int k = 40 + int(rng.below(40));
        for (int i = 0; i < k; i++) p.text += (i ? " " : "") + std::string(pick(rng, kw));
        break;
    }
    case 2: // code that leaked into the text
        p.text = "Loading...\nfunction start() { var x = 1; return x + 1; }\nif (window.ready) { start(); }\n"
                 "var config = { theme: \"dark\", items: [1, 2, 3] };\nwindow.onload = function() { start(); };";
        break;
    default: {
        static const char* tiny[] = {"Page not found.", "Welcome.", "Coming soon.", "Under construction",
                                     "Error 404", "Access denied."};
        p.text = pick(rng, tiny);
        break;
    }
    }
    p.content = p.text;
    return p;
}

// Replaces `k` random words of four or more letters with other common words.
std::string perturb(lmk::Rng& rng, const std::string& text, int k) {
    static const char* subs[] = {"little", "happy", "green", "quickly", "today", "river", "friend", "small",
                                 "yellow", "slowly", "garden", "bright", "softly", "always", "cheerful"};
    std::vector<std::pair<size_t, size_t>> words; // [start, end) of candidate words
    for (size_t i = 0; i < text.size();) {
        size_t j = i;
        while (j < text.size() && std::isalpha(uint8_t(text[j]))) j++;
        if (j - i >= 4) words.push_back({i, j});
        i = j == i ? i + 1 : j;
    }
    if (words.empty()) return text;
    std::set<size_t> chosen;
    while (int(chosen.size()) < std::min<int>(k, int(words.size()))) chosen.insert(rng.below(words.size()));
    std::string out;
    size_t at = 0;
    for (size_t w : chosen) {
        auto [b, e] = words[w];
        std::string sub = pick(rng, subs);
        if (text.compare(b, e - b, sub) == 0) sub = "very " + sub;
        out += text.substr(at, b - at) + sub;
        at = e;
    }
    return out + text.substr(at);
}

struct WebStats {
    std::map<std::string, uint64_t> kinds;
    uint64_t records = 0, text_bytes = 0;
};

// Writes the WET file and, beside it, a manifest with one {"id","url","kind"} line per page
// (id = the WARC-Record-ID without its angle brackets, as clean-corpus names documents), so a run can count what
// each filter and dedup stage did to each kind of page.
WebStats write_web(lmk::Rng& rng, const std::string& path, const std::string& manifest_path, double mb) {
    auto out = lmk::Output::open(path, {.binary = true, .raw = true});
    auto manifest = lmk::Output::open(manifest_path);
    lmk::JsonObjectWriter obj;
    lmk::WarcWriter w(*out, /*gzip_per_record=*/true);
    w.write(gen::warcinfo_record(rng, "web.warc.wet.gz",
                                 "Software-Info: lmkit gen-demo-data\r\n"
                                 "isPartOf: lmkit-demo\r\n"
                                 "operator: lmkit (synthetic data, no real crawl)\r\n"
                                 "description: synthetic web pages in Common Crawl's WET format for make demo\r\n"
                                 "publisher: lmkit\r\n"));
    WebStats st;
    std::vector<Page> good; // earlier good pages, sources of duplicates
    const uint64_t target = uint64_t(mb * 1024 * 1024);
    uint64_t n = 0;
    while (st.text_bytes < target) {
        n++;
        uint64_t r = rng.below(100);
        Page p;
        std::string kind;
        if (r < 58 || good.empty()) {
            uint64_t g = rng.below(10);
            p = g < 5 ? story_page(rng, n) : g < 8 ? qa_page(rng, n) : fact_page(rng, n);
            kind = g < 5 ? "story" : g < 8 ? "qa" : "facts";
            good.push_back(p);
        } else if (r < 68) {
            p = lorem_page(rng, n), kind = "lorem";
        } else if (r < 78) { // the same page served at another address
            p = pick(rng, good);
            p.uri = fmt::format("https://mirror{}.example.info/copy/{}", rng.below(9), n);
            kind = "exact-duplicate";
        } else if (r < 88) { // the same article, lightly edited, on another site
            const Page& src = pick(rng, good);
            std::string content = perturb(rng, src.content, 1 + int(rng.below(2)));
            p = wrap(rng, pick(rng, kSites), "Reposted", content, n);
            kind = "near-duplicate";
        } else if (r < 98) {
            p = foreign_page(rng, n), kind = "non-english";
        } else {
            p = junk_page(rng, n), kind = "junk";
        }
        lmk::WarcRecord rec = gen::wet_record(rng, p.uri, gen::warc_date(n), p.lang, p.text);
        w.write(rec);
        std::string_view id = rec.header("WARC-Record-ID");
        id = id.substr(1, id.size() - 2); // <urn:uuid:...> -> urn:uuid:...
        manifest->write(obj.str("id", id).str("url", p.uri).str("kind", kind).finish() + "\n");
        st.kinds[kind]++;
        st.records++;
        st.text_bytes += p.text.size();
    }
    out->commit();
    manifest->commit();
    return st;
}

// ---- instruction, preference and evaluation data ------------------------------------------

struct Example {
    std::string prompt, response;
};

// An instruction and its good response; `kind` (0..3) picks story, question, animal, topic.
Example instruction(lmk::Rng& rng, int kind) {
    Example e;
    switch (kind) {
    case 0: {
        demo::StoryWords w = demo::story_words(rng);
        static const char* forms[] = {"Write a short story about {aA}.", "Tell me a story about {aA} named {N}.",
                                      "Write a short story for children about {aA}.",
                                      "Can you tell me a story about {N} the {A}?"};
        e.prompt = demo::fill(pick(rng, forms), w);
        e.response = demo::story(rng, w);
        break;
    }
    case 1: {
        demo::Fact f = demo::random_fact(rng);
        static const char* forms[] = {"Answer the question: {}", "{}", "Please answer this question: {}"};
        e.prompt = fmt::format(fmt::runtime(pick(rng, forms)), f.question);
        e.response = f.answer;
        break;
    }
    case 2: {
        const demo::Animal& a = pick(rng, demo::animals());
        static const char* forms[] = {"Tell me about the {}.", "What do you know about the {}?",
                                      "Describe the {} in a few sentences."};
        e.prompt = fmt::format(fmt::runtime(pick(rng, forms)), a.name);
        e.response = demo::animal_paragraph(rng, a);
        break;
    }
    default: {
        static const std::pair<demo::Topic, const char*> topics[] = {
            {demo::Topic::colors, "Tell me about colors."},
            {demo::Topic::sums, "Teach me how to add small numbers."},
            {demo::Topic::days, "Tell me about the days of the week."},
            {demo::Topic::seasons, "Tell me about the seasons."},
            {demo::Topic::opposites, "Tell me about opposite words."}};
        auto [topic, prompt] = pick(rng, topics);
        e.prompt = prompt;
        e.response = demo::topic_paragraph(rng, topic);
        break;
    }
    }
    return e;
}

int instruction_kind(lmk::Rng& rng) {
    uint64_t r = rng.below(100);
    return r < 30 ? 0 : r < 70 ? 1 : r < 85 ? 2 : 3;
}

const char* kRude[] = {"That is a silly question.", "I do not want to help you.", "Go away and stop asking me.",
                       "Figure it out yourself.", "Nobody cares about that.", "Why would I tell you?",
                       "Stop bothering me."};
const char* kUnhelpful[] = {"I do not know.", "Maybe.", "That is hard to say.", "Ask someone else.", "Whatever."};

std::string rude(lmk::Rng& rng) {
    std::string a = pick(rng, kRude), b;
    do b = pick(rng, kRude); while (b == a);
    return rng.below(2) ? a : a + " " + b;
}

struct Preference {
    std::string prompt, chosen, rejected, kind;
};

Preference preference(lmk::Rng& rng) {
    Preference p;
    uint64_t r = rng.below(100);
    uint64_t how = rng.below(100);
    if (r < 50) { // a question
        demo::Fact f = demo::random_fact(rng);
        p.prompt = "Answer the question: " + f.question;
        p.chosen = f.answer;
        if (rng.below(3) == 0) p.chosen += pick(rng, std::vector<std::string>{" I hope this helps!", " Good question!",
                                                                               " Let me know if you have more questions."});
        if (how < 40) p.rejected = pick(rng, f.wrong), p.kind = "wrong";
        else if (how < 65) p.rejected = rude(rng), p.kind = "rude";
        else if (how < 85) {
            demo::Fact other;
            do other = demo::random_fact(rng); while (other.question == f.question);
            p.rejected = other.answer, p.kind = "off-topic";
        } else p.rejected = pick(rng, kUnhelpful), p.kind = "unhelpful";
    } else if (r < 80) { // a story
        demo::StoryWords w = demo::story_words(rng);
        p.prompt = demo::fill("Write a short story about {aA}.", w);
        p.chosen = demo::story(rng, w);
        if (how < 40) {
            demo::StoryWords other = demo::story_words(rng, w.animal2);
            p.rejected = demo::story(rng, other), p.kind = "off-topic";
        } else if (how < 70) p.rejected = rude(rng) + " Write your own story.", p.kind = "rude";
        else p.rejected = demo::capitalize(w.animal) + ".", p.kind = "unhelpful";
    } else { // about an animal
        const auto& A = demo::animals();
        const demo::Animal& a = pick(rng, A);
        p.prompt = fmt::format("Tell me about the {}.", a.name);
        p.chosen = demo::animal_paragraph(rng, a);
        if (how < 60) { // facts of another animal told about this one: wrong
            const demo::Animal* b;
            do b = &pick(rng, A); while (std::string_view(b->name) == a.name);
            demo::Animal wrong = *b;
            wrong.name = a.name;
            p.rejected = demo::animal_paragraph(rng, wrong), p.kind = "wrong";
        } else p.rejected = rude(rng), p.kind = "rude";
    }
    return p;
}

struct EvalItem {
    std::string question;
    std::vector<std::string> choices;
    int gold;
};

std::vector<EvalItem> eval_items(lmk::Rng& rng, int n) {
    std::vector<EvalItem> items;
    std::set<std::string> seen;
    for (int tries = 0; int(items.size()) < n && tries < 100000; tries++) {
        demo::Fact f = demo::fact_question(rng, pick(rng, demo::kRecallKinds));
        if (f.wrong.size() != 3 || !seen.insert(f.question).second) continue;
        EvalItem it{f.question, f.wrong, int(rng.below(4))};
        it.choices.insert(it.choices.begin() + it.gold, f.answer);
        items.push_back(it);
    }
    LMK_CHECK(int(items.size()) == n, "gen-demo-data: only {} distinct evaluation items (asked for {})", items.size(), n);
    return items;
}

const char* kEvalTaskJson = R"({
  "task": "demo_qa",
  "output_type": "multiple_choice",
  "data": "eval_task.jsonl",
  "doc_to_text": "Question: {{question}} Answer:",
  "doc_to_choice": "{{choices}}",
  "doc_to_target": "{{gold}}",
  "target_delimiter": " ",
  "fewshot_delimiter": "\n\n",
  "metric_list": ["acc", "acc_norm"],
  "notes": "make demo's task: 4-way multiple choice about the facts the demo's web pages teach (animal sounds, homes, babies, food, legs; colors; opposites), in eval-fewshot's task-file format (lm-evaluation-harness keys). data is relative to this file; each line is {id, question, choices: [4 full answer sentences], gold: index}. The prompt matches the pretraining pages' 'Question: ... Answer: ...' lines. With no fewshot_data the few-shot examples come from the same file, never the evaluated document itself. Chance accuracy is 0.25."
}
)";

int run(const Options& o, const lmk::CommonFlags& c) {
    LMK_CHECK(o.mb > 0, "--mb must be positive");
    std::filesystem::create_directories(o.outdir);
    const std::string d = o.outdir + "/";
    auto rng_for = [&](std::string_view name) { return lmk::Rng(lmk::derive_seed(c.seed, lmk::stream_id(name))); };
    lmk::JsonObjectWriter obj;

    lmk::Rng web_rng = rng_for("web");
    WebStats web = write_web(web_rng, d + "web.warc.wet.gz", d + "web_pages.jsonl", o.mb);
    std::string kinds;
    for (const auto& [k, v] : web.kinds) kinds += fmt::format("{}{} {}", kinds.empty() ? " " : ", ", k, v);
    lmk::log_info("web.warc.wet.gz: {} pages, {:.1f} MB of text:{}", web.records, web.text_bytes / 1048576.0, kinds);

    {
        lmk::Rng rng = rng_for("sft");
        auto out = lmk::Output::open(d + "sft.jsonl");
        for (int i = 0; i < o.sft; i++) {
            Example e = instruction(rng, instruction_kind(rng));
            out->write(obj.str("prompt", e.prompt).str("response", e.response).finish() + "\n");
        }
        out->commit();
    }
    std::map<std::string, int> pref_kinds;
    {
        lmk::Rng rng = rng_for("preferences");
        auto out = lmk::Output::open(d + "preferences.jsonl");
        for (int i = 0; i < o.preferences; i++) {
            Preference p = preference(rng);
            pref_kinds[p.kind]++;
            out->write(obj.str("prompt", p.prompt).str("chosen", p.chosen).str("rejected", p.rejected).finish() + "\n");
        }
        out->commit();
    }
    {
        lmk::Rng rng = rng_for("prompts");
        auto out = lmk::Output::open(d + "prompts.jsonl");
        for (int i = 0; i < o.prompts; i++)
            out->write(obj.str("prompt", instruction(rng, rng.below(3) ? 1 : 0).prompt).finish() + "\n");
        out->commit();
    }
    {
        lmk::Rng rng = rng_for("eval");
        auto out = lmk::Output::open(d + "eval_task.jsonl");
        int i = 0;
        for (const EvalItem& it : eval_items(rng, o.eval_items)) {
            std::string choices = "[";
            for (size_t k = 0; k < it.choices.size(); k++) choices += (k ? ", " : "") + lmk::json_string(it.choices[k]);
            choices += "]";
            out->write(obj.str("id", fmt::format("demo-qa-{:03d}", i++))
                           .str("question", it.question)
                           .raw("choices", choices)
                           .num("gold", int64_t(it.gold))
                           .finish() + "\n");
        }
        out->commit();
        lmk::write_file(d + "eval_task.json", kEvalTaskJson);
    }
    std::string pk;
    for (const auto& [k, v] : pref_kinds) pk += fmt::format("{}{} {}", pk.empty() ? " " : ", ", k, v);
    lmk::log_info("sft.jsonl: {} examples; preferences.jsonl: {} pairs (rejected:{}); prompts.jsonl: {}; "
                  "eval_task.jsonl: {} items", o.sft, o.preferences, pk, o.prompts, o.eval_items);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    return lmk::tool_main(
        argc, argv,
        {"gen-demo-data",
         "Write make demo's embedded dataset: synthetic Common Crawl WET pages (good simple English, "
         "boilerplate, lorem ipsum, duplicates, near-duplicates, other languages, junk), instruction and "
         "preference examples, PPO prompts and a multiple-choice task. Deterministic for a given --seed.",
         "Examples:\n  gen-demo-data out/demo/data\n  gen-demo-data --mb 1 /tmp/small\n"},
        [&](CLI::App& app, lmk::CommonFlags&) {
            app.add_option("OUTDIR", o.outdir, "directory to write (created if missing)")->required();
            app.add_option("--mb", o.mb, "uncompressed text of web.warc.wet.gz, in MiB")->check(CLI::PositiveNumber);
            app.add_option("--sft", o.sft, "instruction examples")->check(CLI::NonNegativeNumber);
            app.add_option("--preferences", o.preferences, "preference pairs")->check(CLI::NonNegativeNumber);
            app.add_option("--prompts", o.prompts, "PPO prompts")->check(CLI::NonNegativeNumber);
            app.add_option("--eval-items", o.eval_items, "multiple-choice items")->check(CLI::NonNegativeNumber);
        },
        [&](const lmk::CommonFlags& c) { return run(o, c); });
}
