// eval/task.cpp: built-in task loaders over the original files, user JSON task files, and
// the lm-eval text transforms they need (see task.h).
#include "lmk/eval/task.h"
#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/core/utf8.h"
#include "lmk/io/file.h"
#include "lmk/io/jsonl.h"
#include "lmk/text/unicode.h"

#include <bzlib.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <cmath>
#include <filesystem>
#include <functional>

namespace lmk {

namespace dom = simdjson::dom;

const char* output_type_name(OutputType t) {
    switch (t) {
    case OutputType::multiple_choice: return "multiple_choice";
    case OutputType::loglikelihood: return "loglikelihood";
    case OutputType::loglikelihood_rolling: return "loglikelihood_rolling";
    case OutputType::generate_until: return "generate_until";
    }
    return "?";
}

const std::vector<std::string>& builtin_task_names() {
    static const std::vector<std::string> names = {"hellaswag", "lambada", "piqa", "arc_easy", "sst2", "wikitext"};
    return names;
}

// ---------------------------------------------------------------- lm-eval text transforms

static void replace_all(std::string& s, std::string_view from, std::string_view to) {
    // Python str.replace: non-overlapping, left to right, one pass.
    std::string out;
    size_t pos = 0;
    for (size_t hit; (hit = s.find(from, pos)) != std::string::npos; pos = hit + from.size()) {
        out.append(s, pos, hit - pos);
        out.append(to);
    }
    out.append(s, pos, std::string::npos);
    s.swap(out);
}

std::string python_capitalize(std::string_view s) {
    std::string out(s);
    for (size_t i = 0; i < out.size(); i++) {
        char& c = out[i];
        if (i == 0 && c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
        else if (i > 0 && c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    }
    return out;
}

std::string hellaswag_preprocess(std::string_view text) {
    std::string s(py_strip(text));
    replace_all(s, " [title]", ". ");
    // re.sub("\\[.*?\\]", "", s): drop each "[" up to the next "]" on the same line.
    std::string out;
    for (size_t i = 0; i < s.size();) {
        if (s[i] == '[') {
            size_t j = s.find_first_of("]\n", i + 1);
            if (j != std::string::npos && s[j] == ']') {
                i = j + 1;
                continue;
            }
        }
        out.push_back(s[i++]);
    }
    replace_all(out, "  ", " ");
    return out;
}

// re.sub(r"O\s*([^C]*?)\s*C", r"O\1C", s): each opener up to the next closer, inner
// whitespace stripped at both ends.
static std::string tighten_pairs(const std::string& s, char open, char close) {
    std::string out;
    for (size_t i = 0; i < s.size();) {
        if (s[i] == open) {
            size_t j = s.find(close, i + 1);
            if (j != std::string::npos) {
                out.push_back(open);
                out.append(py_strip(std::string_view(s).substr(i + 1, j - i - 1)));
                out.push_back(close);
                i = j + 1;
                continue;
            }
        }
        out.push_back(s[i++]);
    }
    return out;
}

std::string wikitext_detokenize(std::string_view page) {
    std::string s(page);
    replace_all(s, "s '", "s'");
    // re.sub(r"/' [0-9]/", r"/'[0-9]/", s): the replacement is literal text in lm-eval.
    for (size_t p = 0; (p = s.find("/' ", p)) != std::string::npos;) {
        if (p + 4 < s.size() && s[p + 3] >= '0' && s[p + 3] <= '9' && s[p + 4] == '/') {
            s.replace(p, 5, "/'[0-9]/");
            p += 8;
        } else {
            p += 1;
        }
    }
    replace_all(s, " @-@ ", "-");
    replace_all(s, " @,@ ", ",");
    replace_all(s, " @.@ ", ".");
    replace_all(s, " : ", ": ");
    replace_all(s, " ; ", "; ");
    replace_all(s, " . ", ". ");
    replace_all(s, " ! ", "! ");
    replace_all(s, " ? ", "? ");
    replace_all(s, " , ", ", ");
    s = tighten_pairs(s, '(', ')');
    s = tighten_pairs(s, '[', ']');
    s = tighten_pairs(s, '{', '}');
    s = tighten_pairs(s, '"', '"');
    s = tighten_pairs(s, '\'', '\'');
    replace_all(s, "= = = =", "====");
    replace_all(s, "= = =", "===");
    replace_all(s, "= =", "==");
    replace_all(s, " \xc2\xb0 ", "\xc2\xb0");
    replace_all(s, " \n", "\n");
    replace_all(s, "\n ", "\n");
    replace_all(s, " N ", " 1 ");
    replace_all(s, " 's", "'s");
    return s;
}

int64_t count_words_python(std::string_view s) {
    // len(re.split(r"\s+", s)) = number of whitespace runs + 1.
    int64_t runs = 0;
    bool in_run = false;
    for (size_t i = 0; i < s.size();) {
        uint32_t cp = 0;
        size_t n = utf8_decode(s.data() + i, s.size() - i, &cp);
        bool sp = n && py_isspace(cp);
        if (sp && !in_run) runs++;
        in_run = sp;
        i += n ? n : 1;
    }
    return runs + 1;
}

// ---------------------------------------------------------------- JSON helpers

static std::string scalar_text(dom::element e, const std::string& where, std::string_view what) {
    switch (e.type()) {
    case dom::element_type::STRING: return std::string(std::string_view(e.get_string().value()));
    case dom::element_type::INT64: return fmt::format("{}", int64_t(e.get_int64().value()));
    case dom::element_type::UINT64: return fmt::format("{}", uint64_t(e.get_uint64().value()));
    case dom::element_type::DOUBLE: return fmt::format("{}", double(e.get_double().value()));
    case dom::element_type::BOOL: return e.get_bool().value() ? "True" : "False";
    default: throw Error(fmt::format("{}: {} is not a string or number", where, what));
    }
}

static dom::element lookup_path(dom::element obj, std::string_view path, const std::string& where) {
    dom::element cur = obj;
    size_t start = 0;
    while (true) {
        size_t dot = path.find('.', start);
        std::string_view key = path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        dom::element next;
        if (cur.type() != dom::element_type::OBJECT || cur.get_object().value().at_key(key).get(next))
            throw Error(fmt::format("{}: missing field \"{}\"", where, path));
        cur = next;
        if (dot == std::string_view::npos) return cur;
        start = dot + 1;
    }
}

static std::string_view trim_expr(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

static std::string render(std::string_view tmpl, dom::element obj, const std::string& where) {
    std::string out;
    size_t pos = 0;
    while (true) {
        size_t open = tmpl.find("{{", pos);
        if (open == std::string_view::npos) break;
        size_t close = tmpl.find("}}", open + 2);
        if (close == std::string_view::npos)
            throw Error(fmt::format("{}: template \"{}\": unclosed {{{{", where, tmpl));
        out.append(tmpl.substr(pos, open - pos));
        std::string_view expr = trim_expr(tmpl.substr(open + 2, close - open - 2));
        out += scalar_text(lookup_path(obj, expr, where), where, fmt::format("field \"{}\"", expr));
        pos = close + 2;
    }
    out.append(tmpl.substr(pos));
    return out;
}

std::string render_template(std::string_view tmpl, std::string_view json_object, const std::string& where) {
    dom::parser parser;
    dom::element obj;
    if (auto err = parser.parse(json_object.data(), json_object.size()).get(obj))
        throw Error(fmt::format("{}: {}", where, simdjson::error_message(err)));
    return render(tmpl, obj, where);
}

// "{{field}}" alone (or a bare field name): the referenced element, else nullopt.
static std::optional<dom::element> sole_field(std::string_view tmpl, dom::element obj, const std::string& where) {
    std::string_view t = trim_expr(tmpl);
    if (t.starts_with("{{") && t.ends_with("}}") && t.find("{{", 2) == std::string_view::npos)
        return lookup_path(obj, trim_expr(t.substr(2, t.size() - 4)), where);
    if (t.find("{{") == std::string_view::npos && obj.type() == dom::element_type::OBJECT) {
        dom::element e;
        if (!obj.get_object().value().at_key(t).get(e)) return e;
    }
    return std::nullopt;
}

// ---------------------------------------------------------------- record errors

namespace {
struct BadRecords {
    const LoadOptions& opt;
    uint64_t& count;
    // Runs fn; an lmk::Error is a bad record: logged, counted, skipped (or rethrown).
    bool guard(const std::function<void()>& fn) {
        try {
            fn();
            return true;
        } catch (const Error& e) {
            if (opt.strict) throw;
            log_warn("{}, skipped", e.what());
            count++;
            return false;
        }
    }
};
} // namespace

static std::string join_path(const std::string& dir, const std::string& file) {
    return (std::filesystem::path(dir) / file).string();
}

static int to_gold(dom::element e, const std::vector<std::string>& choices, const std::string& where) {
    int64_t v = 0;
    if (e.type() == dom::element_type::STRING) {
        std::string_view s = e.get_string().value();
        for (size_t i = 0; i < choices.size(); i++)
            if (choices[i] == s) return int(i);
        // a numeric string ("2") is an index, as in datasets that store labels as text
        char* end = nullptr;
        std::string tmp(s);
        long n = std::strtol(tmp.c_str(), &end, 10);
        if (tmp.empty() || *end) throw Error(fmt::format("{}: target \"{}\" is not one of the choices", where, s));
        v = n;
    } else if (e.get_int64().get(v)) {
        throw Error(fmt::format("{}: target is not an index or a choice", where));
    }
    if (v < 0 || v >= int64_t(choices.size()))
        throw Error(fmt::format("{}: target index {} outside the {} choices", where, v, choices.size()));
    return int(v);
}

// ---------------------------------------------------------------- built-in tasks

static std::string read_bz2(const std::string& path) {
    std::string raw = read_file(path);
    std::string out;
    bz_stream s{};
    LMK_CHECK(BZ2_bzDecompressInit(&s, 0, 0) == BZ_OK, "{}: bzip2 init failed", path);
    s.next_in = raw.data();
    s.avail_in = unsigned(raw.size());
    char buf[1 << 16];
    int rc = BZ_OK;
    while (true) {
        s.next_out = buf;
        s.avail_out = sizeof buf;
        rc = BZ2_bzDecompress(&s);
        out.append(buf, sizeof buf - s.avail_out);
        if (rc == BZ_STREAM_END) {
            if (s.avail_in == 0) break;
            // concatenated streams (pbzip2)
            BZ2_bzDecompressEnd(&s);
            char* next = s.next_in;
            unsigned left = s.avail_in;
            s = bz_stream{};
            BZ2_bzDecompressInit(&s, 0, 0);
            s.next_in = next;
            s.avail_in = left;
            continue;
        }
        if (rc != BZ_OK) {
            BZ2_bzDecompressEnd(&s);
            throw Error(fmt::format("{}: corrupt or truncated bzip2 data (code {})", path, rc));
        }
        if (s.avail_in == 0 && s.avail_out != 0) {
            BZ2_bzDecompressEnd(&s);
            throw Error(fmt::format("{}: truncated bzip2 data", path));
        }
    }
    BZ2_bzDecompressEnd(&s);
    return out;
}

static std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        std::string_view l = text.substr(pos, nl - pos);
        if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
        lines.push_back(l);
        pos = nl + 1;
    }
    return lines;
}

// The file keeps lm-eval's `ctx` raw (ctx_a + " " + ctx_b) where lm-eval capitalises ctx_b:
// ctx_b is recovered as the lower-case fragment after the last sentence end.
static std::string hellaswag_query(std::string_view line) {
    std::string s(line);
    size_t colon = s.find(": ");
    size_t from = colon == std::string::npos ? 0 : colon + 2;
    size_t cut = std::string::npos;
    for (const char* end : {". ", "! ", "? "}) {
        size_t p = s.rfind(end);
        if (p != std::string::npos && p >= from && (cut == std::string::npos || p > cut)) cut = p;
    }
    size_t b = cut == std::string::npos ? std::string::npos : cut + 2;
    if (b != std::string::npos && b < s.size() && s[b] >= 'a' && s[b] <= 'z')
        s = s.substr(0, b) + python_capitalize(std::string_view(s).substr(b));
    return hellaswag_preprocess(s);
}

static void load_hellaswag(Task& t, const std::string& path, BadRecords& bad) {
    std::string text = path.ends_with(".bz2") ? read_bz2(path) : read_file(path);
    auto lines = split_lines(text);
    for (size_t i = 0; i < lines.size(); i += 6) {
        std::string where = fmt::format("{}:{}", path, i + 1);
        bad.guard([&] {
            if (i + 6 > lines.size()) throw Error(fmt::format("{}: incomplete item ({} of 6 lines)", where, lines.size() - i));
            Doc d;
            d.where = where;
            d.text = hellaswag_query(lines[i]);
            std::string label(lines[i + 1]);
            if (label.size() != 1 || label[0] < '0' || label[0] > '3')
                throw Error(fmt::format("{}:{}: label \"{}\" is not 0-3", path, i + 2, label));
            for (int k = 0; k < 4; k++) d.choices.push_back(hellaswag_preprocess(lines[i + 2 + size_t(k)]));
            d.gold = label[0] - '0';
            for (size_t k = 0; k < 6; k++) d.identity += std::string(lines[i + k]) + '\n';
            t.docs.push_back(std::move(d));
        });
    }
}

// Iterates a JSONL file: fn(parsed object, "file:line"); malformed lines are bad records.
static void for_each_jsonl(const std::string& path, BadRecords& bad,
                           const std::function<void(dom::element, const std::string&, std::string_view)>& fn) {
    JsonlReader in(path, {.strict = bad.opt.strict});
    dom::parser parser;
    while (in.next()) {
        std::string where = fmt::format("{}:{}", in.name(), in.line());
        std::string line(in.raw_line());
        bad.guard([&] {
            dom::element obj;
            if (auto err = parser.parse(line).get(obj)) throw Error(fmt::format("{}: {}", where, simdjson::error_message(err)));
            fn(obj, where, line);
        });
    }
    bad.count += in.malformed();
}

static std::string get_str(dom::element obj, std::string_view key, const std::string& where) {
    dom::element e = lookup_path(obj, key, where);
    std::string_view s;
    if (e.get_string().get(s)) throw Error(fmt::format("{}: field \"{}\" is not a string", where, key));
    return std::string(s);
}

static void load_lambada(Task& t, const std::string& path, BadRecords& bad) {
    for_each_jsonl(path, bad, [&](dom::element obj, const std::string& where, std::string_view raw) {
        std::string text = get_str(obj, "text", where);
        size_t sp = text.rfind(' ');
        if (sp == std::string::npos) throw Error(fmt::format("{}: text has no space to split off the last word", where));
        Doc d;
        d.where = where;
        d.text = text.substr(0, sp);
        d.target = " " + text.substr(sp + 1);
        d.references = {d.target};
        d.identity = std::string(raw);
        t.docs.push_back(std::move(d));
    });
}

static void load_piqa(Task& t, const std::string& path, BadRecords& bad) {
    std::string labels_path = path;
    if (labels_path.ends_with(".jsonl")) labels_path = labels_path.substr(0, labels_path.size() - 6) + "-labels.lst";
    std::string labels_text = read_file(labels_path);
    auto labels = split_lines(labels_text);
    for_each_jsonl(path, bad, [&](dom::element obj, const std::string& where, std::string_view raw) {
        size_t line = size_t(std::stoull(where.substr(where.rfind(':') + 1)));
        if (line > labels.size()) throw Error(fmt::format("{}: no label (line {} of {} is missing)", where, line, labels_path));
        std::string_view lab = labels[line - 1];
        if (lab != "0" && lab != "1") throw Error(fmt::format("{}:{}: label \"{}\" is not 0 or 1", labels_path, line, lab));
        Doc d;
        d.where = where;
        d.text = "Question: " + get_str(obj, "goal", where) + "\nAnswer:";
        d.choices = {get_str(obj, "sol1", where), get_str(obj, "sol2", where)};
        d.gold = lab[0] - '0';
        d.identity = std::string(raw) + std::string(lab);
        t.docs.push_back(std::move(d));
    });
}

static void load_arc(std::vector<Doc>& docs, const std::string& path, BadRecords& bad) {
    std::string text = read_file(path);
    dom::parser parser;
    dom::element root;
    if (auto err = parser.parse(text).get(root)) throw Error(fmt::format("{}: {}", path, simdjson::error_message(err)));
    dom::array items;
    if (root.get_array().get(items)) throw Error(fmt::format("{}: expected a JSON array of questions", path));
    size_t idx = 0;
    for (dom::element item : items) {
        std::string where = fmt::format("{}[{}]", path, idx++);
        bad.guard([&] {
            Doc d;
            d.where = where;
            d.text = "Question: " + get_str(item, "question", where) + "\nAnswer:";
            dom::array texts, labels;
            if (lookup_path(item, "choices.text", where).get_array().get(texts) ||
                lookup_path(item, "choices.label", where).get_array().get(labels))
                throw Error(fmt::format("{}: choices.text/choices.label are not arrays", where));
            std::vector<std::string> labs;
            for (dom::element e : texts) d.choices.push_back(scalar_text(e, where, "a choice"));
            for (dom::element e : labels) labs.push_back(scalar_text(e, where, "a label"));
            std::string key = get_str(item, "answerKey", where);
            for (size_t i = 0; i < labs.size(); i++)
                if (labs[i] == key) d.gold = int(i);
            if (d.gold < 0 || d.gold >= int(d.choices.size()))
                throw Error(fmt::format("{}: answerKey \"{}\" is not among the labels", where, key));
            d.identity = simdjson::minify(item);
            docs.push_back(std::move(d));
        });
    }
}

static void load_sst2(std::vector<Doc>& docs, const std::string& path, BadRecords& bad) {
    std::string text = read_file(path);
    auto lines = split_lines(text);
    for (size_t i = 0; i < lines.size(); i++) {
        if (i == 0 && lines[0].starts_with("sentence\t")) continue; // header
        if (lines[i].empty()) continue;
        std::string where = fmt::format("{}:{}", path, i + 1);
        bad.guard([&] {
            std::string_view l = lines[i];
            size_t tab = l.rfind('\t');
            if (tab == std::string_view::npos) throw Error(fmt::format("{}: expected sentence<TAB>label", where));
            std::string_view lab = l.substr(tab + 1);
            if (lab != "0" && lab != "1") throw Error(fmt::format("{}: label \"{}\" is not 0 or 1", where, lab));
            Doc d;
            d.where = where;
            d.text = std::string(l.substr(0, tab)) + "\nQuestion: Is this sentence positive or negative?\nAnswer:";
            d.choices = {"negative", "positive"};
            d.gold = lab[0] - '0';
            d.identity = std::string(l);
            docs.push_back(std::move(d));
        });
    }
}

// EleutherAI/wikitext_document_level: a page starts at each level-1 heading (" = Title = ").
static bool is_title_line(std::string_view line) {
    std::string r(line);
    replace_all(r, "= = =", "===");
    replace_all(r, "= =", "==");
    std::string_view s = py_strip(r);
    return s.starts_with("= ") && s.ends_with(" =");
}

static void load_wikitext(Task& t, const std::string& path, BadRecords&) {
    std::string text = read_file(path);
    auto lines = split_lines(text);
    std::vector<std::pair<size_t, std::string>> pages; // first line, text
    std::string cur;
    size_t cur_line = 1;
    auto flush = [&] {
        if (!py_strip(cur).empty()) pages.emplace_back(cur_line, cur);
        cur.clear();
    };
    for (size_t i = 0; i < lines.size(); i++) {
        if (is_title_line(lines[i])) {
            flush();
            cur_line = i + 1;
        }
        cur.append(lines[i]);
        cur.push_back('\n');
    }
    flush();
    for (auto& [line, page] : pages) {
        Doc d;
        d.where = fmt::format("{}:{}", path, line);
        d.target = wikitext_detokenize(page);
        d.words = count_words_python(page);
        d.bytes = int64_t(page.size());
        d.identity = page;
        t.docs.push_back(std::move(d));
    }
}

static Task load_builtin(const std::string& name, const LoadOptions& opt) {
    Task t;
    TaskConfig& c = t.config;
    c.name = name;
    BadRecords bad{opt, t.bad_docs};
    auto file = [&](const std::string& rel) { return opt.data.empty() ? join_path(opt.data_dir, rel) : opt.data; };
    auto pool_file = [&](const std::string& rel) {
        return opt.fewshot_data.empty() ? join_path(opt.data_dir, rel) : opt.fewshot_data;
    };
    auto check_dir = [&](const std::string& f) {
        if (!file_exists(f))
            throw Error(fmt::format("{}: no such file for built-in task {}", f, name),
                        "pass --data-dir (default ../shared/data/eval) or --data FILE");
    };
    if (name == "hellaswag") {
        c.dataset = file("hellaswag/hellaswag_val_full.txt.bz2");
        check_dir(c.dataset);
        c.doc_to_text = "{{query}}";
        c.doc_to_target = "{{label}}";
        c.doc_to_choice = "choices";
        c.metrics = {"acc", "acc_norm"};
        load_hellaswag(t, c.dataset, bad);
        // lm-eval: test_split and fewshot_split both unset -> exclude the evaluated doc.
        c.fewshot_excludes_eval_doc = true;
    } else if (name == "lambada") {
        c.name = "lambada_openai";
        c.output_type = OutputType::loglikelihood;
        c.dataset = file("lambada/lambada_test.jsonl");
        check_dir(c.dataset);
        c.eval_split = c.fewshot_split = "test";
        c.doc_to_text = "{{text.split(' ')[:-1]|join(' ')}}";
        c.doc_to_target = "{{' '+text.split(' ')[-1]}}";
        c.metrics = {"perplexity", "acc"};
        load_lambada(t, c.dataset, bad);
        c.fewshot_excludes_eval_doc = false; // fewshot_split None != test_split "test"
    } else if (name == "piqa") {
        c.dataset = file("piqa/valid.jsonl");
        check_dir(c.dataset);
        c.doc_to_text = "Question: {{goal}}\nAnswer:";
        c.doc_to_target = "label";
        c.doc_to_choice = "{{[sol1, sol2]}}";
        c.metrics = {"acc", "acc_norm"};
        load_piqa(t, c.dataset, bad);
    } else if (name == "arc_easy") {
        c.dataset = file("arc_easy/test.json");
        check_dir(c.dataset);
        c.eval_split = "test";
        c.fewshot_split = "train";
        c.doc_to_text = "Question: {{question}}\nAnswer:";
        c.doc_to_target = "{{choices.label.index(answerKey)}}";
        c.doc_to_choice = "{{choices.text}}";
        c.metrics = {"acc", "acc_norm"};
        load_arc(t.docs, c.dataset, bad);
        load_arc(t.fewshot, pool_file("arc_easy/train.json"), bad);
        c.fewshot_excludes_eval_doc = false;
    } else if (name == "sst2") {
        c.dataset = file("sst2/glue_sst2_dev.tsv");
        check_dir(c.dataset);
        c.fewshot_split = "train";
        c.doc_to_text = "{{sentence}}\nQuestion: Is this sentence positive or negative?\nAnswer:";
        c.doc_to_target = "label";
        c.doc_to_choice = "[\"negative\", \"positive\"]";
        c.metrics = {"acc"};
        load_sst2(t.docs, c.dataset, bad);
        load_sst2(t.fewshot, pool_file("sst2/alps_sst2_train_split.tsv"), bad);
        c.fewshot_excludes_eval_doc = true;
    } else if (name == "wikitext") {
        c.output_type = OutputType::loglikelihood_rolling;
        c.dataset = file("wikitext-2/test.txt");
        check_dir(c.dataset);
        c.eval_split = c.fewshot_split = "test";
        c.doc_to_target = "wikitext_detokenizer(page)";
        c.metrics = {"word_perplexity", "byte_perplexity", "bits_per_byte"};
        c.version = 2.0;
        load_wikitext(t, c.dataset, bad);
    } else {
        throw Error(fmt::format("unknown task \"{}\"", name),
                    fmt::format("built-in tasks: {}; or give a JSON task file", fmt::join(builtin_task_names(), ", ")));
    }
    if (t.fewshot.empty() && c.output_type != OutputType::loglikelihood_rolling) t.fewshot = t.docs;
    return t;
}

// ---------------------------------------------------------------- user task files

static OutputType parse_output_type(std::string_view s, const std::string& where) {
    for (OutputType t : {OutputType::multiple_choice, OutputType::loglikelihood, OutputType::loglikelihood_rolling,
                         OutputType::generate_until})
        if (s == output_type_name(t)) return t;
    throw Error(fmt::format("{}: \"output_type\": \"{}\" is not multiple_choice, loglikelihood, "
                            "loglikelihood_rolling or generate_until", where, s));
}

Task parse_task_file(const std::string& json, const std::string& path, const LoadOptions& opt) {
    dom::parser parser;
    dom::element root;
    if (auto err = parser.parse(json).get(root)) throw Error(fmt::format("{}: {}", path, simdjson::error_message(err)));
    if (root.type() != dom::element_type::OBJECT) throw Error(fmt::format("{}: expected a JSON object", path));
    dom::object cfg = root.get_object().value();

    auto opt_str = [&](const char* key, std::string& out) {
        dom::element e;
        if (cfg.at_key(key).get(e)) return false;
        std::string_view s;
        if (e.get_string().get(s)) throw Error(fmt::format("{}: \"{}\": expected a string", path, key));
        out = std::string(s);
        return true;
    };
    auto req_str = [&](const char* key, std::string& out) {
        if (!opt_str(key, out))
            throw Error(fmt::format("{}: missing \"{}\"", path, key), "see docs/TOOLS.md, eval-fewshot task files");
    };
    auto str_list = [&](dom::element e, const char* key) {
        std::vector<std::string> v;
        dom::array a;
        if (e.get_array().get(a)) throw Error(fmt::format("{}: \"{}\": expected an array of strings", path, key));
        for (dom::element x : a) {
            std::string_view s;
            if (x.get_string().get(s)) throw Error(fmt::format("{}: \"{}\": expected an array of strings", path, key));
            v.emplace_back(s);
        }
        return v;
    };

    Task t;
    TaskConfig& c = t.config;
    req_str("task", c.name);
    std::string type = "multiple_choice";
    opt_str("output_type", type);
    c.output_type = parse_output_type(type, path);
    std::string data, fewshot_data;
    req_str("data", data);
    opt_str("fewshot_data", fewshot_data);
    std::string base = std::filesystem::path(path).parent_path().string();
    auto resolve = [&](const std::string& f) {
        return f.empty() || std::filesystem::path(f).is_absolute() || base.empty() ? f : join_path(base, f);
    };
    data = opt.data.empty() ? resolve(data) : opt.data;
    fewshot_data = opt.fewshot_data.empty() ? resolve(fewshot_data) : opt.fewshot_data;
    c.dataset = data;
    c.eval_split = "data";
    c.fewshot_split = fewshot_data.empty() ? "data" : "fewshot_data";
    opt_str("description", c.description);
    opt_str("target_delimiter", c.target_delimiter);
    opt_str("fewshot_delimiter", c.fewshot_delimiter);

    // Templates. doc_to_choice: an array of fixed strings, or a template naming an array field.
    std::vector<std::string> fixed_choices;
    const bool mc = c.output_type == OutputType::multiple_choice;
    const bool rolling = c.output_type == OutputType::loglikelihood_rolling;
    if (!rolling) req_str("doc_to_text", c.doc_to_text);
    req_str("doc_to_target", c.doc_to_target);
    if (mc) {
        dom::element e;
        if (cfg.at_key("doc_to_choice").get(e))
            throw Error(fmt::format("{}: missing \"doc_to_choice\" (multiple_choice tasks need choices)", path));
        if (e.type() == dom::element_type::ARRAY) {
            fixed_choices = str_list(e, "doc_to_choice");
            c.doc_to_choice = simdjson::minify(e);
        } else if (e.type() == dom::element_type::STRING) {
            c.doc_to_choice = std::string(std::string_view(e.get_string().value()));
        } else {
            throw Error(fmt::format("{}: \"doc_to_choice\": expected an array of strings or a template", path));
        }
    }
    c.metrics = mc ? std::vector<std::string>{"acc", "acc_norm"}
              : c.output_type == OutputType::loglikelihood ? std::vector<std::string>{"perplexity", "acc"}
              : rolling ? std::vector<std::string>{"word_perplexity", "byte_perplexity", "bits_per_byte"}
                        : std::vector<std::string>{"exact_match", "f1"};
    {
        dom::element e;
        if (!cfg.at_key("metric_list").get(e)) c.metrics = str_list(e, "metric_list");
    }
    if (c.output_type == OutputType::generate_until) {
        c.until = {c.fewshot_delimiter};
        dom::element g;
        if (!cfg.at_key("generation_kwargs").get(g)) {
            dom::element e;
            if (g.type() != dom::element_type::OBJECT) throw Error(fmt::format("{}: \"generation_kwargs\": expected an object", path));
            if (!g.get_object().value().at_key("until").get(e)) c.until = str_list(e, "generation_kwargs.until");
            int64_t n = 0;
            if (!g.get_object().value().at_key("max_gen_toks").get(e)) {
                if (e.get_int64().get(n) || n <= 0)
                    throw Error(fmt::format("{}: \"generation_kwargs.max_gen_toks\": expected a positive integer", path));
                c.max_gen_toks = int(n);
            }
        }
        dom::element e;
        if (!cfg.at_key("ignore_case").get(e)) c.ignore_case = e.get_bool().value_unsafe();
        if (!cfg.at_key("ignore_punctuation").get(e)) c.ignore_punctuation = e.get_bool().value_unsafe();
    }
    {
        dom::element e;
        if (!cfg.at_key("version").get(e) && e.get_double().get(c.version))
            throw Error(fmt::format("{}: \"version\": expected a number", path));
    }
    c.fewshot_excludes_eval_doc = fewshot_data.empty();
    {
        dom::element e;
        if (!cfg.at_key("fewshot_excludes_eval_doc").get(e)) {
            bool b;
            if (e.get_bool().get(b)) throw Error(fmt::format("{}: \"fewshot_excludes_eval_doc\": expected true or false", path));
            c.fewshot_excludes_eval_doc = b;
        }
    }

    BadRecords bad{opt, t.bad_docs};
    auto load_docs = [&](const std::string& file, std::vector<Doc>& docs) {
        for_each_jsonl(file, bad, [&](dom::element obj, const std::string& where, std::string_view raw) {
            Doc d;
            d.where = where;
            d.identity = std::string(raw);
            if (!rolling) d.text = render(c.doc_to_text, obj, where);
            if (mc) {
                if (!fixed_choices.empty()) {
                    d.choices = fixed_choices;
                } else {
                    auto f = sole_field(c.doc_to_choice, obj, where);
                    if (!f || f->type() != dom::element_type::ARRAY)
                        throw Error(fmt::format("{}: doc_to_choice \"{}\" does not name an array field", where, c.doc_to_choice));
                    dom::array arr = f->get_array().value();
                    for (dom::element x : arr) d.choices.push_back(scalar_text(x, where, "a choice"));
                }
                if (d.choices.empty()) throw Error(fmt::format("{}: no choices", where));
                auto f = sole_field(c.doc_to_target, obj, where);
                if (f) {
                    d.gold = to_gold(*f, d.choices, where);
                } else {
                    std::string s = render(c.doc_to_target, obj, where);
                    dom::parser p2;
                    auto parsed = p2.parse(json_string(s));
                    d.gold = to_gold(parsed.value(), d.choices, where);
                }
            } else {
                auto f = sole_field(c.doc_to_target, obj, where);
                if (f && f->type() == dom::element_type::ARRAY) {
                    dom::array arr = f->get_array().value();
                    for (dom::element x : arr) d.references.push_back(scalar_text(x, where, "a reference"));
                    if (d.references.empty()) throw Error(fmt::format("{}: empty list of references", where));
                    d.target = d.references[0];
                } else {
                    d.target = f ? scalar_text(*f, where, "the target") : render(c.doc_to_target, obj, where);
                    d.references = {d.target};
                }
                if (rolling) {
                    d.words = count_words_python(d.target);
                    d.bytes = int64_t(d.target.size());
                }
            }
            docs.push_back(std::move(d));
        });
    };
    load_docs(data, t.docs);
    if (!fewshot_data.empty()) load_docs(fewshot_data, t.fewshot);
    else if (!rolling) t.fewshot = t.docs;
    return t;
}

Task load_task(const std::string& name_or_path, const LoadOptions& opt) {
    if (name_or_path.ends_with(".json") || name_or_path.find('/') != std::string::npos)
        return parse_task_file(read_file(name_or_path), name_or_path, opt);
    return load_builtin(name_or_path, opt);
}

} // namespace lmk
