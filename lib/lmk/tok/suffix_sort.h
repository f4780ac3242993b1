// tok/suffix_sort.h: suffix arrays over integer alphabets and their LCP arrays, for the
// Unigram trainer's seed pieces.
//
// symbol_suffix_array(): text/suffix_array.h's SA-IS (O(n) time) over n symbols in
// [0, alphabet), the last one 0 and no other 0 (the unique smallest sentinel, which the
// separator-aware LCP relies on); both checked. sa[i] is the start of the i-th smallest
// suffix.
//
// lcp_stopping_at(): lcp[i] = length of the longest common prefix of the suffixes sa[i-1]
// and sa[i] (lcp[0] = 0) where symbols <= `stop` (separators) match nothing, not even
// themselves, so a common prefix never runs into a separator. Values are capped at 255 (one
// byte each). Kasai's bound (the next position's LCP is at least this one's minus one)
// still holds when separators match nothing, so the scan is O(n).
//
//   std::vector<int32_t> t = {3, 2, 4, 2, 4, 2, 0};   // "banana" + sentinel, a=2 b=3 n=4
//   auto sa = lmk::tok::symbol_suffix_array(t, 5);    // {6, 5, 3, 1, 0, 4, 2}
//   auto lcp = lmk::tok::lcp_stopping_at(t, sa, 0);   // {0, 0, 1, 3, 0, 0, 2}
//   // with t = "ab|ab" + sentinel (| = 1, stop = 1): "ab|ab" and "ab" share 2, not 3
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace lmk::tok {

std::vector<int32_t> symbol_suffix_array(std::span<const int32_t> text, int32_t alphabet);
std::vector<uint8_t> lcp_stopping_at(std::span<const int32_t> text, std::span<const int32_t> sa, int32_t stop);

} // namespace lmk::tok
