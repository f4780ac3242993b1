// io/jsonl.cpp: see jsonl.h. Each line is parsed in place with simdjson ondemand (the
// LineReader guarantees padding after the line). Scalars are validated as they are read;
// nested objects/arrays are spanned with raw_json() and then fully validated by a DOM parse
// of just that span, so a malformed nested value still marks the line malformed.
#include "lmk/io/jsonl.h"
#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/core/utf8.h"

#include <cmath>
#include <simdjson.h>

namespace lmk {

static std::string_view trim_right(std::string_view s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
    return s;
}

// What one parsed line yields besides JsonlReader::fields_: per field, the unescaped string
// value (valid until the next parse) and whether the field is a string.
struct ParsedLine {
    std::vector<JsonField>& fields;
    std::vector<std::string_view>& strings;
    std::vector<bool>& is_string;
};

namespace od = simdjson::ondemand;

// Parses one line in place into fields/strings. simdjson's ondemand API is header-only and
// compiled here for baseline x86-64 (its "fallback" kernels): Release binaries must run on
// any x86-64, and simdjson 3.0 offers no runtime-dispatched ondemand. Stage-1 UTF-8
// validation happens inside (a UTF8_ERROR sends the line to repair).
struct LineParser {
    od::parser parser;
    od::document doc;
    simdjson::dom::parser& nested;
    explicit LineParser(simdjson::dom::parser& n) : nested(n) {}

