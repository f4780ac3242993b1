// Fuzzes the JSONL reader (plain, gzip and zstd by magic) and the record writer: any input
// must either parse or be counted malformed; lmk::Error is an accepted outcome, a crash or a
// sanitizer report is a finding. Every re-emitted record must itself parse as one record.
#include "fuzz_input.h"
#include "lmk/core/error.h"
#include "lmk/io/jsonl.h"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FuzzFile f(data, size);
    try {
        lmk::JsonlReader in(f.path(), lmk::JsonlOptions{.input = {.tolerate_damage = true}});
        auto out = lmk::Output::open("/dev/null");
        lmk::JsonlWriter w(*out);
        while (in.next()) {
            auto text = in.get_string("text");
            w.write_record(in, {{"n", lmk::json_number(uint64_t(text ? text->size() : 0))}, {"id", std::nullopt}});
            for (const auto& field : in.fields()) (void)in.get_number(field.key);
        }
        out->commit();
    } catch (const lmk::Error&) {
    }
    return 0;
}
