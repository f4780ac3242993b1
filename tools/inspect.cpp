// inspect: say what each file is (detected by content) and what is in it. The detection and
// summaries live in lib/lmk/io/inspect.h; this file is the command line around them.
#include "lmk/core/cli.h"
#include "lmk/core/log.h"
#include "lmk/io/inspect.h"

#include <cstdio>
#include <string>
#include <vector>

namespace {

struct Options {
    std::vector<std::string> files;
    bool json = false;
    int64_t eot = -1;
};

const char* kExamples = R"(Examples:
  inspect CC-MAIN-*.warc.wet.gz docs.jsonl.zst model/model.safetensors tok/tokenizer.json
  inspect --json shards/*.bin --eot 50256 | jq .tokens
  zcat docs.jsonl.gz | head -1000 | inspect -

Formats: JSONL, WARC/WET, llm.c token shards, safetensors, tokenizer.json, JSON, text
(gzip/zstd looked through). Exit status 1 if any file could not be read; the rest are
still inspected.
)";

int run(const Options& o) {
    lmk::InspectOptions opts;
    opts.eot = o.eot;
    bool ok = true;
    std::vector<std::string> files = o.files.empty() ? std::vector<std::string>{"-"} : o.files;
    for (const auto& f : files) {
        lmk::InspectResult r = lmk::inspect_file(f, opts);
        if (!r.ok) {
            ok = false;
            lmk::log_error("{}", r.error);
            if (!o.json) continue;
        }
        std::string text = o.json ? lmk::render_json(r) + "\n" : lmk::render_text(r);
        std::fwrite(text.data(), 1, text.size(), stdout);
    }
    return ok ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    return lmk::tool_main(
        argc, argv,
        {"inspect", "Say what each FILE is (detected by content, not name) and summarise what is in it.", kExamples},
        [&](CLI::App& app, lmk::CommonFlags&) {
            app.add_option("FILE", o.files, "files to inspect (- or none: standard input)");
            app.add_flag("--json", o.json, "one JSON object per file instead of text");
            app.add_option("--eot", o.eot, "token shards: also count this token id (documents)");
        },
        [&](const lmk::CommonFlags&) { return run(o); });
}
