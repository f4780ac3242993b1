// io/inspect.cpp: content detection and per-format summaries (see inspect.h).
//
// Detection peeks at the first 64 KiB of the decompressed stream; each summariser then reads
// the file again from the start with the format's own reader, so what inspect reports is
// exactly what the tools that consume the file will see (same counts of damage, same fields).
// Standard input cannot be reopened, so it is first copied into an anonymous memory file.
#include "lmk/io/inspect.h"

#include "lmk/core/error.h"
#include "lmk/core/utf8.h"
#include "lmk/io/file.h"
#include "lmk/io/jsonl.h"
#include "lmk/io/safetensors.h"
#include "lmk/io/shard.h"
#include "lmk/io/warc.h"

#include <fmt/format.h>
#include <simdjson.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <unordered_map>

namespace lmk {

namespace {

constexpr size_t kPeekBytes = 64 << 10;

// Counts keyed by string, remembering first-appearance order; at most `cap` distinct keys
// (the rest are summed under "(other)").
class Counter {
public:
    explicit Counter(size_t cap) : cap_(cap) {}
    void add(std::string_view key, uint64_t n = 1) {
        auto it = index_.find(std::string(key));
        if (it != index_.end()) {
            items_[it->second].second += n;
        } else if (items_.size() < cap_) {
            index_.emplace(std::string(key), items_.size());
            items_.emplace_back(std::string(key), n);
        } else {
            other_ += n;
        }
    }
    // In first-appearance order, or by descending count then name.
    InspectObject object(bool by_count) const {
        auto items = items_;
        if (by_count)
            std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
                return a.second != b.second ? a.second > b.second : a.first < b.first;
            });
        InspectObject o;
        for (auto& [k, n] : items) o.emplace_back(k, InspectValue(n));
        if (other_) o.emplace_back("(other)", InspectValue(other_));
        return o;
    }

private:
    size_t cap_;
    std::vector<std::pair<std::string, uint64_t>> items_;
    std::unordered_map<std::string, size_t> index_;
    uint64_t other_ = 0;
};

// Where to read a file from: by name for the streaming readers, by a mappable path for the
// mmap readers. Standard input is made seekable first (see stdin_to_memory), and rewound
// before every pass, so each reader sees it from the start and names it "<stdin>".
struct Source {
    std::string stream; // for Input::open and the readers built on it
    std::string mapped; // for Shard / SafetensorsFile
    const std::string& open() const {
        if (stream == "-") ::lseek(STDIN_FILENO, 0, SEEK_SET);
        return stream;
    }
};

std::string peek(const Source& src, std::string& compression) {
    auto in = Input::open(src.open(), InputOptions{.tolerate_damage = true});
    std::string buf(kPeekBytes, '\0');
    size_t have = 0;
    while (have < buf.size()) {
        size_t got = in->read(buf.data() + have, buf.size() - have);
        if (got == 0) break;
        have += got;
    }
    buf.resize(have);
    compression = compression_name(in->compression());
    return buf;
}

int32_t load_i32(const char* p) {
    uint32_t u = 0;
    for (int i = 3; i >= 0; i--) u = u << 8 | uint8_t(p[i]);
    return int32_t(u);
}

// Parses a JSON object from text (copied into padded storage); false if it is not one.
bool parse_object(simdjson::dom::parser& parser, std::string_view text, simdjson::dom::object& out) {
    simdjson::dom::element e;
    if (parser.parse(text.data(), text.size(), true).get(e)) return false;
    return !e.get_object().get(out);
}

bool looks_like_tokenizer(simdjson::dom::object o) {
    simdjson::dom::object model;
    return !o["model"].get_object().get(model) && (!o["added_tokens"].error() || !model["vocab"].error());
}

// ---------------------------------------------------------------------------------------------
// Summaries, one per format. Each fills r.summary (and may refine r.format / r.label).

void summarise_jsonl(InspectResult& r, const Source& src, const InspectOptions& opts) {
    JsonlReader in(src.open(), JsonlOptions{.strict = false, .log_malformed = true, .input = {.tolerate_damage = true}});
    Counter fields(opts.max_list);
    uint64_t text_bytes = 0;
    while (in.next()) {
        for (const auto& f : in.fields()) fields.add(f.key);
        if (auto t = in.get_string("text")) text_bytes += t->size();
    }
    uint64_t damaged = in.input().damage_count();
    r.summary = {{"documents", in.records()},
                 {"bytes", in.bytes_read()},
                 {"text bytes", text_bytes},
                 {"malformed lines", in.malformed()},
                 {"blank lines", in.blank_lines()},
                 {"invalid UTF-8 replaced", in.utf8_replaced()}};
    if (damaged) r.summary.emplace_back("damaged compressed members", damaged);
    r.summary.emplace_back("fields", fields.object(false));
}

