// tests/test_train_checkpoint.cpp: trainer_state.json, staged saves, roll-forward, digests.
#include "lmk/core/error.h"
#include "lmk/io/file.h"
#include "lmk/train/checkpoint.h"
#include "lmk/train/metrics.h"

#include <cmath>
#include "test_util.h"

#include <doctest/doctest.h>
#include <filesystem>

using namespace lmk;
namespace fs = std::filesystem;

namespace {
using lmk_test::TempDir;
TrainerState sample_state() {
    TrainerState s;
    s.step = 200, s.total_steps = 1000, s.tokens = 819200, s.elapsed = 61.5, s.seed = 0xfedcba9876543210ULL;
    s.best_val_loss = 2.125;
    s.train_data.shard = 3, s.train_data.offset = 4096, s.train_data.batches = 200;
    s.train_data.rng = {1, 0xffffffffffffffffULL, 0x8000000000000000ULL, 42};
    s.options_json = "{\"lr\":0.0006,\"train\":\"a b\"}";
    return s;
}
} // namespace

TEST_CASE("trainer_state.json round trip keeps 64-bit words exactly") {
    TrainerState s = sample_state();
    s.files = {{"model.safetensors", {123, 0xdeadbeefcafef00dULL}}};
    TrainerState t = trainer_state_from_json(trainer_state_to_json(s), "t");
    CHECK(t.step == 200);
    CHECK(t.total_steps == 1000);
    CHECK(t.tokens == 819200);
    CHECK(t.elapsed == 61.5);
    CHECK(t.seed == 0xfedcba9876543210ULL);
    CHECK(t.best_val_loss == 2.125);
    CHECK(t.train_data == s.train_data);
    CHECK(t.options_json == s.options_json);
    REQUIRE(t.files.size() == 1);
    CHECK(t.files[0].second == s.files[0].second);
    s.best_val_loss = NAN;
    CHECK(std::isnan(trainer_state_from_json(trainer_state_to_json(s), "t").best_val_loss));
    CHECK_THROWS_AS(trainer_state_from_json("{\"format\": \"other\"}", "t"), Error);
}

TEST_CASE("save_checkpoint commits every file and load verifies digests") {
    TempDir d;
    TrainerState s = sample_state();
    save_checkpoint(d.path, s,
                    {{"model.safetensors", [](const std::string& p) { return write_file(p, "weights v1"); }},
                     {"optimizer.safetensors", [](const std::string& p) { return write_file(p, "moments v1"); }}});
    CHECK(has_checkpoint(d.path));
    CHECK_FALSE(fs::exists(d.path + "/.checkpoint.tmp"));
    TrainerState t = load_trainer_state(d.path);
    CHECK(t.step == 200);
    CHECK(t.files.size() == 2);
    CHECK(read_file(d.path + "/model.safetensors") == "weights v1");
    // A file changed behind the checkpoint's back is detected.
    write_file(d.path + "/optimizer.safetensors", "moments v2");
    CHECK_THROWS_AS(load_trainer_state(d.path), Error);
}

TEST_CASE("an interrupted save is rolled forward or discarded") {
    TempDir d;
    TrainerState s = sample_state();
    save_checkpoint(d.path, s, {{"model.safetensors", [](const std::string& p) { return write_file(p, "step 200"); }}});
    // Simulate a crash mid-commit of step 300: the staged state is complete, the model was
    // already renamed into place, the state was not.
    fs::create_directories(d.path + "/.checkpoint.tmp");
    write_file(d.path + "/.checkpoint.tmp/model.safetensors", "step 300");
    TrainerState s3 = s;
    s3.step = 300;
    s3.files = {{"model.safetensors", digest_file(d.path + "/.checkpoint.tmp/model.safetensors")}};
    write_file(d.path + "/.checkpoint.tmp/trainer_state.json", trainer_state_to_json(s3));
    fs::rename(d.path + "/.checkpoint.tmp/model.safetensors", d.path + "/model.safetensors");
    CHECK(recover_checkpoint(d.path));
    TrainerState t = load_trainer_state(d.path);
    CHECK(t.step == 300);
    CHECK(read_file(d.path + "/model.safetensors") == "step 300");
    // A staging directory without its state file is an unfinished save: discarded.
    fs::create_directories(d.path + "/.checkpoint.tmp");
    write_file(d.path + "/.checkpoint.tmp/model.safetensors", "half");
    CHECK_FALSE(recover_checkpoint(d.path));
    CHECK_FALSE(fs::exists(d.path + "/.checkpoint.tmp"));
    CHECK(load_trainer_state(d.path).step == 300);
}

TEST_CASE("metrics.jsonl rows, resume truncation and the SVG") {
    TempDir d;
    {
        MetricsLog log(d.path, -1);
        for (int s = 1; s <= 5; s++) {
            TrainRow r;
            r.step = s, r.loss = 4.0 - 0.5 * s, r.lr = 1e-3, r.grad_norm = 1, r.tokens = 64 * s;
            r.tokens_per_s = 1000, r.mfu = 0.5, r.elapsed = s;
            log.add_train(r);
        }
        log.add_eval(4, 2.5, 4.5);
        log.write_svg();
    }
    std::string text = read_file(d.path + "/metrics.jsonl");
    CHECK(text.find("{\"step\": 1, \"loss\": 3.5, \"lr\": 0.001, \"grad_norm\": 1, \"tokens\": 64, "
                    "\"tokens_per_s\": 1000, \"mfu\": 0.5, \"elapsed\": 1}\n") == 0);
    CHECK(text.find("{\"step\": 4, \"val_loss\": 2.5, \"elapsed\": 4.5}\n") != std::string::npos);
    std::string svg = read_file(d.path + "/loss.svg");
    CHECK(svg.find("<svg") == 0);
    CHECK(svg.find("<polyline") != std::string::npos);
    CHECK(svg.find("<circle") != std::string::npos);
    {
        // Resuming at step 3 drops rows 4 and 5 and the eval at 4.
        MetricsLog log(d.path, 3);
        CHECK(log.train_points().size() == 3);
        CHECK(log.val_points().empty());
    }
    std::string kept = read_file(d.path + "/metrics.jsonl");
    CHECK(kept.find("\"step\": 4") == std::string::npos);
    CHECK(kept.find("\"step\": 3") != std::string::npos);
    CHECK(render_loss_svg({}, {}, "loss").find("no data yet") != std::string::npos);
}
