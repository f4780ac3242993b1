// train/checkpoint.h: atomic training checkpoints and trainer_state.json.
//
// A checkpoint is a set of files in the run directory DIR (model.safetensors, config.json,
// optimizer.safetensors, trainer_state.json) that must change together. save_checkpoint
// writes them all into DIR/.checkpoint.tmp/, fsyncs them, writes trainer_state.json there
// last with every file's size and XXH3-64 digest, and only then renames the files into DIR,
// trainer_state.json last. So:
//   - a crash before trainer_state.json is complete in the staging directory leaves DIR's
//     previous checkpoint untouched (the staging directory is discarded on resume);
//   - a crash during the renames is rolled forward by recover_checkpoint (the staged
//     trainer_state.json lists what belongs together, and the digests prove it);
//   - load_trainer_state verifies every listed file's digest, so a checkpoint whose files
//     come from different steps is refused instead of silently resumed.
//
// trainer_state.json (one object; 64-bit integers that JSON numbers cannot hold exactly,
// such as RNG words, are hex strings):
//   {"format": "lmkit-trainer-state", "version": 1, "step": 200, "total_steps": 1000,
//    "tokens": 819200, "elapsed": 61.5, "seed": 1337, "best_val_loss": 2.1,
//    "train_data": {"shard": 0, "offset": 0, "batches": 200, "rng": ["9e37..", ...]},
//    "options": {...training options, see train/loop.h...},
//    "files": {"model.safetensors": {"bytes": 1234, "xxh3": "0123456789abcdef"}, ...}}
//
//   lmk::save_checkpoint(dir, state, {{"model.safetensors", [&](const std::string& p) {
//       return model.save_safetensors(p); }}});
//   lmk::recover_checkpoint(dir);
//   lmk::TrainerState s = lmk::load_trainer_state(dir);
#pragma once
#include "lmk/io/file.h"
#include "lmk/train/data_loader.h"

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace lmk {

struct TrainerState {
    int64_t step = 0;        // optimizer steps completed
    int64_t total_steps = 0; // the run's --steps
    int64_t tokens = 0;      // training tokens consumed
    double elapsed = 0;      // seconds of training, summed over resumed runs
    uint64_t seed = 0;
    double best_val_loss = std::numeric_limits<double>::quiet_NaN();
    DataPosition train_data;
    std::string options_json = "{}"; // a JSON object (raw text)
    std::vector<std::pair<std::string, FileDigest>> files; // filled by save/load
};

std::string trainer_state_to_json(const TrainerState& s);
TrainerState trainer_state_from_json(const std::string& json, const std::string& context);

// Writes one file at path and returns its digest, taken from the bytes as they were written
// (SafetensorsWriter::write and write_file return it), so no file is read back.
using CheckpointWriter = std::function<FileDigest(const std::string& path)>;
// Writes each file through its writer into the staging directory, then commits (see
// above). `state.files` is filled with the digests the writers return.
void save_checkpoint(const std::string& dir, TrainerState& state,
                     const std::vector<std::pair<std::string, CheckpointWriter>>& files);
// Finishes or discards an interrupted save. Returns true if a staged checkpoint was
// rolled forward.
bool recover_checkpoint(const std::string& dir);
// Reads DIR/trainer_state.json and verifies the files it lists; throws with a hint.
TrainerState load_trainer_state(const std::string& dir);
bool has_checkpoint(const std::string& dir);

} // namespace lmk