    bool parse(std::string_view text, size_t cap, ParsedLine& out, std::string& what) {
        auto fail_with = [&](std::string w) {
            what = std::move(w);
            return false;
        };
        auto& fields_ = out.fields;
        auto err = parser.iterate(simdjson::padded_string_view(text.data(), text.size(), cap)).get(doc);
        if (err) return fail_with(simdjson::error_message(err));
        od::object obj;
        err = doc.get_object().get(obj);
        if (err) {
            od::json_type t;
            if (!doc.type().get(t) && t != od::json_type::object) return fail_with("not a JSON object");
            return fail_with(simdjson::error_message(err));
        }
        for (auto field_result : obj) {
            od::field field;
            if ((err = std::move(field_result).get(field))) return fail_with(simdjson::error_message(err));
            std::string_view key;
            if ((err = field.unescaped_key().get(key))) return fail_with(simdjson::error_message(err));
            od::value v = field.value();
            od::json_type t;
            if ((err = v.type().get(t))) return fail_with(simdjson::error_message(err));
            JsonField f{key, {}, JsonType::null};
            std::string_view sv;
            switch (t) {
            case od::json_type::string:
                f.type = JsonType::string;
                f.raw = trim_right(v.raw_json_token());
                if ((err = v.get_string().get(sv))) return fail_with(simdjson::error_message(err));
                break;
            case od::json_type::number: {
                f.type = JsonType::number;
                f.raw = trim_right(v.raw_json_token());
                od::number num;
                if ((err = v.get_number().get(num))) return fail_with(simdjson::error_message(err));
                break;
            }
            case od::json_type::boolean: {
                f.type = JsonType::boolean;
                f.raw = trim_right(v.raw_json_token());
                bool b;
                if ((err = v.get_bool().get(b))) return fail_with(simdjson::error_message(err));
                break;
            }
            case od::json_type::null: {
                f.type = JsonType::null;
                f.raw = trim_right(v.raw_json_token());
                bool isnull = false;
                if ((err = v.is_null().get(isnull)) || !isnull) return fail_with("invalid literal");
                break;
            }
            case od::json_type::object:
            case od::json_type::array: {
                f.type = t == od::json_type::object ? JsonType::object : JsonType::array;
                if (t == od::json_type::object) {
                    od::object o;
                    if ((err = v.get_object().get(o)) || (err = o.raw_json().get(f.raw)))
                        return fail_with(simdjson::error_message(err));
                } else {
                    od::array a;
                    if ((err = v.get_array().get(a)) || (err = a.raw_json().get(f.raw)))
                        return fail_with(simdjson::error_message(err));
                }
                f.raw = trim_right(f.raw);
                // raw_json() only counts brackets: validate the nested value fully. The line's
                // padding lies after the span, so it can be parsed in place.
                simdjson::dom::element el;
                if ((err = nested.parse(f.raw.data(), f.raw.size(), false).get(el)))
                    return fail_with(fmt::format("in field \"{}\": {}", key, simdjson::error_message(err)));
                break;
            }
            }
            fields_.push_back(f);
            out.strings.push_back(sv);
            out.is_string.push_back(t == od::json_type::string);
        }
        const char* rest = nullptr; // in bounds after the object = another token follows
        if (!doc.current_location().get(rest)) return fail_with("trailing content after the JSON object");
        return true;
    }
};

struct JsonlReader::Impl {
    std::unique_ptr<Input> in;
    LineReader lines;
    simdjson::dom::parser nested;
    LineParser parser;
    std::string repaired;                  // line copy with invalid UTF-8 replaced (padded)
    std::vector<std::string_view> strings; // unescaped string values, per field (or empty)
    std::vector<bool> is_string;
    explicit Impl(std::unique_ptr<Input> i) : in(std::move(i)), lines(*in), parser(nested) {}
};

JsonlReader::JsonlReader(const std::string& path, JsonlOptions opts)
    : JsonlReader(Input::open(path, opts.input), opts) {}

JsonlReader::JsonlReader(std::unique_ptr<Input> in, JsonlOptions opts)
    : impl_(std::make_unique<Impl>(std::move(in))), opts_(opts) {}

JsonlReader::~JsonlReader() = default;

const std::string& JsonlReader::name() const { return impl_->in->name(); }
uint64_t JsonlReader::bytes_read() const { return impl_->lines.bytes_consumed(); }
Input& JsonlReader::input() { return *impl_->in; }


static bool is_blank(std::string_view s) {
    for (char c : s)
        if (c != ' ' && c != '\t' && c != '\r') return false;
    return true;
}

bool JsonlReader::parse_line(std::string_view line) {
    Impl& m = *impl_;
    fields_.clear();
    m.strings.clear();
    m.is_string.clear();
    ParsedLine out{fields_, m.strings, m.is_string};
    std::string what;
    size_t cap = line.size() + LineReader::kLinePadding;
    bool ok = m.parser.parse(line, cap, out, what);
    if (!ok && what == simdjson::error_message(simdjson::UTF8_ERROR)) {
        // simdjson validated UTF-8 for us and found a bad sequence: repair, count, reparse.
        size_t replaced = 0;
        m.repaired = repair_utf8(line, &replaced);
        utf8_replaced_ += replaced;
        log_debug("{}:{}: {} invalid UTF-8 sequence(s) replaced by U+FFFD", name(), line_, replaced);
        m.repaired.reserve(m.repaired.size() + simdjson::SIMDJSON_PADDING);
        line = m.repaired;
        fields_.clear();
        m.strings.clear();
        m.is_string.clear();
        ok = m.parser.parse(line, m.repaired.capacity(), out, what);
    }
    if (ok) {
        raw_ = line;
        return true;
    }
    malformed_++;
    std::string msg = fmt::format("{}:{}: malformed JSON line: {}", name(), line_, what);
    if (opts_.strict) throw Error(msg, "fix or remove the line, or run without --strict to skip it");
    if (opts_.log_malformed) log_warn("{} (skipped)", msg);
    return false;
}

bool JsonlReader::next() {
    Impl& m = *impl_;
    std::string_view line;
    while (m.lines.next(line)) {
        line_ = m.lines.line_number();
        if (is_blank(line)) {
            blank_++;
            continue;
        }
        if (parse_line(line)) {
            records_++;
            return true;
        }
    }
    return false;
}

const JsonField* JsonlReader::find(std::string_view key) const {
    for (const auto& f : fields_)
        if (f.key == key) return &f;
    return nullptr;
}

std::optional<std::string_view> JsonlReader::get_string(std::string_view key) {
    for (size_t i = 0; i < fields_.size(); i++)
        if (fields_[i].key == key) {
            if (!impl_->is_string[i]) return std::nullopt;
            return impl_->strings[i];
        }
    return std::nullopt;
}

std::optional<double> JsonlReader::get_number(std::string_view key) const {
    const JsonField* f = find(key);
    if (!f || f->type != JsonType::number) return std::nullopt;
    return std::strtod(std::string(f->raw).c_str(), nullptr);
}

// ---------------------------------------------------------------------------------------
// Writing

void append_json_string(std::string& out, std::string_view s, size_t* replaced) {
    static const char* hex = "0123456789abcdef";
    out += '"';
    const char* p = s.data();
    size_t n = s.size(), i = 0, run = 0;
    while (i < n) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            continue;
        }
        out.append(p + run, i - run);
        if (c >= 0x80) {
            uint32_t cp;
            size_t k = utf8_decode(p + i, n - i, &cp);
            if (k) {
                out.append(p + i, k);
                i += k;
            } else {
                out += "\xEF\xBF\xBD";
                i += utf8_invalid_length(p + i, n - i);
                if (replaced) ++*replaced;
            }
        } else {
            switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 15];
            }
            i++;
        }
        run = i;
    }
    out.append(p + run, n - run);
    out += '"';
}

