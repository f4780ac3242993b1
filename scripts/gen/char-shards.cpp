// char-shards: a character-level dataset as nanoGPT's shakespeare_char/prepare.py makes it:
// the vocabulary is the text's distinct characters (UTF-8 code points) in sorted order, the
// first (1 - val_fraction) of the text becomes DIR/train_000000.bin and the rest
// DIR/val_000000.bin (llm.c shards), and DIR/tokenizer.json is a Hugging Face tokenizer
// with that vocabulary (BPE without merges, Fuse decoder), so generate can decode. Used by
// the pretrain/generate tests, the demo and the training benchmark. Not a user tool.
//   char-shards tinyshakespeare.txt -o data/shakespeare_char
#include "lmk/core/cli.h"
#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/core/utf8.h"
#include "lmk/io/file.h"
#include "lmk/io/jsonl.h"
#include "lmk/io/shard.h"

#include <algorithm>
#include <filesystem>
#include <map>

int main(int argc, char** argv) {
    std::string input, out;
    double val_fraction = 0.1;
    return lmk::tool_main(
        argc, argv, {"char-shards", "Character-level llm.c shards and tokenizer.json from a text file.", ""},
        [&](CLI::App& app, lmk::CommonFlags&) {
            app.add_option("FILE", input, "UTF-8 text")->required();
            app.add_option("-o,--output", out, "output directory")->required();
            app.add_option("--val-fraction", val_fraction, "tail of the text held out for validation");
        },
        [&](const lmk::CommonFlags&) {
            std::string text = lmk::repair_utf8(lmk::read_file(input));
            std::vector<uint32_t> cps;
            for (size_t i = 0; i < text.size();) {
                uint32_t cp = 0;
                size_t n = lmk::utf8_decode(text.data() + i, text.size() - i, &cp);
                cps.push_back(cp);
                i += n;
            }
            LMK_CHECK(cps.size() > 100, "{}: too little text ({} characters)", input, cps.size());
            std::vector<uint32_t> chars = cps;
            std::sort(chars.begin(), chars.end());
            chars.erase(std::unique(chars.begin(), chars.end()), chars.end());
            std::map<uint32_t, uint32_t> id;
            for (uint32_t i = 0; i < chars.size(); i++) id[chars[i]] = i;
            std::vector<uint32_t> ids;
            for (uint32_t cp : cps) ids.push_back(id[cp]);
            std::filesystem::create_directories(out);
            size_t n_train = size_t(double(ids.size()) * (1.0 - val_fraction));
            lmk::ShardWriter tr(out + "/train_000000.bin", 1);
            tr.append(ids.data(), n_train);
            tr.commit();
            lmk::ShardWriter va(out + "/val_000000.bin", 1);
            va.append(ids.data() + n_train, ids.size() - n_train);
            va.commit();
            std::string vocab;
            for (uint32_t i = 0; i < chars.size(); i++) {
                std::string c;
                lmk::utf8_append(c, chars[i]);
                vocab += fmt::format("{}{}: {}", i ? ", " : "", lmk::json_string(c), i);
            }
            lmk::write_file(out + "/tokenizer.json",
                            "{\"version\": \"1.0\", \"truncation\": null, \"padding\": null, \"added_tokens\": [], "
                            "\"normalizer\": null, \"pre_tokenizer\": null, \"post_processor\": null, "
                            "\"decoder\": {\"type\": \"Fuse\"}, \"model\": {\"type\": \"BPE\", \"dropout\": null, "
                            "\"unk_token\": null, \"continuing_subword_prefix\": null, \"end_of_word_suffix\": null, "
                            "\"fuse_unk\": false, \"byte_fallback\": false, \"ignore_merges\": false, \"vocab\": {" +
                                vocab + "}, \"merges\": []}}\n");
            lmk::log_info("{} characters, vocabulary {}: {} train and {} val tokens in {}", cps.size(), chars.size(),
                          n_train, ids.size() - n_train, out);
            return 0;
        });
}
