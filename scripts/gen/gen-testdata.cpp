// gen-testdata OUTDIR: writes the small fixtures the required tests use (testdata/README.md
// lists every file and what is in it). Deterministic: the same seed gives byte-identical
// files on every run and machine (tests/scripts/testdata_deterministic.sh checks it), so the
// fixtures are generated at test time and never committed.
//
// Everything is written through the project's own writers (lmk::Output, JsonObjectWriter,
// WarcWriter); the malformed cases are made by damaging well-formed bytes in known ways.
#include "gen_common.h"

#include "lmk/core/cli.h"
#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/io/file.h"
#include "lmk/io/jsonl.h"
#include "lmk/io/shard.h"
#include "lmk/io/warc.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace {

struct Options {
    std::string outdir;
};

// Raw bytes of a file as stored (no decompression), to damage them on purpose.
std::string read_raw(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    LMK_CHECK(f.good(), "{}: cannot open", path);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

void write_raw(const std::string& path, std::string_view bytes) {
    lmk::write_file(path, bytes, {.binary = true, .raw = true});
}

// ---- docs.jsonl -------------------------------------------------------------------------

struct Doc {
    std::string id, text, url, lang;
    int seq;
};

// Replaces the k-th space-separated word that has no line break in it.
std::string replace_word(const std::string& text, size_t k, std::string_view with) {
    size_t start = 0, seen = 0;
    while (start < text.size()) {
        size_t end = text.find(' ', start);
        if (end == std::string::npos) end = text.size();
        std::string_view w(text.data() + start, end - start);
        if (w.find('\n') == std::string_view::npos && w.find('.') == std::string_view::npos && seen++ == k)
            return text.substr(0, start) + std::string(with) + text.substr(end);
        start = end + 1;
    }
    lmk::fail("replace_word: text has fewer than {} words", k + 1);
}

// 50 documents: doc-000..039 are 5 originals per language (en de fr es zh ja ru ar, in that
// order); doc-040..044 repeat the texts of doc-000/005/010/015/020 exactly; doc-045..049 are
// near-duplicates of doc-001/002/006/011/016 with one word replaced.
std::vector<Doc> make_docs(lmk::Rng& rng) {
    std::vector<Doc> docs;
    int seq = 0;
    for (gen::Lang l : gen::kAllLangs) {
        const auto& t = gen::lang_table(l);
        for (int k = 0; k < 5; k++) {
            std::string text;
            for (int p = 0; p < 3; p++) { // three paragraphs of four sentences
                if (p) text += '\n';
                text += gen::sentences(rng, l, 4);
            }
            // One English document carries every character class a JSON writer must escape.
            if (l == gen::Lang::en && k == 4)
                text += "\nShe said \"hello\", typed C:\\temp\\new\tand smiled \xF0\x9F\xA6\x8A at the fox.";
            docs.push_back({fmt::format("doc-{:03d}", seq), text,
                            fmt::format("https://{}.example.org/page/{}", t.code, k), t.code, seq});
            seq++;
        }
    }
    for (int src : {0, 5, 10, 15, 20}) {
        Doc d = docs[size_t(src)];
        d.id = fmt::format("doc-{:03d}", seq);
        d.url = fmt::format("https://mirror.example.net/copy/{}", src);
        d.seq = seq++;
        docs.push_back(d);
    }
    const std::pair<int, const char*> near[] = {{1, "purple"}, {2, "yesterday"}, {6, "lila"}, {11, "violet"}, {16, "morado"}};
    for (auto [src, word] : near) {
        Doc d = docs[size_t(src)];
        d.id = fmt::format("doc-{:03d}", seq);
        d.text = replace_word(d.text, 10, word);
        d.url = fmt::format("https://near.example.net/edit/{}", src);
        d.seq = seq++;
        docs.push_back(d);
    }
    return docs;
}

std::string docs_jsonl(const std::vector<Doc>& docs) {
    std::string out;
    lmk::JsonObjectWriter o, meta;
    for (const Doc& d : docs) {
        std::string m = meta.str("lang", d.lang).str("source", "gen-testdata").num("seq", int64_t(d.seq)).finish();
        out += o.str("id", d.id).str("text", d.text).str("url", d.url).raw("meta", m).finish();
        out += '\n';
    }
    return out;
}

// ---- WET and WARC -----------------------------------------------------------------------

// tiny.warc.wet.gz: a warcinfo record and 5 conversion records (eng, deu, fra, zho, eng+spa).
void write_tiny_wet(lmk::Rng& rng, const std::string& path) {
    auto out = lmk::Output::open(path, {.binary = true, .raw = true});
    lmk::WarcWriter w(*out, /*gzip_per_record=*/true);
    w.write(gen::warcinfo_record(rng, "tiny.warc.wet.gz",
                                 "Software-Info: lmkit gen-testdata\r\nisPartOf: lmkit-testdata\r\n"
                                 "description: synthetic WET fixture\r\n"));
    struct Page { gen::Lang lang; const char* cc; const char* uri; };
    const Page pages[] = {{gen::Lang::en, "eng", "http://example.com/en/news"},
                          {gen::Lang::de, "deu", "http://beispiel.de/artikel"},
                          {gen::Lang::fr, "fra", "https://exemple.fr/page"},
                          {gen::Lang::zh, "zho", "http://example.cn/wenzhang"},
                          {gen::Lang::en, "eng,spa", "https://example.com/bilingual"}};
    uint64_t i = 1;
    for (const Page& p : pages) {
        std::string text = gen::sentences(rng, p.lang, 3) + "\n" + gen::sentences(rng, p.lang, 3);
        if (std::string_view(p.cc) == "eng,spa") text += "\n" + gen::sentences(rng, gen::Lang::es, 3);
        w.write(gen::wet_record(rng, p.uri, gen::warc_date(i++), p.cc, text));
    }
    out->commit();
}

// UTF-8 text whose code points are all below 256 -> ISO-8859-1 bytes.
std::string to_latin1(std::string_view utf8) {
    std::string s;
    for (size_t i = 0; i < utf8.size(); i++) {
        unsigned char c = uint8_t(utf8[i]);
        if (c < 0x80) s += char(c);
        else {
            LMK_CHECK((c & 0xE0) == 0xC0 && c <= 0xC3 && i + 1 < utf8.size(), "to_latin1: not Latin-1: {}", utf8);
            s += char(((c & 0x1F) << 6) | (uint8_t(utf8[++i]) & 0x3F));
        }
    }
    return s;
}

lmk::WarcRecord http_record(lmk::Rng& rng, const char* type, const std::string& uri, uint64_t n,
                            const std::string& warcinfo_id, std::string block) {
    lmk::WarcRecord r;
    r.version = "WARC/1.0";
    r.headers = {{"WARC-Type", type},
                 {"WARC-Date", gen::warc_date(n)},
                 {"WARC-Record-ID", gen::warc_record_id(rng)},
                 {"Content-Length", "0"},
                 {"Content-Type", fmt::format("application/http; msgtype={}", type)},
                 {"WARC-Warcinfo-ID", warcinfo_id},
                 {"WARC-IP-Address", "192.0.2.7"},
                 {"WARC-Target-URI", uri}};
    r.body = std::move(block);
    return r;
}

std::string http_response(std::string_view content_type, std::string_view payload) {
    return fmt::format("HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                       content_type, payload.size()) + std::string(payload);
}

// tiny.warc.gz: warcinfo, a request and 4 responses: English HTML (UTF-8, with nav, script,
// style, header and footer to strip), German HTML in ISO-8859-1 (charset in the HTTP header),
// French HTML with a <meta charset> and entities, and a PNG (not HTML).
void write_tiny_warc(lmk::Rng& rng, const std::string& path) {
    auto out = lmk::Output::open(path, {.binary = true, .raw = true});
    lmk::WarcWriter w(*out, /*gzip_per_record=*/true);
    lmk::WarcRecord info = gen::warcinfo_record(rng, "tiny.warc.gz",
        "software: lmkit gen-testdata\r\nformat: WARC File Format 1.0\r\nisPartOf: lmkit-testdata\r\n");
    std::string info_id(info.header("WARC-Record-ID"));
    w.write(info);

    std::string en_uri = "https://example.com/story.html";
    w.write(http_record(rng, "request", en_uri, 1, info_id,
                        "GET /story.html HTTP/1.1\r\nHost: example.com\r\nUser-Agent: lmkit-testdata\r\n\r\n"));
    std::string en_html =
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>A small story</title>\n"
        "<style>body { color: #333; }</style>\n<script>var tracking = {id: 42};</script></head>\n"
        "<body><header><h2>Example Site</h2></header>\n<nav><a href=\"/\">Home</a> | <a href=\"/about\">About</a></nav>\n"
        "<main><h1>A small story</h1>\n<p>" + gen::sentences(rng, gen::Lang::en, 3) + "</p>\n<p>" +
        gen::sentences(rng, gen::Lang::en, 3) + "</p>\n<ul><li>" + gen::sentence(rng, gen::Lang::en) +
        "</li><li>" + gen::sentence(rng, gen::Lang::en) + "</li></ul></main>\n"
        "<aside>Related links</aside>\n<footer>&copy; 2024 Example Site</footer></body></html>\n";
    w.write(http_record(rng, "response", en_uri, 2, info_id, http_response("text/html; charset=UTF-8", en_html)));

    std::string de_html = to_latin1(
        "<html><head><title>Die Straße</title></head><body>\n<p>Die Straße ist schön und grün. " +
        gen::sentences(rng, gen::Lang::de, 3) + "</p>\n<p>Über den Bäumen fliegen Vögel. " +
        gen::sentences(rng, gen::Lang::de, 2) + "</p>\n</body></html>\n");
    w.write(http_record(rng, "response", "http://beispiel.de/strasse", 3, info_id,
                        http_response("text/html; charset=ISO-8859-1", de_html)));

    std::string fr_html =
        "<html><head><meta charset=\"utf-8\"><title>Le caf&eacute;</title></head><body>\n"
        "<p>Le caf&eacute; &amp; le th&#233; sont pr&ecirc;ts&nbsp;! " + gen::sentences(rng, gen::Lang::fr, 3) +
        "</p>\n<p>" + gen::sentences(rng, gen::Lang::fr, 3) + "</p>\n</body></html>\n";
    w.write(http_record(rng, "response", "https://exemple.fr/cafe", 4, info_id, http_response("text/html", fr_html)));

    const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
                                 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89};
    w.write(http_record(rng, "response", "https://example.com/pixel.png", 5, info_id,
                        http_response("image/png", std::string_view(reinterpret_cast<const char*>(png), sizeof png))));
    out->commit();
}

// ---- malformed cases --------------------------------------------------------------------

void write_bad_json(const std::string& path) {
    std::string s = "{\"id\": \"b1\", \"text\": \"The first line is fine.\"}\n"
                    "{\"id\": \"b2\", \"text\": \"So is the second.\", \"meta\": {\"n\": 2}}\n"
                    "{\"id\": \"b3\", \"text\": \"this string never ends}\n"
                    "{\"id\": \"b4\", \"text\": \"The fourth line is fine again.\"}\n"
                    "{\"id\": \"b5\", \"text\": \"And the fifth.\"}\n";
    write_raw(path, s);
}

// Raw invalid sequences inside line 2's string value: a lead byte before ASCII (C3 28), a
// byte never valid (FF), an overlong encoding (C0 AF), a lone continuation byte (80), an
// encoded surrogate (ED A0 80) and a truncated 4-byte sequence just before the quote (F0 9F A6).
void write_invalid_utf8(const std::string& path) {
    std::string s = "{\"id\": \"u1\", \"text\": \"valid text, caf\xC3\xA9\"}\n"
                    "{\"id\": \"u2\", \"text\": \"bad \xC3\x28 x \xFF y \xC0\xAF z \x80 w \xED\xA0\x80 end \xF0\x9F\xA6\"}\n"
                    "{\"id\": \"u3\", \"text\": \"valid again\"}\n";
    write_raw(path, s);
}

// A token shard whose header is right in every way except the magic (20240521).
void write_bad_magic(const std::string& path) {
    int32_t header[lmk::kShardHeaderInts] = {};
    header[0] = lmk::kShardMagic + 1;
    header[1] = 1;
    header[2] = 4;
    const uint16_t tokens[4] = {1, 2, 3, 50256};
    std::string bytes(reinterpret_cast<const char*>(header), sizeof header);
    bytes.append(reinterpret_cast<const char*>(tokens), sizeof tokens);
    write_raw(path, bytes);
}

// truncated.jsonl.gz: the first 20 lines of docs.jsonl in one gzip member, cut in the middle.
void write_truncated_gzip(const std::string& dir, const std::string& docs) {
    size_t cut = 0;
    for (int i = 0; i < 20; i++) cut = docs.find('\n', cut) + 1;
    std::string tmp = dir + "/.truncated-whole.jsonl.gz";
    lmk::write_file(tmp, std::string_view(docs).substr(0, cut));
    std::string gz = read_raw(tmp);
    std::filesystem::remove(tmp);
    write_raw(dir + "/truncated.jsonl.gz", std::string_view(gz).substr(0, gz.size() / 2));
}

// truncated.warc.gz: warcinfo + 4 conversion records, one gzip member each; the last
// member is cut in half, so a reader returns 4 records and reports one truncated.
void write_truncated_warc(lmk::Rng& rng, const std::string& dir) {
    std::string tmp = dir + "/.truncated-whole.warc.gz";
    uint64_t last_start = 0;
    {
        auto out = lmk::Output::open(tmp, {.binary = true, .raw = true});
        lmk::WarcWriter w(*out, true);
        w.write(gen::warcinfo_record(rng, "truncated.warc.gz", "isPartOf: lmkit-testdata\r\n"));
        for (uint64_t i = 1; i <= 4; i++) {
            if (i == 4) last_start = out->bytes_written();
            w.write(gen::wet_record(rng, fmt::format("http://example.com/t/{}", i), gen::warc_date(i), "eng",
                                    gen::sentences(rng, gen::Lang::en, 6)));
        }
        out->commit();
    }
    std::string gz = read_raw(tmp);
    std::filesystem::remove(tmp);
    LMK_CHECK(last_start > 0 && last_start < gz.size(), "truncated.warc.gz: bad member offset {}", last_start);
    write_raw(dir + "/truncated.warc.gz", std::string_view(gz).substr(0, last_start + (gz.size() - last_start) / 2));
}

constexpr std::string_view kGarbage = "this is not a WARC record\r\n\x01\x02\x03 binary junk \xFF\xFE\r\n\r\n";

// garbage.warc (uncompressed): warcinfo, conversion, kGarbage, conversion, conversion.
void write_garbage_warc(lmk::Rng& rng, const std::string& path) {
    auto out = lmk::Output::open(path, {.binary = true, .raw = true});
    lmk::WarcWriter w(*out, false);
    w.write(gen::warcinfo_record(rng, "garbage.warc", "isPartOf: lmkit-testdata\r\n"));
    for (uint64_t i = 1; i <= 3; i++) {
        if (i == 2) out->write(kGarbage);
        w.write(gen::wet_record(rng, fmt::format("http://example.com/g/{}", i), gen::warc_date(i), "eng",
                                gen::sentences(rng, gen::Lang::en, 4)));
    }
    out->commit();
}

int run(const Options& o, const lmk::CommonFlags& c) {
    std::filesystem::create_directories(o.outdir);
    const std::string& d = o.outdir;
    // Each file draws from its own stream, so changing one fixture leaves the others alone.
    auto rng_for = [&](std::string_view name) { return lmk::Rng(lmk::derive_seed(c.seed, lmk::stream_id(name))); };

    lmk::Rng docs_rng = rng_for("docs");
    std::string docs = docs_jsonl(make_docs(docs_rng));
    for (const char* ext : {".jsonl", ".jsonl.gz", ".jsonl.zst"}) lmk::write_file(d + "/docs" + ext, docs);

    lmk::Rng wet_rng = rng_for("wet"), warc_rng = rng_for("warc"), trunc_rng = rng_for("truncated-warc"),
             garbage_rng = rng_for("garbage-warc");
    write_tiny_wet(wet_rng, d + "/tiny.warc.wet.gz");
    write_tiny_warc(warc_rng, d + "/tiny.warc.gz");
    write_bad_json(d + "/bad_json.jsonl");
    write_truncated_gzip(d, docs);
    write_invalid_utf8(d + "/invalid_utf8.jsonl");
    write_bad_magic(d + "/bad_magic.bin");
    write_truncated_warc(trunc_rng, d);
    write_garbage_warc(garbage_rng, d + "/garbage.warc");
    lmk::log_info("wrote fixtures to {}", d);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    return lmk::tool_main(
        argc, argv,
        {"gen-testdata", "Write the small deterministic fixtures the tests use (see testdata/README.md).",
         "Examples:\n  gen-testdata build/testdata\n"},
        [&](CLI::App& app, lmk::CommonFlags&) {
            app.add_option("OUTDIR", o.outdir, "directory to write (created if missing)")->required();
        },
        [&](const lmk::CommonFlags& c) { return run(o, c); });
}
