// eval/text_util.h: Python string semantics the evaluation code needs to match lm-eval
// byte for byte: str.isspace()/strip() whitespace, len() in code points.
//
//   size_t n = lmk::py_rstrip_len("Answer: \n");   // 7: "Answer:" kept, " \n" moves on
//   int64_t chars = lmk::py_len("naïve");           // 5
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace lmk {

// Python's str.isspace() for one code point.
bool py_isspace(uint32_t cp);
// Byte length of s without its trailing Python whitespace (s.rstrip()).
size_t py_rstrip_len(std::string_view s);
// s.strip() with Python's whitespace.
std::string_view py_strip(std::string_view s);
// Python's len(): code points (invalid bytes count one each).
int64_t py_len(std::string_view s);

} // namespace lmk
