// text/suffix_array.h: linear-time suffix arrays (SA-IS) and, from them, the longest earlier
// repeat starting at every position — what exact-substring dedup removes.
//
// suffix_array(): SA-IS (Nong, Zhang & Chan 2009), O(n) time, over bytes or int32 symbols. sa[i] is the start of the i-th
// smallest suffix; a suffix that is a prefix of another sorts first. Sizes up to 2^31 - 1.
// Memory: the 4n-byte result plus at most 4n bytes for the recursion (reduced string and its
// suffix array, each at most n/2 entries) and n bytes of suffix types.
//
// longest_previous_factor(): lpf[p] = the largest L such that text[p, p+L) also occurs at some
// q < p (occurrences may overlap), never extending across a `separator` byte, and src[p] = one
// such q (-1 when L = 0). It uses the two suffix-array neighbours of p with an earlier start
// (previous/next smaller value) — the best earlier match is always one of them — and
// computes their match lengths left to right, each at least the previous one minus one,
// so the total work is O(n). Peak memory: text + 4n (sa) + 8n (the two neighbours by
// position); the caller may free sa before the scan (this function takes it by value).
//
//   std::string t = "abcab";
//   auto sa = lmk::suffix_array(t);            // {3, 0, 4, 1, 2}
//   auto f = lmk::longest_previous_factor(t, std::move(sa), '\xff');
//   // f.length = {0, 0, 0, 2, 1}, f.source[3] = 0
#pragma once
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace lmk {

std::vector<int32_t> suffix_array(std::string_view text);
// The same over an integer alphabet: symbols in [0, alphabet) (the Unigram trainer's word
// lists); no terminator needed, any symbol may repeat.
std::vector<int32_t> suffix_array(std::span<const int32_t> symbols, int32_t alphabet);

struct PreviousFactors {
    std::vector<int32_t> length;
    std::vector<int32_t> source;
};
PreviousFactors longest_previous_factor(std::string_view text, std::vector<int32_t> sa, char separator);

} // namespace lmk
