// train/checkpoint.cpp: staged, digest-checked checkpoints (see checkpoint.h).
#include "lmk/train/checkpoint.h"
#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/io/file.h"

#include <cerrno>
#include <cmath>
#include <fcntl.h>
#include <filesystem>
#include <fmt/format.h>
#include <simdjson.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace lmk {

static constexpr const char* kStaging = ".checkpoint.tmp";
static constexpr const char* kStateFile = "trainer_state.json";

static std::string hex64(uint64_t v) { return fmt::format("\"{:016x}\"", v); }
static std::string num(double v) { return std::isfinite(v) ? fmt::format("{}", v) : "null"; }

std::string trainer_state_to_json(const TrainerState& s) {
    std::string j = "{\n";
    j += "  \"format\": \"lmkit-trainer-state\",\n  \"version\": 1,\n";
    j += fmt::format("  \"step\": {},\n  \"total_steps\": {},\n  \"tokens\": {},\n  \"elapsed\": {},\n", s.step,
                     s.total_steps, s.tokens, num(s.elapsed));
    j += fmt::format("  \"seed\": {},\n  \"best_val_loss\": {},\n", hex64(s.seed), num(s.best_val_loss));
    const DataPosition& p = s.train_data;
    j += fmt::format("  \"train_data\": {{\"shard\": {}, \"offset\": {}, \"batches\": {}, \"rng\": [{}, {}, {}, {}]}},\n",
                     p.shard, p.offset, p.batches, hex64(p.rng[0]), hex64(p.rng[1]), hex64(p.rng[2]), hex64(p.rng[3]));
    j += "  \"options\": " + s.options_json + ",\n";
    j += "  \"files\": {";
    for (size_t i = 0; i < s.files.size(); i++)
        j += fmt::format("{}\n    \"{}\": {{\"bytes\": {}, \"xxh3\": {}}}", i ? "," : "", s.files[i].first,
                         s.files[i].second.bytes, hex64(s.files[i].second.xxh3));
    j += s.files.empty() ? "}\n}\n" : "\n  }\n}\n";
    return j;
}

static uint64_t parse_hex(simdjson::dom::element e, const std::string& ctx, const char* what) {
    std::string_view v;
    LMK_CHECK(!e.get_string().get(v), "{}: {} must be a hex string", ctx, what);
    uint64_t out = 0;
    LMK_CHECK(!v.empty() && v.size() <= 16, "{}: bad hex value for {}", ctx, what);
    for (char c : v) {
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        LMK_CHECK(d >= 0, "{}: bad hex value for {}", ctx, what);
        out = out << 4 | uint64_t(d);
    }
    return out;
}

TrainerState trainer_state_from_json(const std::string& json, const std::string& ctx) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (auto err = parser.parse(json).get(root))
        throw Error(fmt::format("{}: not valid JSON: {}", ctx, simdjson::error_message(err)));
    std::string_view format;
    if (root["format"].get_string().get(format) || format != "lmkit-trainer-state")
        throw Error(fmt::format("{}: not an lmkit trainer state", ctx));
    int64_t version = 0;
    if (root["version"].get_int64().get(version) || version != 1)
        throw Error(fmt::format("{}: unsupported trainer state version {}", ctx, version),
                    "this checkpoint was written by a different lmkit version");
    TrainerState s;
    auto int_field = [&](simdjson::dom::element obj, const char* k) {
        int64_t v;
        if (obj[k].get_int64().get(v)) throw Error(fmt::format("{}: missing or bad \"{}\"", ctx, k));
        return v;
    };
    auto num_field = [&](const char* k) {
        simdjson::dom::element e;
        if (root[k].get(e) || e.is_null()) return std::numeric_limits<double>::quiet_NaN();
        double v;
        if (e.get_double().get(v)) throw Error(fmt::format("{}: \"{}\" must be a number", ctx, k));
        return v;
    };
    s.step = int_field(root, "step");
    s.total_steps = int_field(root, "total_steps");
    s.tokens = int_field(root, "tokens");
    s.elapsed = num_field("elapsed");
    if (!std::isfinite(s.elapsed)) s.elapsed = 0;
    s.best_val_loss = num_field("best_val_loss");
    simdjson::dom::element e;
    LMK_CHECK(!root["seed"].get(e), "{}: missing \"seed\"", ctx);
    s.seed = parse_hex(e, ctx, "seed");
    simdjson::dom::element td;
    LMK_CHECK(!root["train_data"].get(td), "{}: missing \"train_data\"", ctx);
    s.train_data.shard = uint64_t(int_field(td, "shard"));
    s.train_data.offset = uint64_t(int_field(td, "offset"));
    s.train_data.batches = uint64_t(int_field(td, "batches"));
    simdjson::dom::array rng;
    LMK_CHECK(!td["rng"].get_array().get(rng) && rng.size() == 4, "{}: train_data.rng must hold 4 words", ctx);
    size_t i = 0;
    for (auto w : rng) s.train_data.rng[i++] = parse_hex(w, ctx, "train_data.rng");
    simdjson::dom::element opts;
    if (!root["options"].get(opts)) s.options_json = simdjson::minify(opts);
    simdjson::dom::object files;
    if (!root["files"].get_object().get(files))
        for (auto [k, v] : files) {
            FileDigest d;
            d.bytes = uint64_t(int_field(v, "bytes"));
            simdjson::dom::element h;
            LMK_CHECK(!v["xxh3"].get(h), "{}: files.{} lacks xxh3", ctx, k);
            d.xxh3 = parse_hex(h, ctx, "xxh3");
            s.files.emplace_back(std::string(k), d);
        }
    return s;
}

