// text/dedup_common.cpp: corpus reading, output writing and counters shared by every mode.
#include "lmk/text/dedup_internal.h"

#include "lmk/core/error.h"
#include "lmk/core/log.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lmk {

void DedupStats::add_reader(uint64_t malformed_lines, uint64_t utf8_replaced_chars) {
    malformed += malformed_lines;
    utf8_replaced += utf8_replaced_chars;
}

std::string DedupStats::to_json() const {
    JsonObjectWriter o;
    o.str("mode", mode);
    o.num("documents", int64_t(documents)).num("kept", int64_t(kept)).num("removed", int64_t(removed));
    o.num("modified", int64_t(modified)).num("dropped_short", int64_t(dropped_short));
    o.num("spans_removed", int64_t(spans_removed)).num("clusters", int64_t(clusters));
    o.num("bytes_in", int64_t(bytes_in)).num("bytes_removed", int64_t(bytes_removed));
    o.num("malformed", int64_t(malformed)).num("no_text", int64_t(no_text));
    o.num("utf8_replaced", int64_t(utf8_replaced));
    if (mode == "minhash") {
        o.num("candidate_pairs", int64_t(candidate_pairs)).num("verified_pairs", int64_t(verified_pairs));
        o.num("rejected_pairs", int64_t(rejected_pairs)).num("no_signature", int64_t(no_signature));
    }
    o.num("seconds", seconds);
    return o.finish();
}

