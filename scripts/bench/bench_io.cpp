// bench_io: JSONL parse + rewrite throughput of the io layer on one thread.
//   bench_io FILE [--edit]   reads FILE (plain/.gz/.zst by magic), parses every record, and
//   writes it back (to /dev/null) either untouched or with one field added (--edit), then
//   prints `bytes seconds MB/s records` for the uncompressed stream.
#include "lmk/io/jsonl.h"

#include <chrono>
#include <fmt/core.h>
#include <cstring>

int main(int argc, char** argv) {
    if (argc < 2) {
        fmt::print(stderr, "usage: bench_io FILE [--edit]\n");
        return 2;
    }
    bool edit = argc > 2 && std::strcmp(argv[2], "--edit") == 0;
    auto t0 = std::chrono::steady_clock::now();
    lmk::JsonlReader in(argv[1]);
    auto out = lmk::Output::open("/dev/null");
    lmk::JsonlWriter w(*out);
    uint64_t text_bytes = 0;
    while (in.next()) {
        auto text = in.get_string("text");
        if (text) text_bytes += text->size();
        if (edit) w.write_record(in, {{"n_bytes", lmk::json_number(uint64_t(text ? text->size() : 0))}});
        else w.write_record(in);
    }
    out->commit();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double mb = double(in.bytes_read()) / 1e6;
    fmt::print("{} {:.3f} {:.1f} {}\n", in.bytes_read(), s, mb / s, in.records());
    return 0;
}