void summarise_warc(InspectResult& r, const Source& src, const InspectOptions& opts) {
    WarcReader in(src.open());
    Counter types(opts.max_list), langs(opts.max_list);
    uint64_t body_bytes = 0;
    WarcRecord rec;
    while (in.next(rec)) {
        types.add(rec.type().empty() ? std::string_view("(none)") : rec.type());
        std::string_view lang = rec.header("WARC-Identified-Content-Language");
        if (!lang.empty()) langs.add(lang);
        body_bytes += rec.body.size();
    }
    const WarcStats& st = in.stats();
    InspectObject by_type = types.object(true);
    bool wet = std::any_of(by_type.begin(), by_type.end(), [](const auto& kv) { return kv.first == "conversion"; });
    bool html = std::any_of(by_type.begin(), by_type.end(), [](const auto& kv) { return kv.first == "response"; });
    if (wet && !html) {
        r.format = "wet";
        r.label = "WET";
    }
    r.summary = {{"records", st.records},
                 {"body bytes", body_bytes},
                 {"truncated records", st.truncated},
                 {"damaged members", st.damaged_members},
                 {"garbage bytes", st.garbage_bytes},
                 {"bad headers", st.bad_headers},
                 {"types", std::move(by_type)},
                 {"languages", langs.object(true)}};
}

void summarise_shard(InspectResult& r, const Source& src, const InspectOptions& opts) {
    if (r.compression != "none")
        throw Error(fmt::format("{}: a {}-compressed token shard cannot be memory-mapped", r.path, r.compression),
                    "decompress it first");
    Shard s(src.mapped);
    r.summary = {{"version", s.version()},
                 {"token bytes", s.version() == 1 ? 2 : 4},
                 {"tokens", uint64_t(s.size())},
                 {"max id", uint64_t(s.max_id())}};
    if (opts.eot >= 0) {
        uint64_t n = 0;
        for (size_t i = 0; i < s.size(); i++) n += s[i] == uint64_t(opts.eot);
        r.summary.emplace_back("eot id", opts.eot);
        r.summary.emplace_back("eot tokens", n);
    }
}

void summarise_safetensors(InspectResult& r, const Source& src, const InspectOptions& opts) {
    if (r.compression != "none")
        throw Error(fmt::format("{}: a {}-compressed safetensors file cannot be memory-mapped", r.path,
                                r.compression),
                    "decompress it first");
    SafetensorsFile f(src.mapped);
    Counter dtypes(opts.max_list);
    uint64_t params = 0, bytes = 0;
    InspectArray list;
    for (const auto& t : f.tensors()) {
        dtypes.add(dtype_name(t.dtype));
        params += uint64_t(t.numel());
        bytes += t.nbytes;
        if (list.size() < opts.max_list) {
            InspectArray shape;
            for (int64_t d : t.shape) shape.emplace_back(d);
            list.emplace_back(InspectObject{{"name", t.name}, {"dtype", dtype_name(t.dtype)}, {"shape", shape}});
        }
    }
    InspectObject meta;
    for (const auto& [k, v] : f.metadata()) meta.emplace_back(k, v);
    r.summary = {{"tensors", uint64_t(f.tensors().size())},
                 {"parameters", params},
                 {"data bytes", bytes},
                 {"dtypes", dtypes.object(true)},
                 {"metadata", std::move(meta)},
                 {"tensor list", std::move(list)}};
}

// "ByteLevel", "Sequence[Split, ByteLevel]", or "none" for null/absent.
std::string component_type(simdjson::dom::element e) {
    simdjson::dom::object o;
    if (e.get_object().get(o)) return "none";
    std::string_view type;
    if (o["type"].get_string().get(type)) return "?";
    if (type != "Sequence") return std::string(type);
    std::vector<std::string> inner;
    for (const char* key : {"normalizers", "pretokenizers", "decoders", "processors"}) {
        simdjson::dom::array a;
        if (o[key].get_array().get(a)) continue;
        for (auto x : a) inner.push_back(component_type(x));
    }
    return fmt::format("Sequence[{}]", fmt::join(inner, ", "));
}

