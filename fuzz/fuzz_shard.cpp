// Fuzzes llm.c token shard validation: a file either fails with lmk::Error or every one of
// its tokens can be read (the size check must make indexing safe).
#include "fuzz_input.h"
#include "lmk/core/error.h"
#include "lmk/io/shard.h"

#include <cstdint>
#include <cstdlib>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FuzzFile f(data, size);
    try {
        lmk::Shard s(f.path());
        uint32_t m = 0;
        for (size_t i = 0; i < s.size(); i++) m = s[i] > m ? s[i] : m;
        if (m != s.max_id()) std::abort();
        std::vector<uint32_t> all(s.size());
        s.read(0, s.size(), all.data());
    } catch (const lmk::Error&) {
    }
    return 0;
}