static void fsync_path(const std::string& path, bool directory) {
    int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) throw Error(fmt::format("{}: cannot open: {}", path, errno_text(errno)));
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    // Some filesystems (tmpfs, overlay on some kernels) refuse fsync on directories.
    if (rc != 0 && !(directory && (err == EINVAL || err == EROFS)))
        throw Error(fmt::format("{}: fsync failed: {}", path, errno_text(err)));
}

static void rename_or_throw(const std::string& from, const std::string& to) {
    if (std::rename(from.c_str(), to.c_str()) != 0)
        throw Error(fmt::format("{}: cannot rename to {}: {}", from, to, errno_text(errno)));
}

void save_checkpoint(const std::string& dir, TrainerState& state,
                     const std::vector<std::pair<std::string, CheckpointWriter>>& files) {
    std::string staging = dir + "/" + kStaging;
    std::error_code ec;
    fs::remove_all(staging, ec);
    fs::create_directories(staging, ec);
    if (ec) throw Error(fmt::format("{}: cannot create: {}", staging, ec.message()));
    state.files.clear();
    for (const auto& [name, writer] : files) {
        std::string path = staging + "/" + name;
        FileDigest digest = writer(path);
        fsync_path(path, false);
        state.files.emplace_back(name, digest);
    }
    // The staged trainer_state.json is the commit record: once it is complete on disk the
    // checkpoint can always be rolled forward.
    write_file(staging + "/" + kStateFile, trainer_state_to_json(state));
    fsync_path(staging + "/" + kStateFile, false);
    fsync_path(staging, true);
    for (const auto& [name, digest] : state.files) rename_or_throw(staging + "/" + name, dir + "/" + name);
    rename_or_throw(staging + "/" + kStateFile, dir + "/" + kStateFile);
    fsync_path(dir, true);
    fs::remove(staging, ec);
}

bool recover_checkpoint(const std::string& dir) {
    std::string staging = dir + "/" + kStaging;
    std::error_code ec;
    if (!fs::is_directory(staging, ec)) return false;
    std::string staged_state = staging + "/" + kStateFile;
    if (!fs::exists(staged_state, ec)) {
        // The save never completed: DIR still holds the previous checkpoint.
        log_warn("{}: discarding an incomplete checkpoint save", staging);
        fs::remove_all(staging, ec);
        return false;
    }
    TrainerState s = trainer_state_from_json(read_file(staged_state), staged_state);
    for (const auto& [name, digest] : s.files) {
        std::string from = staging + "/" + name, to = dir + "/" + name;
        if (fs::exists(from, ec)) rename_or_throw(from, to);
        FileDigest got = digest_file(to);
        if (!(got == digest))
            throw Error(fmt::format("{}: does not match the staged checkpoint of step {}", to, s.step),
                        "the run directory was modified during a save; restore it from a copy");
    }
    rename_or_throw(staged_state, dir + "/" + kStateFile);
    fs::remove_all(staging, ec);
    log_info("{}: completed the interrupted checkpoint of step {}", dir, s.step);
    return true;
}

bool has_checkpoint(const std::string& dir) {
    std::error_code ec;
    return fs::exists(dir + "/" + kStateFile, ec) || fs::exists(dir + "/" + kStaging + "/" + kStateFile, ec);
}

TrainerState load_trainer_state(const std::string& dir) {
    std::string path = dir + "/" + kStateFile;
    if (!file_exists(path))
        throw Error(fmt::format("{}: no trainer_state.json: not a checkpoint directory", dir),
                    "resume a directory written by `pretrain -o DIR`");
    TrainerState s = trainer_state_from_json(read_file(path), path);
    for (const auto& [name, digest] : s.files) {
        std::string f = dir + "/" + name;
        if (!file_exists(f)) throw Error(fmt::format("{}: missing (listed in {})", f, path));
        if (!(digest_file(f) == digest))
            throw Error(fmt::format("{}: does not match {} (size or digest differs)", f, path),
                        "the file was changed after the checkpoint was written");
    }
    return s;
}

} // namespace lmk