void summarise_tokenizer(InspectResult& r, simdjson::dom::object o, const InspectOptions& opts) {
    simdjson::dom::object model;
    if (o["model"].get_object().get(model)) fail("{}: tokenizer.json has no \"model\" object", r.path);
    std::string_view type;
    if (model["type"].get_string().get(type)) type = "?";
    std::set<int64_t> ids;
    uint64_t vocab = 0;
    simdjson::dom::object vobj;
    simdjson::dom::array varr;
    if (!model["vocab"].get_object().get(vobj)) { // BPE, WordPiece, WordLevel: token -> id
        for (auto kv : vobj) {
            vocab++;
            int64_t id;
            if (!kv.value.get_int64().get(id)) ids.insert(id);
        }
    } else if (!model["vocab"].get_array().get(varr)) { // Unigram: [[piece, score], ...]
        for (auto x : varr) {
            (void)x;
            ids.insert(int64_t(vocab++));
        }
    }
    uint64_t merges = 0;
    simdjson::dom::array marr;
    if (!model["merges"].get_array().get(marr)) merges = marr.size();
    uint64_t added = 0;
    InspectArray specials, others;
    simdjson::dom::array at;
    if (!o["added_tokens"].get_array().get(at))
        for (auto t : at) {
            added++;
            int64_t id;
            if (!t["id"].get_int64().get(id)) ids.insert(id);
            std::string_view content;
            bool special = false;
            if (t["content"].get_string().get(content)) content = {};
            if (t["special"].get_bool().get(special)) special = false;
            InspectArray& dst = special ? specials : others;
            if (dst.size() < opts.max_list) dst.emplace_back(std::string(content));
        }
    r.summary = {{"model", std::string(type)},
                 {"vocab size", uint64_t(ids.size())},
                 {"model vocab", vocab}};
    if (type == "BPE") r.summary.emplace_back("merges", merges);
    r.summary.emplace_back("added tokens", added);
    r.summary.emplace_back("special tokens", std::move(specials));
    if (!others.empty()) r.summary.emplace_back("other added tokens", std::move(others));
    for (const char* key : {"normalizer", "pre_tokenizer", "post_processor", "decoder"}) {
        simdjson::dom::element e;
        r.summary.emplace_back(key, o[key].get(e) ? std::string("none") : component_type(e));
    }
}

void summarise_json(InspectResult& r, simdjson::dom::element e, const InspectOptions& opts) {
    simdjson::dom::object o;
    simdjson::dom::array a;
    if (!e.get_object().get(o)) {
        InspectArray keys;
        uint64_t n = 0;
        for (auto kv : o) {
            n++;
            if (keys.size() < opts.max_list) keys.emplace_back(std::string(kv.key));
        }
        r.summary = {{"top level", "object"}, {"keys", n}, {"key names", std::move(keys)}};
    } else if (!e.get_array().get(a)) {
        r.summary = {{"top level", "array"}, {"elements", uint64_t(a.size())}};
    } else {
        r.summary = {{"top level", "scalar"}};
    }
}

void summarise_text(InspectResult& r, const Source& src) {
    auto in = Input::open(src.open(), InputOptions{.tolerate_damage = true});
    LineReader lines(*in);
    std::string_view line;
    uint64_t n = 0, invalid = 0, longest = 0;
    while (lines.next(line)) {
        n++;
        longest = std::max<uint64_t>(longest, line.size());
        if (!utf8_valid(line)) invalid++;
    }
    if (r.format == "text")
        r.summary = {{"lines", n}, {"bytes", in->out_offset()}, {"longest line", longest},
                     {"lines with invalid UTF-8", invalid}};
    else
        r.summary = {{"bytes", in->out_offset()}};
}

