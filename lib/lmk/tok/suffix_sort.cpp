// tok/suffix_sort.cpp: SA-IS over int32 symbols, and a separator-aware LCP array.
#include "lmk/tok/suffix_sort.h"

#include "lmk/core/error.h"

#include <algorithm>

namespace lmk::tok {
namespace {

// Sorts the suffixes of s[0, n) (s[n-1] == 0 unique, symbols < k) into sa[0, n). sa also holds
// the reduced problem of the recursion: its text in sa[n - n1, n), its result in sa[0, n1).
void sais(const int32_t* s, int32_t* sa, int32_t n, int32_t k) {
    if (n == 1) { sa[0] = 0; return; }
    std::vector<uint8_t> stype(static_cast<size_t>(n)); // 1: S-type suffix (smaller than its successor)
    stype[size_t(n - 1)] = 1;
    for (int32_t i = n - 2; i >= 0; i--)
        stype[size_t(i)] = s[i] < s[i + 1] || (s[i] == s[i + 1] && stype[size_t(i + 1)]);
    auto lms = [&](int32_t i) { return i > 0 && stype[size_t(i)] && !stype[size_t(i - 1)]; };
    std::vector<int32_t> count(static_cast<size_t>(k), 0), bucket(static_cast<size_t>(k));
    for (int32_t i = 0; i < n; i++) count[size_t(s[i])]++;
    auto buckets = [&](bool ends) {
        int32_t sum = 0;
        for (int32_t c = 0; c < k; c++) {
            sum += count[size_t(c)];
            bucket[size_t(c)] = ends ? sum : sum - count[size_t(c)];
        }
    };
    // Induces the order of all suffixes from LMS suffixes placed at their bucket ends.
    auto induce = [&]() {
        buckets(false);
        for (int32_t i = 0; i < n; i++) {
            int32_t j = sa[i] - 1;
            if (sa[i] > 0 && !stype[size_t(j)]) sa[bucket[size_t(s[j])]++] = j;
        }
        buckets(true);
        for (int32_t i = n - 1; i >= 0; i--) {
            int32_t j = sa[i] - 1;
            if (sa[i] > 0 && stype[size_t(j)]) sa[--bucket[size_t(s[j])]] = j;
        }
    };
    // 1. Sort the LMS substrings.
    std::fill(sa, sa + n, -1);
    buckets(true);
    for (int32_t i = 1; i < n; i++)
        if (lms(i)) sa[--bucket[size_t(s[i])]] = i;
    induce();
    int32_t n1 = 0;
    for (int32_t i = 0; i < n; i++)
        if (lms(sa[i])) sa[n1++] = sa[i];
    // 2. Name them (equal substrings, equal names); names go to sa[n1 + pos / 2] (LMS
    // positions are at least two apart), then are packed into sa[n - n1, n) in text order.
    std::fill(sa + n1, sa + n, -1);
    int32_t names = 0, prev = -1;
    for (int32_t i = 0; i < n1; i++) {
        int32_t pos = sa[i];
        bool differ = prev < 0;
        for (int32_t d = 0; !differ; d++) {
            if (s[pos + d] != s[prev + d] || stype[size_t(pos + d)] != stype[size_t(prev + d)]) differ = true;
            else if (d > 0 && (lms(pos + d) || lms(prev + d))) break;
        }
        if (differ) { names++; prev = pos; }
        sa[n1 + pos / 2] = names - 1;
    }
    for (int32_t i = n - 1, j = n - 1; i >= n1; i--)
        if (sa[i] >= 0) sa[j--] = sa[i];
    // 3. Sort the reduced string (recursively unless every name is unique).
    int32_t* s1 = sa + n - n1;
    if (names < n1) sais(s1, sa, n1, names);
    else
        for (int32_t i = 0; i < n1; i++) sa[s1[i]] = i;
    // 4. LMS suffixes in sorted order at their bucket ends, then induce everything.
    for (int32_t i = 1, j = 0; i < n; i++)
        if (lms(i)) s1[j++] = i;
    for (int32_t i = 0; i < n1; i++) sa[i] = s1[sa[i]];
    std::fill(sa + n1, sa + n, -1);
    buckets(true);
    for (int32_t i = n1 - 1; i >= 0; i--) {
        int32_t j = sa[i];
        sa[i] = -1;
        sa[--bucket[size_t(s[j])]] = j;
    }
    induce();
}

} // namespace

std::vector<int32_t> symbol_suffix_array(std::span<const int32_t> text, int32_t alphabet) {
    LMK_CHECK(text.size() < size_t(INT32_MAX), "suffix array: {} symbols exceed 2^31 - 1", text.size());
    const int32_t n = int32_t(text.size());
    std::vector<int32_t> sa(static_cast<size_t>(n));
    if (n == 0) return sa;
    LMK_CHECK(text[size_t(n - 1)] == 0, "suffix array: the text must end with the sentinel 0");
    for (int32_t i = 0; i + 1 < n; i++)
        LMK_CHECK(text[size_t(i)] > 0 && text[size_t(i)] < alphabet, "suffix array: symbol {} at {} is outside [1, {})",
                  text[size_t(i)], i, alphabet);
    sais(text.data(), sa.data(), n, alphabet);
    return sa;
}

std::vector<uint8_t> lcp_stopping_at(std::span<const int32_t> text, std::span<const int32_t> sa, int32_t stop) {
    const size_t n = sa.size();
    std::vector<uint8_t> lcp(n, 0);
    if (n == 0) return lcp;
    // phi[p] = the suffix before p in sa order; then, in text order, its LCP with p (in place).
    std::vector<int32_t> phi(n);
    phi[size_t(sa[0])] = -1;
    for (size_t i = 1; i < n; i++) phi[size_t(sa[i])] = sa[i - 1];
    size_t h = 0;
    for (size_t p = 0; p < n; p++) {
        if (phi[p] < 0) { phi[p] = 0; h = 0; continue; }
        const size_t q = size_t(phi[p]);
        while (p + h < n && q + h < n && text[p + h] > stop && text[p + h] == text[q + h]) h++;
        phi[p] = int32_t(h);
        if (h > 0) h--;
    }
    for (size_t i = 0; i < n; i++) lcp[i] = uint8_t(std::min<int32_t>(phi[size_t(sa[i])], 255));
    return lcp;
}

} // namespace lmk::tok
