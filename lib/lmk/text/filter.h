// text/filter.h: the document and verdict types every filter shares.
//
// A filter is a pure function over one document: it keeps it (maybe with modified text) or
// rejects it with a Rejection whose `reason` is a short stable key (the names datatrove and
// TFDS use, e.g. "dup_line_frac", "too_few_sentences") and whose `detail` says what was
// measured ("0.42 > 0.3"). The pipeline adds the filter's name, counts each reason, and writes
// rejected documents with "reject": {"filter", "reason", "detail"} so nothing is dropped
// without a reason one can look up.
//
//   lmk::Verdict v = lmk::gopher_repetition_filter(doc.text, cfg.gopher_repetition);
//   if (v) log_debug("rejected: {} ({})", v->reason, v->detail);
#pragma once
#include <optional>
#include <string>

namespace lmk {

struct Rejection {
    std::string reason; // stable key, counted in --stats
    std::string detail; // measured value vs threshold, for people
};

using Verdict = std::optional<Rejection>; // nullopt = keep

// "0.4211 > 0.3": a ratio and its threshold, formatted the same everywhere.
std::string ratio_detail(double value, const char* op, double threshold);

} // namespace lmk