void inspect_source(InspectResult& r, const Source& path, const InspectOptions& opts) {
    std::string head = peek(path, r.compression);
    auto set = [&](const char* format, const char* label) {
        r.format = format;
        r.label = label;
    };
    if (head.empty()) {
        set("empty", "empty");
        r.summary = {{"bytes", uint64_t(0)}};
        return;
    }
    if (head.compare(0, 5, "WARC/") == 0) {
        set("warc", "WARC");
        return summarise_warc(r, path, opts);
    }
    if (head.size() >= 1024 && load_i32(head.data()) == kShardMagic) {
        set("shard", "llm.c token shard");
        return summarise_shard(r, path, opts);
    }
    if (head.size() >= 10 && head[8] == '{') {
        uint64_t n = 0;
        for (int i = 7; i >= 0; i--) n = n << 8 | uint8_t(head[i]);
        if (n >= 2 && n <= (100u << 20)) {
            set("safetensors", "safetensors");
            return summarise_safetensors(r, path, opts);
        }
    }
    size_t start = head.find_first_not_of(" \t\r\n");
    if (start != std::string::npos && (head[start] == '{' || head[start] == '[')) {
        simdjson::dom::parser parser;
        size_t nl = head.find('\n', start);
        simdjson::dom::object first;
        bool first_line_object =
            head[start] == '{' && nl != std::string::npos && parse_object(parser, head.substr(start, nl - start), first);
        if (first_line_object && !looks_like_tokenizer(first)) {
            set("jsonl", "JSONL");
            return summarise_jsonl(r, path, opts);
        }
        // One JSON document (pretty-printed, or a single line): read it whole.
        std::string text = read_file(path.open());
        simdjson::dom::element doc;
        if (!parser.parse(text).get(doc)) {
            simdjson::dom::object o;
            if (!doc.get_object().get(o) && looks_like_tokenizer(o)) {
                set("tokenizer.json", "Hugging Face tokenizer.json");
                return summarise_tokenizer(r, o, opts);
            }
            set("json", "JSON");
            return summarise_json(r, doc, opts);
        }
        if (head[start] == '{') { // neither one document nor a clean first line: JSONL with damage
            set("jsonl", "JSONL");
            return summarise_jsonl(r, path, opts);
        }
    }
    // Text if the peeked bytes are UTF-8 without NULs (a sequence cut by the peek is allowed).
    size_t bad = utf8_first_invalid(head);
    bool text = head.find('\0') == std::string::npos && (bad == head.size() || (head.size() == kPeekBytes &&
                                                                                 bad + 4 > head.size()));
    if (text) set("text", "text");
    else set("binary", "binary data (unrecognised)");
    summarise_text(r, path);
}

// Standard input cannot be reopened: copy it into an anonymous memory file and make that
// file descriptor 0, so it can be rewound for every pass and still reads as "<stdin>".
void stdin_to_memory() {
    int fd = memfd_create("lmk-inspect-stdin", MFD_CLOEXEC);
    if (fd < 0) fail("<stdin>: cannot create a memory file: {}", errno_text(errno));
    char buf[1 << 16];
    for (;;) {
        ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int e = errno;
            ::close(fd);
            fail("<stdin>: read error: {}", errno_text(e));
        }
        if (n == 0) break;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = ::write(fd, buf + off, size_t(n - off));
            if (w < 0) {
                int e = errno;
                ::close(fd);
                fail("<stdin>: cannot buffer: {}", errno_text(e));
            }
            off += w;
        }
    }
    if (::dup2(fd, STDIN_FILENO) < 0) {
        int e = errno;
        ::close(fd);
        fail("<stdin>: dup2: {}", errno_text(e));
    }
    ::close(fd);
}

// Human-readable rendering helpers.
std::string printable(std::string_view s) {
    std::string clean = repair_utf8(s);
    std::string out;
    for (char c : clean) {
        if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if (c == '\t') out += "\\t";
        else if (uint8_t(c) < 0x20) out += fmt::format("\\x{:02x}", uint8_t(c));
        else out += c;
    }
    return out;
}

bool is_scalar(const InspectValue& v) {
    return !std::holds_alternative<InspectObject>(v.v) && !std::holds_alternative<InspectArray>(v.v);
}

std::string scalar_text(const InspectValue& v) {
    if (auto* u = std::get_if<uint64_t>(&v.v)) return std::to_string(*u);
    if (auto* i = std::get_if<int64_t>(&v.v)) return std::to_string(*i);
    if (auto* d = std::get_if<double>(&v.v)) return fmt::format("{}", *d);
    if (auto* b = std::get_if<bool>(&v.v)) return *b ? "true" : "false";
    if (auto* s = std::get_if<std::string>(&v.v)) return printable(*s);
    return "?";
}

// Compact one-line form of any value: scalars as text, arrays as [a, b], objects as k=v.
std::string inline_text(const InspectValue& v) {
    if (is_scalar(v)) return scalar_text(v);
    std::vector<std::string> parts;
    if (auto* a = std::get_if<InspectArray>(&v.v)) {
        for (const auto& x : *a) parts.push_back(inline_text(x));
        return fmt::format("[{}]", fmt::join(parts, ", "));
    }
    for (const auto& [k, x] : std::get<InspectObject>(v.v)) parts.push_back(k + "=" + inline_text(x));
    return fmt::format("{}", fmt::join(parts, " "));
}

