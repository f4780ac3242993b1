// decode: llm.c token shards or JSON id arrays -> text (raw or JSONL {"text"}).
#include "lmk/core/cli.h"
#include "lmk/core/log.h"
#include "lmk/tok/corpus.h"
#include "lmk/tok/hf_json.h"

namespace {

struct Options {
    std::string tokenizer;
    std::vector<std::string> files;
    std::string output = "-";
    std::string format = "text";
    bool skip_special = false;
};

const char* kExamples = R"(Examples:
  decode -t gpt2/ data/web_000000.bin | head
  decode -t tokenizer.json --format jsonl data/web_*.bin -o docs.jsonl
  echo '[15496,995]' | decode -t gpt2/                 # Hello world
Inputs are recognised by content: llm.c shards by their magic number, otherwise one JSON
array of ids per line (what `encode --format ids` writes). Ids outside the vocabulary are
an error naming the file, line and position.
)";

int run(const Options& o, const lmk::CommonFlags&) {
    auto tk = lmk::tok::load_tokenizer(o.tokenizer);
    lmk::tok::DecodeJob job;
    job.tokenizer = tk.get();
    job.inputs = o.files;
    job.output = o.output;
    job.jsonl = o.format == "jsonl";
    job.skip_special = o.skip_special;
    auto s = lmk::tok::decode_corpus(job);
    lmk::log_info("{} documents, {} tokens", s.documents, s.tokens);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    return lmk::tool_main(
        argc, argv, {"decode", "Turn token shards or JSON id arrays back into text.", kExamples},
        [&](CLI::App& app, lmk::CommonFlags&) {
            app.add_option("FILE", o.files, "shards or id-array files; none or - = stdin");
            app.add_option("-t,--tokenizer", o.tokenizer, "tokenizer.json, .tiktoken, or GPT-2 directory")->required();
            app.add_option("-o,--output", o.output, "output file (default stdout)");
            app.add_option("--format", o.format,
                           "text: raw bytes (shards as one stream, one line per id array); "
                           "jsonl: {\"text\"} per document (shards split at end-of-text)")
                ->check(CLI::IsMember({"text", "jsonl"}))->capture_default_str();
            app.add_flag("--skip-special", o.skip_special, "leave special tokens out of the text");
        },
        [&](const lmk::CommonFlags& c) { return run(o, c); });
}
