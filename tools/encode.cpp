// encode: JSONL documents -> llm.c token shards (or JSON id arrays) with a tokenizer.
#include "lmk/core/cli.h"
#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/tok/corpus.h"
#include "lmk/io/file.h"
#include "lmk/tok/hf_json.h"

namespace {

struct Options {
    std::string tokenizer;
    std::vector<std::string> files;
    std::string output, save_tokenizer;
    std::string format = "shards";
    std::string text_field = "text";
    uint64_t shard_tokens = 100000000, val_tokens = 0;
    bool eot = false, special_as_text = false, no_post_process = false, strict = false, text_input = false;
};

const char* kExamples = R"(Examples:
  encode -t gpt2/ docs.jsonl.zst -o data/web          # data/web_000000.bin, ...
  encode -t tokenizer.json --val-tokens 1000000 --shard-tokens 100000000 *.jsonl.gz -o data/fw
  echo '{"text": "Hello world"}' | encode -t r50k_base.tiktoken --format ids   # [15496,995]
  clean-corpus crawl.wet.gz | encode -t tok.json -o data/clean
  encode -t cl100k_base.tiktoken --save-tokenizer tokenizer.json   # convert for Hugging Face
Shards: PREFIX_000000.bin ... (llm.c format; with --val-tokens: PREFIX_val_000000.bin, then
PREFIX_train_000001.bin ...). Every document is preceded by the end-of-text token.
)";

int run(const Options& o, const lmk::CommonFlags&) {
    auto tk = lmk::tok::load_tokenizer(o.tokenizer);
    if (!o.save_tokenizer.empty()) {
        lmk::write_file(o.save_tokenizer, lmk::tok::to_hf_json(*tk));
        if (o.files.empty()) return 0;
    }
    lmk::tok::EncodeJob job;
    job.tokenizer = tk.get();
    job.inputs = o.files;
    job.text_field = o.text_field;
    job.ids_format = o.format == "ids";
    if (job.ids_format) {
        job.output = o.output.empty() ? "-" : o.output;
    } else {
        if (o.output.empty() || o.output == "-")
            throw lmk::Error("shards need an output prefix: -o PREFIX", "or use --format ids for standard output");
        job.prefix = o.output;
    }
    job.shard_tokens = o.shard_tokens;
    job.val_tokens = o.val_tokens;
    job.eot_in_ids = o.eot;
    job.post_process = !o.no_post_process;
    job.split_special = !o.special_as_text;
    job.strict = o.strict;
    job.text_input = o.text_input;
    auto s = lmk::tok::encode_corpus(job);
    lmk::log_info("{} documents, {} tokens, {:.1f} MB in {:.2f} s ({:.1f} MB/s){}", s.documents, s.tokens,
                  s.bytes / 1e6, s.seconds, s.seconds > 0 ? s.bytes / 1e6 / s.seconds : 0.0,
                  job.ids_format ? "" : fmt::format(", {} shard(s)", s.shards.size()));
    if (s.skipped) lmk::log_warn("{} records skipped (malformed or without \"{}\")", s.skipped, o.text_field);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    return lmk::tool_main(
        argc, argv,
        {"encode", "Tokenize JSONL documents into llm.c token shards (or JSON id arrays).", kExamples},
        [&](CLI::App& app, lmk::CommonFlags&) {
            app.add_option("FILE", o.files, "JSONL documents (.gz/.zst read by magic); none or - = stdin");
            app.add_option("-t,--tokenizer", o.tokenizer,
                           "tokenizer.json, a .tiktoken file, or a directory with vocab.json+merges.txt "
                           "or encoder.json+vocab.bpe")->required();
            app.add_option("-o,--output", o.output, "shard prefix (shards) or file (ids; default stdout)");
            app.add_option("--format", o.format, "shards | ids")->check(CLI::IsMember({"shards", "ids"}))
                ->capture_default_str();
            app.add_option("--text-field", o.text_field, "JSON field holding the text")->capture_default_str();
            app.add_option("--shard-tokens", o.shard_tokens, "tokens per shard")->capture_default_str();
            app.add_option("--val-tokens", o.val_tokens, "tokens in a first validation shard (0 = none)")
                ->capture_default_str();
            app.add_option("--save-tokenizer", o.save_tokenizer,
                           "also write the tokenizer as a Hugging Face tokenizer.json (converts .tiktoken "
                           "and GPT-2 files); with no FILE, only that: standard input is not read");
            app.add_flag("--eot", o.eot, "ids: append the end-of-text token to each document");
            app.add_flag("--special-as-text", o.special_as_text,
                         "treat special-token strings in the text as plain text (default: split out as HF does)");
            app.add_flag("--no-post-process", o.no_post_process,
                         "ids: do not add the post-processor's tokens (e.g. [CLS] ... [SEP])");
            app.add_flag("--text-input", o.text_input, "inputs are plain text files, one document each");
            app.add_flag("--strict", o.strict, "stop at the first malformed record");
        },
        [&](const lmk::CommonFlags& c) { return run(o, c); });
}
