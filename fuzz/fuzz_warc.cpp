// Fuzzes the WARC/WET reader (plain, and gzip members with damage tolerance): it must never
// crash, and the stats must account for what it returned.
#include "fuzz_input.h"
#include "lmk/core/error.h"
#include "lmk/io/warc.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FuzzFile f(data, size);
    try {
        lmk::WarcReader in(f.path());
        lmk::WarcRecord rec;
        uint64_t n = 0;
        while (in.next(rec)) {
            if (rec.index != n++) std::abort();
            (void)rec.type();
            (void)rec.header("WARC-Target-URI");
        }
        if (in.stats().records != n) std::abort();
    } catch (const lmk::Error&) {
    }
    return 0;
}