std::string json_string(std::string_view s, size_t* replaced) {
    std::string out;
    out.reserve(s.size() + 2);
    append_json_string(out, s, replaced);
    return out;
}

std::string json_number(double v) {
    if (!std::isfinite(v)) return "null";
    if (v == std::floor(v) && std::fabs(v) < 9.007199254740992e15) return fmt::format("{}", int64_t(v));
    return fmt::format("{}", v);
}
std::string json_number(int64_t v) { return fmt::format("{}", v); }
std::string json_number(uint64_t v) { return fmt::format("{}", v); }

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string json_unescape(std::string_view q) {
    LMK_CHECK(q.size() >= 2 && q.front() == '"' && q.back() == '"', "not a JSON string: {}", q.substr(0, 40));
    std::string out;
    out.reserve(q.size());
    auto read_u16 = [&](size_t at) -> uint32_t {
        LMK_CHECK(at + 4 <= q.size() - 1, "truncated \\u escape in JSON string");
        uint32_t v = 0;
        for (size_t k = 0; k < 4; k++) {
            int h = hex_value(q[at + k]);
            LMK_CHECK(h >= 0, "bad \\u escape in JSON string");
            v = v * 16 + uint32_t(h);
        }
        return v;
    };
    for (size_t i = 1; i + 1 < q.size(); i++) {
        char c = q[i];
        if (c != '\\') {
            LMK_CHECK((unsigned char)c >= 0x20 && c != '"', "unescaped control character or quote in JSON string");
            out += c;
            continue;
        }
        LMK_CHECK(i + 2 < q.size(), "dangling backslash in JSON string");
        char e = q[++i];
        switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
            uint32_t cp = read_u16(i + 1);
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 < q.size() && q[i + 1] == '\\' && q[i + 2] == 'u') {
                uint32_t lo = read_u16(i + 3);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                }
            }
            if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD; // lone surrogate
            utf8_append(out, cp);
            break;
        }
        default: fail("bad escape \\{} in JSON string", e);
        }
    }
    return out;
}

JsonObjectWriter& JsonObjectWriter::raw(std::string_view key, std::string_view json_value) {
    s_ += s_.empty() ? '{' : ',';
    append_json_string(s_, key, &replaced_);
    s_ += ':';
    s_ += json_value;
    return *this;
}
JsonObjectWriter& JsonObjectWriter::str(std::string_view key, std::string_view value) {
    s_ += s_.empty() ? '{' : ',';
    append_json_string(s_, key, &replaced_);
    s_ += ':';
    append_json_string(s_, value, &replaced_);
    return *this;
}
JsonObjectWriter& JsonObjectWriter::num(std::string_view key, double v) { return raw(key, json_number(v)); }
JsonObjectWriter& JsonObjectWriter::num(std::string_view key, int64_t v) { return raw(key, json_number(v)); }
JsonObjectWriter& JsonObjectWriter::boolean(std::string_view key, bool v) { return raw(key, v ? "true" : "false"); }
std::string JsonObjectWriter::finish() {
    std::string out = s_.empty() ? "{}" : s_ + "}";
    s_.clear();
    return out;
}

void JsonlWriter::write_object(std::string_view object) {
    out_.write(object);
    out_.put('\n');
    records_++;
}

void JsonlWriter::write_record(const JsonlReader& rec, const std::vector<JsonEdit>& edits) {
    if (edits.empty()) { // untouched: the (UTF-8-repaired) input line, byte for byte
        write_object(rec.raw_line());
        return;
    }
    line_.clear();
    line_ += '{';
    bool first = true;
    std::vector<bool> used(edits.size(), false);
    auto emit = [&](std::string_view key, std::string_view value) {
        if (!first) line_ += ',';
        first = false;
        append_json_string(line_, key);
        line_ += ':';
        line_ += value;
    };
    for (const auto& f : rec.fields()) {
        const JsonEdit* edit = nullptr;
        for (size_t i = 0; i < edits.size(); i++)
            if (edits[i].first == f.key) {
                edit = &edits[i];
                used[i] = true;
            }
        if (!edit) emit(f.key, f.raw);
        else if (edit->second) emit(f.key, *edit->second);
    }
    for (size_t i = 0; i < edits.size(); i++)
        if (!used[i] && edits[i].second) emit(edits[i].first, *edits[i].second);
    line_ += '}';
    write_object(line_);
}

} // namespace lmk
