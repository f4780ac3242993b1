// text/dedup_minhash.cpp: MinHash-LSH dedup as four file-based stages (sign, bucket, cluster,
// filter). The one-process mode runs the same four stages with world 1 in a temporary work
// directory, so staged and one-process runs are the same computation by construction.
//
// Work directory (WORK), all binary files with the dedup work header (dedup_internal.h):
//   sign/RRRRR.params          the parameters and file list of the run (text, checked by later stages)
//   sign/RRRRR.docs            "FILE_INDEX COUNT" per input file of the rank (text)
//   sign/RRRRR.ids             one line per document: its id as raw JSON, empty if it has none
//   sign/band-BBB/RRRRR.sig    records {uint64 band_key, uint64 doc}, sorted; doc = rank << 32 | local
//   sign/RRRRR.shingles/.shidx (verification only) concatenated sorted shingle sets + n+1 offsets
//   bucket/band-BBB.pairs      records {uint64 doc_a, uint64 doc_b}, doc_a < doc_b
//   cluster/RRRRR.remove       "LOCAL\tCLUSTER\tDUP_OF" per removed document of sign rank R (text)
//   cluster/summary.json       pair and cluster counters
//   */*.done                   completion markers (written last; a stage with its marker is skipped)
//
// Candidate pairs of one band bucket (documents d0 < d1 < ... < dk with equal keys) are the
// star (d0, di) plus the chain (d(i-1), di): linear in k, connected, and giving verification
// two chances per document. Clusters are the connected components of the accepted pairs; the
// union-find's min roots make them independent of pair order, and a pair whose ends are
// already connected is not verified (that cannot change the components).
#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/core/progress.h"
#include "lmk/core/threads.h"
#include "lmk/text/dedup_internal.h"
#include "lmk/text/union_find.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <queue>
#include <sstream>
#include <unistd.h>
#include <xxhash.h>