void render_entry(std::string& out, const std::string& key, const InspectValue& v, int indent) {
    std::string pad(size_t(indent), ' ');
    if (is_scalar(v)) {
        out += fmt::format("{}{}: {}\n", pad, key, scalar_text(v));
    } else if (auto* a = std::get_if<InspectArray>(&v.v)) {
        if (a->empty()) {
            out += fmt::format("{}{}: (none)\n", pad, key);
        } else if (std::all_of(a->begin(), a->end(), is_scalar)) {
            std::vector<std::string> parts;
            for (const auto& x : *a) parts.push_back(scalar_text(x));
            out += fmt::format("{}{}: {}\n", pad, key, fmt::join(parts, ", "));
        } else {
            // A table: one element per line, its fields' values separated by spaces.
            out += fmt::format("{}{}:\n", pad, key);
            for (const auto& x : *a) {
                std::vector<std::string> cells;
                if (auto* o = std::get_if<InspectObject>(&x.v))
                    for (const auto& [k, y] : *o) cells.push_back(inline_text(y));
                else
                    cells.push_back(inline_text(x));
                out += fmt::format("{}  {}\n", pad, fmt::join(cells, " "));
            }
        }
    } else {
        const auto& o = std::get<InspectObject>(v.v);
        if (o.empty()) {
            out += fmt::format("{}{}: (none)\n", pad, key);
            return;
        }
        out += fmt::format("{}{}:\n", pad, key);
        for (const auto& [k, x] : o) render_entry(out, printable(k), x, indent + 2);
    }
}

void render_json_value(std::string& out, const InspectValue& v) {
    if (auto* d = std::get_if<double>(&v.v)) out += json_number(*d);
    else if (auto* s = std::get_if<std::string>(&v.v)) append_json_string(out, *s);
    else if (auto* a = std::get_if<InspectArray>(&v.v)) {
        out += '[';
        for (size_t i = 0; i < a->size(); i++) {
            if (i) out += ',';
            render_json_value(out, (*a)[i]);
        }
        out += ']';
    } else if (auto* o = std::get_if<InspectObject>(&v.v)) {
        out += '{';
        for (size_t i = 0; i < o->size(); i++) {
            if (i) out += ',';
            append_json_string(out, (*o)[i].first);
            out += ':';
            render_json_value(out, (*o)[i].second);
        }
        out += '}';
    } else {
        out += scalar_text(v);
    }
}

// JSON keys are the display keys with spaces as underscores: "malformed lines" -> "malformed_lines".
std::string json_key(const std::string& k) {
    std::string s = k;
    std::replace(s.begin(), s.end(), ' ', '_');
    return s;
}

} // namespace

InspectResult inspect_file(const std::string& path, const InspectOptions& opts) {
    InspectResult r;
    r.path = path;
    try {
        Source src{path, path};
        if (path == "-") {
            // A regular file (a redirect, or the copy made for an earlier "-") can be rewound.
            struct stat st {};
            if (fstat(STDIN_FILENO, &st) != 0 || !S_ISREG(st.st_mode)) stdin_to_memory();
            src.mapped = "/proc/self/fd/0";
        }
        inspect_source(r, src, opts);
        r.ok = true;
    } catch (const Error& e) {
        r.error = e.what();
        if (!e.hint().empty()) r.error += fmt::format(" (hint: {})", e.hint());
    } catch (const std::exception& e) {
        r.error = fmt::format("{}: {}", path, e.what());
    }
    if (path == "-") {
        const std::string mapped = "/proc/self/fd/0";
        for (size_t p; (p = r.error.find(mapped)) != std::string::npos;) r.error.replace(p, mapped.size(), "<stdin>");
    }
    return r;
}

std::string render_text(const InspectResult& r) {
    std::string out = fmt::format("{}: {}", printable(r.path), r.label);
    if (!r.compression.empty() && r.compression != "none") out += fmt::format(" ({})", r.compression);
    out += '\n';
    for (const auto& [k, v] : r.summary) render_entry(out, k, v, 2);
    return out;
}

std::string render_json(const InspectResult& r) {
    std::string out = "{\"file\":";
    append_json_string(out, r.path);
    if (!r.ok) {
        out += ",\"error\":";
        append_json_string(out, r.error);
        return out + "}";
    }
    out += ",\"format\":";
    append_json_string(out, r.format);
    out += ",\"compression\":";
    append_json_string(out, r.compression);
    for (const auto& [k, v] : r.summary) {
        out += ',';
        append_json_string(out, json_key(k));
        out += ':';
        // Nested keys keep their spelling (they are data: field names, languages, tensor names).
        render_json_value(out, v);
    }
    return out + "}";
}

} // namespace lmk
