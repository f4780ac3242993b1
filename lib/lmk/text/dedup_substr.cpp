#include "lmk/core/error.h"
#include "lmk/text/dedup_internal.h"
namespace lmk {
DedupStats run_substr_dedup(const DedupCorpus&, const DedupOutputs&, const SubstrDedupOptions&) { fail("todo"); }
}
