// io/jsonl.h: JSONL documents in and out, keeping every field a tool does not touch.
//
// JsonlReader walks a stream one object per line (simdjson ondemand, parsed in place). A line
// that is not a JSON object is reported as `file:line: what`, counted and skipped, or thrown
// under `strict`. Blank lines are skipped and counted. Invalid UTF-8 is repaired to U+FFFD
// before parsing (counted in utf8_replaced()), so nothing downstream ever sees or writes
// invalid UTF-8. For the current record, fields() lists every top-level field with its raw
// JSON text, so a writer can re-emit the record byte-for-byte except for what changed.
//
// JsonlWriter writes records: either a fresh object built with JsonObjectWriter, or the
// current record of a reader with some fields replaced/added/removed (the rest copied raw).
//
//   lmk::JsonlReader in("docs.jsonl.gz", {.strict = false});
//   auto out = lmk::Output::open("-");
//   lmk::JsonlWriter w(*out);
//   while (in.next()) {
//       std::string_view text = in.get_string("text").value_or("");
//       w.write_record(in, {{"n_chars", lmk::json_number(text.size())}});
//   }
//   log_info("{} records, {} malformed", in.records(), in.malformed());
#pragma once
#include "lmk/io/file.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lmk {

struct JsonlOptions {
    bool strict = false;       // first malformed line throws instead of being skipped
    bool log_malformed = true; // log each malformed line (warn level) as file:line: what
    InputOptions input;        // passed to Input::open
};

enum class JsonType { object, array, string, number, boolean, null };

struct JsonField {
    std::string_view key;  // unescaped
    std::string_view raw;  // the value's JSON text exactly as in the input
    JsonType type;
};

class JsonlReader {
public:
    JsonlReader(const std::string& path, JsonlOptions opts = {});
    JsonlReader(std::unique_ptr<Input> in, JsonlOptions opts = {});
    ~JsonlReader();

    // Advances to the next well-formed object; false at end of input.
    bool next();

    const std::string& name() const;
    uint64_t line() const { return line_; }   // line number of the current record
    std::string_view raw_line() const { return raw_; }
    const std::vector<JsonField>& fields() const { return fields_; }
    const JsonField* find(std::string_view key) const;
    // The unescaped string value of a top-level field; nullopt if absent or not a string.
    // Valid until next().
    std::optional<std::string_view> get_string(std::string_view key);
    std::optional<double> get_number(std::string_view key) const;

    uint64_t records() const { return records_; }
    uint64_t malformed() const { return malformed_; }
    uint64_t blank_lines() const { return blank_; }
    uint64_t utf8_replaced() const { return utf8_replaced_; }
    uint64_t bytes_read() const; // decompressed bytes consumed
    Input& input();

    struct Impl; // internal
private:
    bool parse_line(std::string_view line);
    std::unique_ptr<Impl> impl_;
    JsonlOptions opts_;
    std::string_view raw_;
    std::vector<JsonField> fields_;
    uint64_t line_ = 0, records_ = 0, malformed_ = 0, blank_ = 0, utf8_replaced_ = 0;
};

// JSON text helpers. json_string escapes per RFC 8259 (", \, control chars as \n \t or
// \u00XX; U+2028/U+2029 left as UTF-8) and repairs invalid UTF-8 (counted in *replaced).
std::string json_string(std::string_view s, size_t* replaced = nullptr);
void append_json_string(std::string& out, std::string_view s, size_t* replaced = nullptr);
std::string json_number(double v);   // shortest round-trip form; integers without ".0"
std::string json_number(int64_t v);
std::string json_number(uint64_t v);
inline std::string json_number(int v) { return json_number(int64_t(v)); }
inline std::string json_number(size_t v, int) = delete;
// Unescapes a JSON string literal (with its quotes). Throws lmk::Error if malformed.
std::string json_unescape(std::string_view quoted);

// Builds one JSON object: {"k": v, ...}. Values are raw JSON text (use json_string etc.).
class JsonObjectWriter {
public:
    JsonObjectWriter& raw(std::string_view key, std::string_view json_value);
    JsonObjectWriter& str(std::string_view key, std::string_view value);
    JsonObjectWriter& num(std::string_view key, double v);
    JsonObjectWriter& num(std::string_view key, int64_t v);
    JsonObjectWriter& boolean(std::string_view key, bool v);
    std::string finish(); // returns the object text and resets
    size_t utf8_replaced() const { return replaced_; }

private:
    std::string s_;
    size_t replaced_ = 0;
};

// Field edits for JsonlWriter::write_record: value = raw JSON text, nullopt = remove field.
using JsonEdit = std::pair<std::string, std::optional<std::string>>;

class JsonlWriter {
public:
    explicit JsonlWriter(Output& out) : out_(out) {}
    // Writes `object` (one JSON object, no newline) followed by '\n'.
    void write_object(std::string_view object);
    // Re-emits the reader's current record: fields in input order, edited ones replaced in
    // place (or removed), new keys appended in the order given.
    void write_record(const JsonlReader& rec, const std::vector<JsonEdit>& edits = {});
    uint64_t records() const { return records_; }
    Output& output() { return out_; }

private:
    Output& out_;
    std::string line_;
    uint64_t records_ = 0;
};

} // namespace lmk