namespace lmk {
namespace {

namespace fs = std::filesystem;

struct KeyRec {
    uint64_t key, doc;
    bool operator<(const KeyRec& o) const { return key != o.key ? key < o.key : doc < o.doc; }
};
struct PairRec {
    uint64_t a, b;
};
static_assert(sizeof(KeyRec) == 16 && sizeof(PairRec) == 16);

std::string rank_name(int r) { return fmt::format("{:05d}", r); }
std::string band_name(int b) { return fmt::format("band-{:03d}", b); }

void touch(const std::string& path) { write_file(path, "done\n"); }

// Contiguous file ranges: rank r of w gets files [r*n/w, (r+1)*n/w).
std::pair<size_t, size_t> file_range(size_t n, int rank, int world) {
    return {n * size_t(rank) / size_t(world), n * size_t(rank + 1) / size_t(world)};
}

std::string params_text(const MinHashDedupOptions& o, const std::vector<std::string>& files, int world, bool verify) {
    std::string list;
    for (const auto& f : files) list += f + '\n';
    return fmt::format("bands={} rows={} ngram={} seed={} verify_shingles={} sign_world={} files={:016x} nfiles={}\n",
                       o.params.bands, o.params.rows, o.params.ngram, o.params.seed, verify ? 1 : 0, world,
                       XXH3_64bits(list.data(), list.size()), files.size());
}

// The sign stage's parameters, read back by later stages: sign world and whether shingles exist.
struct SignInfo {
    int world = 0;
    bool shingles = false;
};

SignInfo read_sign_info(const std::string& work, const MinHashDedupOptions& o, const std::vector<std::string>& files) {
    std::string p0 = work + "/sign/" + rank_name(0) + ".params";
    LMK_CHECK(file_exists(p0), "{}: missing; run --stage sign first", p0);
    std::string text = read_file(p0);
    SignInfo info;
    int verify = 0;
    auto grab = [&](const char* key) -> long long {
        size_t at = text.find(std::string(key) + "=");
        LMK_CHECK(at != std::string::npos, "{}: no {} entry", p0, key);
        return std::stoll(text.substr(at + std::strlen(key) + 1));
    };
    info.world = int(grab("sign_world"));
    verify = int(grab("verify_shingles"));
    info.shingles = verify != 0;
    std::string want = params_text(o, files, info.world, info.shingles);
    for (int r = 0; r < info.world; ++r) {
        std::string p = work + "/sign/" + rank_name(r) + ".params";
        std::string done = work + "/sign/" + rank_name(r) + ".done";
        LMK_CHECK(file_exists(done), "{}: missing; sign stage rank {} of {} has not finished", done, r, info.world);
        std::string got = read_file(p);
        if (got != want)
            throw Error(fmt::format("{}: made with other parameters or files:\n  it has: {}  this run: {}", p,
                                    got, want),
                        "give every stage the same FILE list, --bands/--rows/--ngram/--seed and --verify-jaccard");
    }
    return info;
}

std::vector<uint64_t> read_doc_counts(const std::string& work, int world) {
    std::vector<uint64_t> counts(size_t(world), 0);
    for (int r = 0; r < world; ++r) {
        std::istringstream in(read_file(work + "/sign/" + rank_name(r) + ".docs"));
        uint64_t file, n;
        while (in >> file >> n) counts[size_t(r)] += n;
    }
    return counts;
}

std::string expand_rank(const std::string& pattern, int rank, int world, const char* what) {
    if (pattern.empty() || pattern == "-") {
        LMK_CHECK(world == 1 || pattern.empty(), "{} to standard output needs --world 1; give a name with {{rank}}", what);
        return pattern;
    }
    size_t at = pattern.find("{rank}");
    if (at == std::string::npos) {
        LMK_CHECK(world == 1, "{} '{}' needs {{rank}} in its name when --world > 1", what, pattern);
        return pattern;
    }
    return pattern.substr(0, at) + rank_name(rank) + pattern.substr(at + 6);
}

// ---- sign -----------------------------------------------------------------------------------

void stage_sign(int rank, int world, const DedupCorpus& corpus, const std::vector<std::string>& files,
                const MinHashDedupOptions& o, const std::string& work, DedupStats& st) {
    std::string prefix = work + "/sign/" + rank_name(rank);
    if (file_exists(prefix + ".done")) {
        log_info("sign: rank {} already done ({}.done); skipped", rank, prefix);
        return;
    }
    const bool verify = o.verify_jaccard > 0;
    const int B = o.params.bands;
    MinHasher hasher(o.params);
    auto [first, last] = file_range(files.size(), rank, world);
    std::vector<std::string> mine(files.begin() + long(first), files.begin() + long(last));
    for (int b = 0; b < B; ++b) fs::create_directories(work + "/sign/" + band_name(b));

    std::vector<uint64_t> keys;      // B per document
    std::vector<uint8_t> has_sig;
    std::vector<uint64_t> shingle_offsets{0};
    std::unique_ptr<Output> shingles_out;
    if (verify) {
        shingles_out = Output::open(prefix + ".shingles", {.binary = true});
        dedup::write_work_header(*shingles_out, dedup::WorkKind::shingles);
    }
    auto ids_out = Output::open(prefix + ".ids");
    std::vector<uint64_t> per_file(mine.size(), 0);

    dedup::DocReader docs(corpus, mine);
    Progress progress("sign", 0, "B");
    constexpr size_t kBatchDocs = 4096, kBatchBytes = 32 << 20;
    std::vector<std::string> texts;
    std::vector<uint8_t> present;
    std::vector<std::vector<uint64_t>> sets;
    bool more = true;
    uint64_t local = 0;
    while (more) {
        size_t n = 0, bytes = 0;
        texts.resize(kBatchDocs);
        present.assign(kBatchDocs, 0);
        while (n < kBatchDocs && bytes < kBatchBytes) {
            if (!docs.next()) {
                more = false;
                break;
            }
            ++per_file[docs.file_index()];
            auto t = docs.text();
            const JsonField* id = docs.rec().find(corpus.id_field);
            if (id) ids_out->write(id->raw);
            ids_out->put('\n');
            if (t) {
                texts[n].assign(*t);
                present[n] = 1;
                bytes += t->size();
                st.bytes_in += t->size();
            } else {
                texts[n].clear();
            }
            ++n;
        }
        if (n == 0) break;
        size_t base = keys.size();
        keys.resize(base + n * size_t(B));
        has_sig.resize(local + n);
        if (verify) sets.assign(n, {});
        parallel_for_chunks(n, 16, [&](size_t begin, size_t end) {
            MinHasher::Scratch scratch;
            std::vector<uint64_t> sig(size_t(hasher.num_hashes()));
            for (size_t i = begin; i < end; ++i) {
                bool ok = present[i] && hasher.signature(texts[i], sig.data(), scratch);
                has_sig[local + i] = ok;
                if (ok) hasher.band_keys(sig.data(), &keys[base + i * size_t(B)]);
                if (ok && verify) sets[i] = hasher.shingle_set(texts[i], scratch);
            }
        });
        if (verify)
            for (size_t i = 0; i < n; ++i) {
                shingles_out->write(sets[i].data(), sets[i].size() * sizeof(uint64_t));
                shingle_offsets.push_back(shingle_offsets.back() + sets[i].size());
            }
        local += n;
        progress.add(bytes);
    }
    progress.finish();
    LMK_CHECK(local < (uint64_t(1) << 32), "sign: rank {} has {} documents; at most 2^32 - 1 per rank", rank, local);
    st.documents += local;
    st.no_text += docs.no_text();
    st.add_reader(docs.malformed(), docs.utf8_replaced());
    for (size_t d = 0; d < local; ++d) st.no_signature += !has_sig[d];

    // One sorted key file per band, bands in parallel (each band's file depends only on its keys).
    parallel_for_chunks(size_t(B), 1, [&](size_t b0, size_t b1) {
        for (size_t b = b0; b < b1; ++b) {
            std::vector<KeyRec> recs;
            recs.reserve(local);
            for (uint64_t d = 0; d < local; ++d)
                if (has_sig[d]) recs.push_back({keys[d * size_t(B) + b], (uint64_t(rank) << 32) | d});
            std::sort(recs.begin(), recs.end());
            auto out = Output::open(work + "/sign/" + band_name(int(b)) + "/" + rank_name(rank) + ".sig", {.binary = true});
            dedup::write_work_header(*out, dedup::WorkKind::band_keys);
            out->write(recs.data(), recs.size() * sizeof(KeyRec));
            out->commit();
        }
    });
    if (verify) {
        shingles_out->commit();
        auto idx = Output::open(prefix + ".shidx", {.binary = true});
        dedup::write_work_header(*idx, dedup::WorkKind::shingle_index);
        idx->write(shingle_offsets.data(), shingle_offsets.size() * sizeof(uint64_t));
        idx->commit();
    }
    ids_out->commit();
    std::string counts;
    for (size_t f = 0; f < mine.size(); ++f) counts += fmt::format("{} {}\n", first + f, per_file[f]);
    write_file(prefix + ".docs", counts);
    write_file(prefix + ".params", params_text(o, files, world, verify));
    touch(prefix + ".done");
    log_info("sign: rank {} of {}: {} documents ({} without shingles) from {} files", rank, world, local,
             st.no_signature, mine.size());
}

// ---- bucket ---------------------------------------------------------------------------------

uint64_t bucket_band(int band, int sign_world, const std::string& work) {
    std::string out_path = work + "/bucket/" + band_name(band) + ".pairs";
    if (file_exists(out_path + ".done")) return 0;
    std::vector<std::unique_ptr<dedup::MappedFile>> maps;
    struct Cursor {
        const KeyRec* p;
        const KeyRec* end;
    };
    std::vector<Cursor> cursors;
    for (int r = 0; r < sign_world; ++r) {
        std::string path = work + "/sign/" + band_name(band) + "/" + rank_name(r) + ".sig";
        maps.push_back(std::make_unique<dedup::MappedFile>(path));
        std::string_view body = dedup::check_work_header(maps.back()->data(), dedup::WorkKind::band_keys, path);
        LMK_CHECK(body.size() % sizeof(KeyRec) == 0, "{}: truncated ({} bytes of records)", path, body.size());
        const KeyRec* p = reinterpret_cast<const KeyRec*>(body.data());
        cursors.push_back({p, p + body.size() / sizeof(KeyRec)});
    }
    // k-way merge by (key, doc): a heap of cursor indices.
    auto greater = [&](size_t x, size_t y) { return *cursors[y].p < *cursors[x].p; };
    std::priority_queue<size_t, std::vector<size_t>, decltype(greater)> heap(greater);
    for (size_t i = 0; i < cursors.size(); ++i)
        if (cursors[i].p != cursors[i].end) heap.push(i);
    auto out = Output::open(out_path, {.binary = true});
    dedup::write_work_header(*out, dedup::WorkKind::pairs);
    uint64_t pairs = 0, run_key = 0, run_first = 0, prev = 0;
    bool in_run = false;
    while (!heap.empty()) {
        size_t i = heap.top();
        heap.pop();
        KeyRec rec = *cursors[i].p++;
        if (cursors[i].p != cursors[i].end) heap.push(i);
        if (in_run && rec.key == run_key) {
            PairRec star{run_first, rec.doc};
            out->write(&star, sizeof star);
            ++pairs;
            if (prev != run_first) {
                PairRec chain{prev, rec.doc};
                out->write(&chain, sizeof chain);
                ++pairs;
            }
        } else {
            in_run = true;
            run_key = rec.key;
            run_first = rec.doc;
        }
        prev = rec.doc;
    }
    out->commit();
    touch(out_path + ".done");
    return pairs;
}

void stage_bucket(int rank, int world, const std::string& work, const SignInfo& info, const MinHashDedupOptions& o) {
    fs::create_directories(work + "/bucket");
    std::vector<int> mine;
    for (int b = 0; b < o.params.bands; ++b)
        if (b % world == rank) mine.push_back(b);
    std::vector<uint64_t> counts(mine.size());
    parallel_for_chunks(mine.size(), 1, [&](size_t i0, size_t i1) {
        for (size_t i = i0; i < i1; ++i) counts[i] = bucket_band(mine[i], info.world, work);
    });
    uint64_t total = 0;
    for (auto c : counts) total += c;
    log_info("bucket: rank {} of {}: {} bands, {} new candidate pairs", rank, world, mine.size(), total);
}

// ---- cluster --------------------------------------------------------------------------------

void stage_cluster(const std::string& work, const SignInfo& info, const MinHashDedupOptions& o) {
    std::string dir = work + "/cluster";
    if (file_exists(dir + "/done")) {
        log_info("cluster: already done ({}/done); skipped", dir);
        return;
    }
    fs::create_directories(dir);
    const bool verify = o.verify_jaccard > 0;
    if (verify && !info.shingles)
        throw Error("cluster: --verify-jaccard needs shingle sets, but the sign stage ran without it",
                    "rerun the sign stage with --verify-jaccard (any value) or drop it here");
    std::vector<uint64_t> counts = read_doc_counts(work, info.world);
    std::vector<uint64_t> offset(counts.size() + 1, 0);
    for (size_t r = 0; r < counts.size(); ++r) offset[r + 1] = offset[r] + counts[r];
    uint64_t n = offset.back();
    UnionFind uf(n);
    auto global = [&](uint64_t doc) { return uint32_t(offset[doc >> 32] + (doc & 0xffffffffu)); };

    // Shingle sets, mapped (read on demand; not counted as clustering state).
    std::vector<std::unique_ptr<dedup::MappedFile>> sh_maps, idx_maps;
    std::vector<const uint64_t*> sh_data, sh_index;
    if (verify) {
        for (int r = 0; r < info.world; ++r) {
            std::string p = work + "/sign/" + rank_name(r);
            sh_maps.push_back(std::make_unique<dedup::MappedFile>(p + ".shingles"));
            idx_maps.push_back(std::make_unique<dedup::MappedFile>(p + ".shidx"));
            sh_data.push_back(reinterpret_cast<const uint64_t*>(
                dedup::check_work_header(sh_maps.back()->data(), dedup::WorkKind::shingles, p + ".shingles").data()));
            std::string_view idx = dedup::check_work_header(idx_maps.back()->data(), dedup::WorkKind::shingle_index, p + ".shidx");
            LMK_CHECK(idx.size() == (counts[size_t(r)] + 1) * sizeof(uint64_t), "{}.shidx: {} bytes, expected {} offsets",
                      p, idx.size(), counts[size_t(r)] + 1);
            sh_index.push_back(reinterpret_cast<const uint64_t*>(idx.data()));
        }
    }
    auto shingles_of = [&](uint64_t doc, size_t* len) {
        size_t r = size_t(doc >> 32), l = size_t(doc & 0xffffffffu);
        *len = size_t(sh_index[r][l + 1] - sh_index[r][l]);
        return sh_data[r] + sh_index[r][l];
    };

    uint64_t candidates = 0, verified = 0, rejected = 0;
    for (int b = 0; b < o.params.bands; ++b) {
        std::string path = work + "/bucket/" + band_name(b) + ".pairs";
        LMK_CHECK(file_exists(path + ".done"), "{}.done: missing; the bucket stage for band {} has not finished", path, b);
        dedup::MappedFile m(path);
        std::string_view body = dedup::check_work_header(m.data(), dedup::WorkKind::pairs, path);
        LMK_CHECK(body.size() % sizeof(PairRec) == 0, "{}: truncated", path);
        const PairRec* p = reinterpret_cast<const PairRec*>(body.data());
        size_t np = body.size() / sizeof(PairRec);
        candidates += np;
        for (size_t i = 0; i < np; ++i) {
            uint32_t ga = global(p[i].a), gb = global(p[i].b);
            if (!verify) {
                uf.unite(ga, gb);
                continue;
            }
            if (uf.same(ga, gb)) continue;
            size_t na, nb;
            const uint64_t* sa = shingles_of(p[i].a, &na);
            const uint64_t* sb = shingles_of(p[i].b, &nb);
            ++verified;
            if (jaccard_sorted(sa, na, sb, nb) >= o.verify_jaccard) uf.unite(ga, gb);
            else ++rejected;
        }
    }
    uf.flatten();
    // Roots of clusters with copies need their ids for "dup_of".
    std::vector<bool> is_root_with_copies(n, false);
    uint64_t clusters = 0, removed = 0;
    for (uint64_t i = 0; i < n; ++i) {
        uint32_t root = uf.parent(uint32_t(i));
        if (root != i) {
            ++removed;
            if (!is_root_with_copies[root]) {
                is_root_with_copies[root] = true;
                ++clusters;
            }
        }
    }
    std::vector<std::pair<uint32_t, std::string>> root_ids; // sorted by position
    for (int r = 0; r < info.world; ++r) {
        std::ifstream in(work + "/sign/" + rank_name(r) + ".ids");
        std::string line;
        for (uint64_t l = 0; l < counts[size_t(r)] && std::getline(in, line); ++l) {
            uint64_t g = offset[size_t(r)] + l;
            if (is_root_with_copies[g]) root_ids.emplace_back(uint32_t(g), line.empty() ? json_number(g) : line);
        }
    }
    auto id_of = [&](uint32_t g) -> const std::string& {
        auto it = std::lower_bound(root_ids.begin(), root_ids.end(), g,
                                   [](const auto& e, uint32_t v) { return e.first < v; });
        LMK_CHECK(it != root_ids.end() && it->first == g, "cluster: id of document {} missing from the ids files", g);
        return it->second;
    };
    for (int r = 0; r < info.world; ++r) {
        std::string text;
        for (uint64_t l = 0; l < counts[size_t(r)]; ++l) {
            uint64_t g = offset[size_t(r)] + l;
            uint32_t root = uf.parent(uint32_t(g));
            if (root != g) text += fmt::format("{}\t{}\t{}\n", l, root, id_of(root));
        }
        write_file(dir + "/" + rank_name(r) + ".remove", text);
    }
    JsonObjectWriter summary;
    summary.num("documents", int64_t(n)).num("candidate_pairs", int64_t(candidates));
    summary.num("verified_pairs", int64_t(verified)).num("rejected_pairs", int64_t(rejected));
    summary.num("clusters", int64_t(clusters)).num("removed", int64_t(removed));
    write_file(dir + "/summary.json", summary.finish() + "\n");
    touch(dir + "/done");
    log_info("cluster: {} documents, {} candidate pairs ({} verified, {} rejected), {} clusters, {} to remove; "
             "union-find state {} bytes ({:.1f} per document)",
             n, candidates, verified, rejected, clusters, removed, n * 4 + n / 8, n ? (n * 4.0 + n / 8.0) / double(n) : 0.0);
}

// ---- filter ---------------------------------------------------------------------------------

void stage_filter(int rank, int world, const DedupCorpus& corpus, const std::vector<std::string>& files,
                  const DedupOutputs& outs, const std::string& work, const SignInfo& info, DedupStats& st,
                  bool force = false) {
    LMK_CHECK(world == info.world, "filter: --world {} differs from the sign stage's {}", world, info.world);
    std::string marker = work + "/filter/" + rank_name(rank) + ".done";
    DedupOutputs o{expand_rank(outs.output, rank, world, "-o"), expand_rank(outs.duplicates, rank, world, "--duplicates"),
                   expand_rank(outs.stats, rank, world, "--stats")};
    if (!force && file_exists(marker) && o.output != "-") {
        log_info("filter: rank {} already done ({}); skipped", rank, marker);
        return;
    }
    std::string cdir = work + "/cluster";
    LMK_CHECK(file_exists(cdir + "/done"), "{}/done: missing; run the cluster stage first", cdir);
    struct Removal {
        uint64_t local, cluster;
        std::string dup_of;
    };
    std::vector<Removal> removals;
    {
        std::istringstream in(read_file(cdir + "/" + rank_name(rank) + ".remove"));
        std::string line;
        while (std::getline(in, line)) {
            size_t t1 = line.find('\t'), t2 = line.find('\t', t1 + 1);
            LMK_CHECK(t1 != std::string::npos && t2 != std::string::npos, "{}/{}.remove: malformed line", cdir, rank_name(rank));
            removals.push_back({std::stoull(line.substr(0, t1)), std::stoull(line.substr(t1 + 1, t2 - t1 - 1)), line.substr(t2 + 1)});
        }
    }
    std::string summary = read_file(cdir + "/summary.json");
    auto grab = [&](const char* key) -> uint64_t {
        size_t at = summary.find(fmt::format("\"{}\":", key));
        return at == std::string::npos ? 0 : std::stoull(summary.substr(at + std::strlen(key) + 3));
    };
    auto [first, last] = file_range(files.size(), rank, world);
    std::vector<std::string> mine(files.begin() + long(first), files.begin() + long(last));
    dedup::DocReader docs(corpus, mine, false);
    dedup::DedupWriter writer(o);
    size_t next = 0;
    uint64_t local = 0;
    while (docs.next()) {
        auto t = docs.rec().get_string(corpus.text_field);
        size_t bytes = t ? t->size() : 0;
        if (next < removals.size() && removals[next].local == local) {
            writer.removed(docs.rec(), removals[next].dup_of, removals[next].cluster);
            ++st.removed;
            st.bytes_removed += bytes;
            ++next;
        } else {
            writer.keep(docs.rec());
            ++st.kept;
        }
        ++local;
    }
    LMK_CHECK(next == removals.size(), "filter: rank {}: {} of {} removals not matched; the input changed since the sign stage",
              rank, removals.size() - next, removals.size());
    writer.commit();
    st.candidate_pairs = grab("candidate_pairs");
    st.verified_pairs = grab("verified_pairs");
    st.rejected_pairs = grab("rejected_pairs");
    st.clusters = grab("clusters");
    if (st.documents == 0) st.documents = local; // a filter-only process reports its own share
    dedup::write_stats(o.stats, st);
    fs::create_directories(work + "/filter");
    if (o.output != "-") touch(marker);
}

} // namespace

DedupStats run_minhash_stage(const std::string& stage, int rank, int world, const DedupCorpus& corpus,
                             const DedupOutputs& out, const MinHashDedupOptions& opts) {
    dedup::Stopwatch clock;
    DedupStats st;
    st.mode = "minhash";
    LMK_CHECK(!opts.work_dir.empty(), "minhash stages need a work directory");
    for (const auto& f : corpus.files)
        LMK_CHECK_USAGE(f != "-", "--stage reads its files more than once; standard input is not allowed (save it to a file)");
    MinHasher check(opts.params); // validates the parameters before any file is written
    const std::string& work = opts.work_dir;
    fs::create_directories(work);
    if (stage == "sign") {
        stage_sign(rank, world, corpus, corpus.files, opts, work, st);
    } else if (stage == "bucket") {
        SignInfo info = read_sign_info(work, opts, corpus.files);
        stage_bucket(rank, world, work, info, opts);
    } else if (stage == "cluster") {
        LMK_CHECK(rank == 0 && world == 1, "the cluster stage runs as one process (--rank 0 --world 1)");
        SignInfo info = read_sign_info(work, opts, corpus.files);
        stage_cluster(work, info, opts);
    } else if (stage == "filter") {
        SignInfo info = read_sign_info(work, opts, corpus.files);
        stage_filter(rank, world, corpus, corpus.files, out, work, info, st);
        st.seconds = clock.seconds();
        dedup::log_summary(st);
    } else {
        fail("unknown stage '{}' (sign, bucket, cluster or filter)", stage);
    }
    st.seconds = clock.seconds();
    return st;
}

DedupStats run_minhash_dedup(const DedupCorpus& corpus, const DedupOutputs& out, const MinHashDedupOptions& opts) {
    dedup::Stopwatch clock;
    DedupStats st;
    st.mode = "minhash";
    MinHasher check(opts.params);
    dedup::SpooledFiles files(corpus, true);
    DedupCorpus c = corpus;
    c.files = files.paths();
    std::string work = opts.work_dir;
    bool temporary = work.empty();
    if (temporary) {
        std::string tmpl = corpus.temp_dir + "/lmk-dedup-XXXXXX";
        LMK_CHECK(mkdtemp(tmpl.data()) != nullptr, "{}: cannot create a work directory: {}", tmpl, errno_text(errno));
        work = tmpl;
    }
    struct Cleanup {
        std::string dir;
        ~Cleanup() {
            std::error_code ec;
            if (!dir.empty()) fs::remove_all(dir, ec);
        }
    } cleanup{temporary ? work : std::string()};
    MinHashDedupOptions o = opts;
    o.work_dir = work;
    stage_sign(0, 1, c, c.files, o, work, st);
    SignInfo info = read_sign_info(work, o, c.files);
    stage_bucket(0, 1, work, info, o);
    stage_cluster(work, info, o);
    DedupStats fst;
    fst.mode = "minhash";
    fst.documents = st.documents;
    fst.bytes_in = st.bytes_in;
    fst.no_text = st.no_text;
    fst.no_signature = st.no_signature;
    fst.malformed = st.malformed;
    fst.utf8_replaced = st.utf8_replaced;
    DedupOutputs o_out = out;
    o_out.stats.clear(); // written below, with the timing of the whole run
    stage_filter(0, 1, c, c.files, o_out, work, info, fst, /*force=*/true);
    fst.seconds = clock.seconds();
    dedup::write_stats(out.stats, fst);
    dedup::log_summary(fst);
    return fst;
}

} // namespace lmk