namespace dedup {

SpooledFiles::SpooledFiles(const DedupCorpus& corpus, bool reread) {
    std::vector<std::string> files = corpus.files;
    if (files.empty()) files.push_back("-");
    size_t stdin_uses = 0;
    for (const auto& f : files) stdin_uses += f == "-";
    LMK_CHECK(stdin_uses <= 1, "standard input (-) given {} times", stdin_uses);
    for (const auto& f : files) {
        if (f != "-" || !reread) {
            paths_.push_back(f);
            spooled_.push_back(false);
            continue;
        }
        std::string tmpl = corpus.temp_dir + "/lmk-dedup-stdin-XXXXXX";
        int fd = mkstemp(tmpl.data());
        LMK_CHECK(fd >= 0, "{}: cannot create a temporary file for standard input: {}", tmpl, errno_text(errno));
        temps_.push_back(tmpl);
        auto in = Input::open("-");
        std::vector<char> buf(1 << 20);
        size_t n;
        while ((n = in->read(buf.data(), buf.size())) > 0) {
            size_t off = 0;
            while (off < n) {
                ssize_t w = ::write(fd, buf.data() + off, n - off);
                if (w < 0 && errno == EINTR) continue;
                if (w < 0) {
                    int e = errno;
                    ::close(fd);
                    fail("{}: cannot spool standard input: {}", tmpl, errno_text(e));
                }
                off += size_t(w);
            }
        }
        LMK_CHECK(::close(fd) == 0, "{}: close failed: {}", tmpl, errno_text(errno));
        paths_.push_back(tmpl);
        spooled_.push_back(true);
    }
}

SpooledFiles::~SpooledFiles() {
    for (const auto& t : temps_) ::unlink(t.c_str());
}

std::string SpooledFiles::display_name(size_t i) const { return spooled_[i] ? "<stdin>" : paths_[i]; }

DocReader::DocReader(const DedupCorpus& corpus, std::vector<std::string> files, bool log_malformed,
                     uint64_t first_position)
    : corpus_(corpus), files_(std::move(files)), log_malformed_(log_malformed), pos_(first_position) {}

bool DocReader::next() {
    for (;;) {
        if (!reader_) {
            if (file_ >= files_.size()) return false;
            JsonlOptions jo;
            jo.strict = corpus_.strict;
            jo.log_malformed = log_malformed_;
            reader_ = std::make_unique<JsonlReader>(files_[file_], jo);
            in_file_ = 0;
        }
        if (reader_->next()) {
            if (started_) ++pos_;
            started_ = true;
            ++in_file_;
            return true;
        }
        malformed_ += reader_->malformed();
        replaced_ += reader_->utf8_replaced();
        reader_.reset();
        ++file_;
    }
}

std::optional<std::string_view> DocReader::text() {
    auto t = reader_->get_string(corpus_.text_field);
    if (!t) {
        ++no_text_;
        if (log_malformed_ && no_text_ <= 10)
            log_warn("{}:{}: no string field \"{}\"; kept as it is{}", reader_->name(), reader_->line(),
                     corpus_.text_field, no_text_ == 10 ? " (further ones counted only)" : "");
    }
    return t;
}

std::string DocReader::id_json() {
    const JsonField* f = reader_->find(corpus_.id_field);
    if (f) return std::string(f->raw);
    return json_number(pos_);
}

DedupWriter::DedupWriter(const DedupOutputs& out) {
    out_ = Output::open(out.output);
    kept_ = std::make_unique<JsonlWriter>(*out_);
    if (!out.duplicates.empty()) {
        dup_out_ = Output::open(out.duplicates);
        dups_ = std::make_unique<JsonlWriter>(*dup_out_);
    }
}

void DedupWriter::keep_with_text(const JsonlReader& rec, const std::string& text_field, std::string_view text) {
    kept_->write_record(rec, {{text_field, json_string(text)}});
}

void DedupWriter::removed(const JsonlReader& rec, std::string_view dup_of_json, uint64_t cluster,
                          std::vector<JsonEdit> extra) {
    if (!dups_) return;
    extra.insert(extra.begin(), {{"dup_of", std::string(dup_of_json)}, {"cluster", json_number(cluster)}});
    dups_->write_record(rec, extra);
}

void DedupWriter::removed_span(std::string_view id_json, size_t begin, size_t end, std::string_view text,
                               std::string_view dup_of_json, uint64_t cluster) {
    if (!dups_) return;
    JsonObjectWriter o;
    o.raw("id", id_json);
    o.raw("span", fmt::format("[{},{}]", begin, end));
    o.str("text", text);
    o.raw("dup_of", dup_of_json);
    o.num("cluster", int64_t(cluster));
    dups_->write_object(o.finish());
}

void DedupWriter::commit() {
    out_->commit();
    if (dup_out_) dup_out_->commit();
}

void write_stats(const std::string& path, const DedupStats& st) {
    if (path.empty()) return;
    write_file(path, st.to_json() + "\n");
}

void log_summary(const DedupStats& st) {
    log_info("{}: {} documents, {} kept ({} modified), {} removed as duplicates, {} dropped as too short, "
             "{} clusters; {} malformed lines skipped, {} without text; {:.1f} s",
             st.mode, st.documents, st.kept, st.modified, st.removed, st.dropped_short, st.clusters,
             st.malformed, st.no_text, st.seconds);
}

void finish_pass(DedupWriter& writer, const DocReader& docs, DedupStats& st, const Stopwatch& clock,
                 const std::string& stats_path) {
    writer.commit();
    st.no_text = docs.no_text();
    st.add_reader(docs.malformed(), docs.utf8_replaced());
    st.seconds = clock.seconds();
    write_stats(stats_path, st);
    log_summary(st);
}

MappedFile::MappedFile(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    LMK_CHECK(fd >= 0, "{}: cannot open: {}", path, errno_text(errno));
    struct stat sb;
    if (::fstat(fd, &sb) != 0) {
        int e = errno;
        ::close(fd);
        fail("{}: cannot stat: {}", path, errno_text(e));
    }
    size_ = size_t(sb.st_size);
    if (size_ > 0) {
        addr_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
        if (addr_ == MAP_FAILED) {
            int e = errno;
            ::close(fd);
            addr_ = nullptr;
            fail("{}: cannot map: {}", path, errno_text(e));
        }
    }
    ::close(fd);
}

MappedFile::~MappedFile() {
    if (addr_) ::munmap(addr_, size_);
}

void write_work_header(Output& out, WorkKind kind) {
    WorkHeader h{};
    std::memcpy(h.magic, "LMKDEDUP", 8);
    h.version = 1;
    h.kind = uint32_t(kind);
    out.write(&h, sizeof h);
}

std::string_view check_work_header(std::string_view data, WorkKind kind, const std::string& path) {
    LMK_CHECK(data.size() >= sizeof(WorkHeader), "{}: too short for a dedup work file", path);
    WorkHeader h;
    std::memcpy(&h, data.data(), sizeof h);
    LMK_CHECK(std::memcmp(h.magic, "LMKDEDUP", 8) == 0, "{}: not a dedup work file (bad magic)", path);
    LMK_CHECK(h.version == 1, "{}: unsupported dedup work file version {}", path, h.version);
    LMK_CHECK(h.kind == uint32_t(kind), "{}: dedup work file of kind {}, expected {}", path, h.kind, uint32_t(kind));
    return data.substr(sizeof h);
}

} // namespace dedup
} // namespace lmk
