// tok/corpus.cpp: batch-parallel corpus encoding into shards or id arrays, and decoding.
#include "lmk/tok/corpus.h"

#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/core/progress.h"
#include "lmk/io/file.h"
#include "lmk/io/jsonl.h"
#include "lmk/io/shard.h"

#include <tbb/parallel_for.h>

#include <charconv>
#include <chrono>
#include <filesystem>
#include <memory>

namespace lmk::tok {
namespace {

constexpr size_t kBatchBytes = 8 << 20;

// The token stream cut into llm.c shards of exactly `shard_tokens` tokens (see corpus.h).
class ShardSink {
public:
    ShardSink(const EncodeJob& job, int version) : job_(job), version_(version) {}
    void append(const uint32_t* ids, size_t n) {
        while (n > 0) {
            if (!writer_) open_next();
            size_t take = size_t(std::min<uint64_t>(n, limit_ - in_shard_));
            writer_->append(ids, take);
            in_shard_ += take;
            ids += take;
            n -= take;
            if (in_shard_ == limit_) close();
        }
    }
    void finish() {
        if (writer_) close();
    }
    std::vector<std::string> paths;

private:
    void open_next() {
        bool val = job_.val_tokens > 0 && index_ == 0;
        const char* split = job_.val_tokens == 0 ? "" : val ? "val_" : "train_";
        std::string path = fmt::format("{}_{}{:06d}.bin", job_.prefix, split, index_);
        limit_ = val ? job_.val_tokens : job_.shard_tokens;
        // The prefix may name a directory that does not exist yet (-o data/shards/web).
        std::filesystem::path parent = std::filesystem::path(path).parent_path();
        std::error_code ec;
        if (!parent.empty() && !std::filesystem::exists(parent, ec)) {
            std::filesystem::create_directories(parent, ec);
            if (ec) fail("{}: cannot create directory: {}", parent.string(), ec.message());
        }
        writer_ = std::make_unique<ShardWriter>(path, version_);
        paths.push_back(path);
        in_shard_ = 0;
    }
    void close() {
        writer_->commit();
        writer_.reset();
        index_++;
    }
    const EncodeJob& job_;
    int version_;
    std::unique_ptr<ShardWriter> writer_;
    uint64_t limit_ = 0, in_shard_ = 0;
    int index_ = 0;
};

void append_ids_line(std::string& out, const std::vector<uint32_t>& ids) {
    out.push_back('[');
    char buf[16];
    for (size_t i = 0; i < ids.size(); i++) {
        if (i) out.push_back(',');
        auto r = std::to_chars(buf, buf + sizeof buf, ids[i]);
        out.append(buf, r.ptr);
    }
    out += "]\n";
}

} // namespace

EncodeSummary encode_corpus(const EncodeJob& job) {
    LMK_CHECK(job.tokenizer, "encode_corpus: no tokenizer");
    const Tokenizer& tk = *job.tokenizer;
    auto t0 = std::chrono::steady_clock::now();
    EncodeSummary sum;
    std::optional<uint32_t> eot = tk.eot_id();
    if (!job.ids_format || job.eot_in_ids)
        LMK_CHECK(eot.has_value(), "the tokenizer has no end-of-text token (<|endoftext|>, </s>, <eos> or [SEP])");
    LMK_CHECK_USAGE(job.shard_tokens > 0, "--shard-tokens must be positive");
    LMK_CHECK(job.shard_tokens <= 0x7fffffff && job.val_tokens <= 0x7fffffff,
              "a shard holds at most 2^31-1 tokens (llm.c's int32 count)");
    const int version = tk.vocab_size() <= 65536 ? 1 : 2;
    std::unique_ptr<ShardSink> shards;
    std::unique_ptr<Output> ids_out;
    if (job.ids_format) ids_out = Output::open(job.output);
    else shards = std::make_unique<ShardSink>(job, version);

    EncodeOptions eo;
    eo.split_special = job.split_special;
    eo.add_special_tokens = job.ids_format && job.post_process;

    Progress progress("encode", 0, "B");
    std::vector<std::string> texts;
    std::vector<std::vector<uint32_t>> results;
    size_t batch_bytes = 0;
    std::string line;
    auto flush = [&] {
        results.resize(texts.size());
        tbb::parallel_for(tbb::blocked_range<size_t>(0, texts.size(), 1), [&](const tbb::blocked_range<size_t>& r) {
            for (size_t i = r.begin(); i != r.end(); i++) {
                results[i].clear();
                results[i].reserve(texts[i].size() / 3 + 16); // ~4 bytes per token in English
                tk.encode(texts[i], results[i], eo);
            }
        });
        for (size_t i = 0; i < texts.size(); i++) {
            const auto& ids = results[i];
            sum.tokens += ids.size();
            if (shards) {
                shards->append(&*eot, 1);
                sum.tokens++;
                shards->append(ids.data(), ids.size());
            } else {
                line.clear();
                if (job.eot_in_ids) {
                    std::vector<uint32_t> with = ids;
                    with.push_back(*eot);
                    sum.tokens++;
                    append_ids_line(line, with);
                } else {
                    append_ids_line(line, ids);
                }
                ids_out->write(line);
            }
        }
        sum.documents += texts.size();
        progress.add(batch_bytes);
        texts.clear();
        batch_bytes = 0;
    };
    auto add_doc = [&](std::string_view text) {
        sum.bytes += text.size();
        batch_bytes += text.size();
        texts.emplace_back(text);
        if (batch_bytes >= kBatchBytes) flush();
    };

    std::vector<std::string> inputs = job.inputs.empty() ? std::vector<std::string>{"-"} : job.inputs;
    for (const std::string& path : inputs) {
        if (job.text_input) {
            add_doc(read_file(path));
            continue;
        }
        JsonlOptions jo;
        jo.strict = job.strict;
        JsonlReader in(path, jo);
        while (in.next()) {
            auto text = in.get_string(job.text_field);
            if (!text) {
                if (job.strict) fail("{}:{}: no string field \"{}\"", in.name(), in.line(), job.text_field);
                log_warn("{}:{}: no string field \"{}\"; skipped", in.name(), in.line(), job.text_field);
                sum.skipped++;
                continue;
            }
            add_doc(*text);
        }
        sum.skipped += in.malformed();
    }
    flush();
    if (shards) {
        shards->finish();
        sum.shards = shards->paths;
    } else {
        ids_out->commit();
    }
    progress.finish();
    sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return sum;
}

namespace {

bool parse_id_array(std::string_view s, std::vector<uint32_t>& out) {
    out.clear();
    size_t i = 0;
    auto ws = [&] { while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')) i++; };
    ws();
    if (i >= s.size() || s[i] != '[') return false;
    i++;
    ws();
    if (i < s.size() && s[i] == ']') { i++; ws(); return i == s.size(); }
    while (true) {
        ws();
        uint32_t v;
        auto r = std::from_chars(s.data() + i, s.data() + s.size(), v);
        if (r.ec != std::errc()) return false;
        out.push_back(v);
        i = size_t(r.ptr - s.data());
        ws();
        if (i >= s.size()) return false;
        if (s[i] == ']') { i++; break; }
        if (s[i] != ',') return false;
        i++;
    }
    ws();
    return i == s.size();
}

bool is_shard(const std::string& path) {
    if (path == "-") return false;
    auto in = Input::open(path);
    unsigned char b[4] = {0, 0, 0, 0};
    size_t got = 0;
    while (got < 4) {
        size_t n = in->read(reinterpret_cast<char*>(b) + got, 4 - got);
        if (n == 0) break;
        got += n;
    }
    uint32_t magic = uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
    return got == 4 && int32_t(magic) == kShardMagic && in->compression() == Compression::none;
}

} // namespace

DecodeSummary decode_corpus(const DecodeJob& job) {
    LMK_CHECK(job.tokenizer, "decode_corpus: no tokenizer");
    const Tokenizer& tk = *job.tokenizer;
    const size_t vocab = tk.vocab_size();
    DecodeSummary sum;
    auto out = Output::open(job.output);
    std::string buf;
    auto emit = [&](const uint32_t* ids, size_t n) {
        std::string text = tk.decode(ids, n, job.skip_special);
        if (job.jsonl) {
            JsonObjectWriter w;
            w.str("text", text);
            buf = w.finish();
            buf.push_back('\n');
            out->write(buf);
        } else {
            out->write(text);
        }
        sum.documents++;
        sum.tokens += n;
    };
    std::vector<std::string> inputs = job.inputs.empty() ? std::vector<std::string>{"-"} : job.inputs;
    std::vector<uint32_t> pending; // JSONL from shards: the document not yet ended
    for (const std::string& path : inputs) {
        if (is_shard(path)) {
            Shard shard(path);
            std::vector<uint32_t> ids(shard.size());
            shard.read(0, shard.size(), ids.data());
            for (size_t i = 0; i < ids.size(); i++)
                if (ids[i] >= vocab)
                    fail("{}: token {}: id {} is out of range (vocabulary size {})", path, i, ids[i], vocab);
            if (!job.jsonl) {
                // One stream: decode in document-sized runs so memory stays bounded by a document.
                std::optional<uint32_t> eot = tk.eot_id();
                size_t b = 0;
                for (size_t i = 0; i <= ids.size(); i++)
                    if (i == ids.size() || (eot && ids[i] == *eot && i > b)) {
                        emit(ids.data() + b, i - b);
                        b = i;
                    }
                continue;
            }
            // JSONL: documents run from one end-of-text token to the next, across shards.
            std::optional<uint32_t> eot = tk.eot_id();
            for (uint32_t id : ids) {
                if (eot && id == *eot) {
                    if (!pending.empty()) emit(pending.data(), pending.size());
                    pending.clear();
                } else {
                    pending.push_back(id);
                }
            }
            continue;
        }
        auto in = Input::open(path);
        LineReader lines(*in);
        std::string_view line;
        std::vector<uint32_t> ids;
        while (lines.next(line)) {
            if (line.empty()) continue;
            if (!parse_id_array(line, ids))
                fail("{}:{}: expected a JSON array of token ids such as [15496,995]", in->name(), lines.line_number());
            for (size_t i = 0; i < ids.size(); i++)
                if (ids[i] >= vocab)
                    fail("{}:{}: token {}: id {} is out of range (vocabulary size {})", in->name(),
                         lines.line_number(), i, ids[i], vocab);
            emit(ids.data(), ids.size());
            if (!job.jsonl) out->write("\n");
        }
    }
    if (!pending.empty()) emit(pending.data(), pending.size());
    out->commit();
    return sum;
}

} // namespace lmk::tok
