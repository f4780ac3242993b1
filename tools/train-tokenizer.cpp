// train-tokenizer: train a BPE, WordPiece or Unigram tokenizer and write tokenizer.json.
#include "lmk/core/cli.h"
#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/io/file.h"
#include "lmk/tok/hf_json.h"
#include "lmk/tok/trainer.h"

#include <chrono>

namespace {

struct Options {
    std::vector<std::string> files;
    std::string output;
    std::string model = "bpe";
    std::string format = "jsonl";
    std::string text_field = "text";
    size_t vocab_size = 0;
    uint64_t min_frequency = 0;
    std::vector<std::string> special;
    bool lowercase = false, strict = false;
    size_t max_token_length = 0;
};

const char* kExamples = R"(Examples:
  train-tokenizer --model bpe --vocab-size 32000 -o tokenizer.json docs.jsonl.zst
  train-tokenizer --model wordpiece --vocab-size 30522 --lowercase --format text corpus.txt -o bert.json
  train-tokenizer --model unigram --vocab-size 8000 --special '<unk>' --special '<s>' docs.jsonl -o t5.json
  encode -t tokenizer.json docs.jsonl.zst -o data/docs
Default special tokens (counted in --vocab-size, as HF does): <|endoftext|> for bpe;
[PAD] [UNK] [CLS] [SEP] [MASK] for wordpiece; <unk> for unigram.
)";

int run(Options& o, const lmk::CommonFlags&) {
    auto t0 = std::chrono::steady_clock::now();
    lmk::tok::TrainerOptions to;
    to.vocab_size = o.vocab_size ? o.vocab_size : (o.model == "wordpiece" ? 30522 : o.model == "unigram" ? 8000 : 30000);
    to.min_frequency = o.min_frequency;
    to.max_token_length = o.max_token_length;
    if (o.special.empty()) {
        if (o.model == "bpe") o.special = {"<|endoftext|>"};
        else if (o.model == "wordpiece") o.special = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
        else o.special = {"<unk>"};
    }
    to.special = o.special;
    std::unique_ptr<lmk::tok::Tokenizer> proto =
        o.model == "bpe"         ? lmk::tok::bpe_pipeline(o.lowercase)
        : o.model == "wordpiece" ? lmk::tok::wordpiece_pipeline(o.lowercase)
                                 : lmk::tok::unigram_pipeline(o.lowercase);
    lmk::tok::CorpusSpec corpus;
    corpus.inputs = o.files;
    corpus.text_format = o.format == "text";
    corpus.text_field = o.text_field;
    corpus.strict = o.strict;
    auto wc = lmk::tok::count_words(*proto, corpus, to);
    double count_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    lmk::log_info("{} documents, {:.1f} MB, {} distinct pieces counted in {:.2f} s", wc.documents, wc.bytes / 1e6,
                  wc.words.size(), count_s);
    if (wc.skipped) lmk::log_warn("{} records skipped (malformed or without \"{}\")", wc.skipped, o.text_field);
    std::unique_ptr<lmk::tok::Tokenizer> tk =
        o.model == "bpe"         ? lmk::tok::train_bpe(*proto, wc, to)
        : o.model == "wordpiece" ? lmk::tok::train_wordpiece(*proto, wc, to)
                                 : lmk::tok::train_unigram(*proto, wc, to);
    lmk::write_file(o.output, lmk::tok::to_hf_json(*tk));
    double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (tk->vocab_size() < to.vocab_size)
        lmk::log_warn("vocabulary has {} tokens, fewer than --vocab-size {}: the corpus ran out of pairs",
                      tk->vocab_size(), to.vocab_size);
    lmk::log_info("{} model, {} tokens, written to {} in {:.2f} s", tk->model().type(), tk->vocab_size(), o.output, total);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    return lmk::tool_main(
        argc, argv,
        {"train-tokenizer", "Train a BPE (GPT-2 byte-level), WordPiece (BERT) or Unigram (sentencepiece) tokenizer; "
                            "writes a Hugging Face tokenizer.json.", kExamples},
        [&](CLI::App& app, lmk::CommonFlags&) {
            app.add_option("FILE", o.files, "training documents (JSONL, or text with --format text); none or - = stdin");
            app.add_option("-o,--output", o.output, "tokenizer.json to write")->required();
            app.add_option("--model", o.model, "bpe | wordpiece | unigram")
                ->check(CLI::IsMember({"bpe", "wordpiece", "unigram"}))->capture_default_str();
            app.add_option("--vocab-size", o.vocab_size,
                           "tokens including special tokens (default 30000 bpe, 30522 wordpiece, 8000 unigram)");
            app.add_option("--min-frequency", o.min_frequency, "stop merging below this pair count")->capture_default_str();
            app.add_option("--special", o.special, "special token (repeatable; replaces the defaults)");
            app.add_flag("--lowercase", o.lowercase, "lowercase before training (wordpiece: on by default in BERT's normalizer)");
            app.add_option("--max-token-length", o.max_token_length, "longest token in bytes (0 = no limit)")
                ->capture_default_str();
            app.add_option("--format", o.format, "jsonl | text (each line a document)")
                ->check(CLI::IsMember({"jsonl", "text"}))->capture_default_str();
            app.add_option("--text-field", o.text_field, "JSON field holding the text")->capture_default_str();
            app.add_flag("--strict", o.strict, "stop at the first malformed record");
        },
        [&](const lmk::CommonFlags& c) { return run(o, c); });
}
