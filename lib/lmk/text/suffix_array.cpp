// text/suffix_array.cpp: SA-IS with a virtual sentinel (the empty suffix, smaller than all),
// so the input needs no terminator byte and any byte value may occur.
#include "lmk/text/suffix_array.h"

#include "lmk/core/error.h"

#include <algorithm>

namespace lmk {
namespace {

// Bucket boundaries per symbol from the symbol counts: heads (first slot) or tails (one past
// the last slot).
void bucket_bounds(const std::vector<int32_t>& count, std::vector<int32_t>& b, bool tails) {
    int32_t sum = 0;
    for (size_t c = 0; c < count.size(); ++c) {
        sum += count[c];
        b[c] = tails ? sum : sum - count[c];
    }
}

// stype[i]: suffix i is S-type (smaller than suffix i+1). Position n (the sentinel) is S.
// Types are bytes, not bits: the induce loops test them for every suffix and a byte load is
// cheaper than a bit extract; the extra 7n/8 bytes are small next to the 4n suffix array.
using Types = std::vector<uint8_t>;
inline bool is_lms(const Types& stype, int32_t i) { return i > 0 && stype[size_t(i)] && !stype[size_t(i - 1)]; }

// Induced sort: given LMS suffixes placed at their bucket tails, places every L-type suffix
// (left-to-right scan) and then every S-type suffix (right-to-left scan).
template <typename T>
void induce(const T* s, int32_t* sa, int32_t n, const Types& stype, const std::vector<int32_t>& count,
            std::vector<int32_t>& b) {
    bucket_bounds(count, b, false);
    // The sentinel sorts first; the suffix before it (n-1, always L-type) comes next in its bucket.
    sa[b[size_t(s[n - 1])]++] = n - 1;
    for (int32_t i = 0; i < n; ++i) {
        int32_t j = sa[i] - 1;
        if (sa[i] > 0 && !stype[size_t(j)]) sa[b[size_t(s[j])]++] = j;
    }
    bucket_bounds(count, b, true);
    for (int32_t i = n - 1; i >= 0; --i) {
        int32_t j = sa[i] - 1;
        if (sa[i] > 0 && stype[size_t(j)]) sa[--b[size_t(s[j])]] = j;
    }
}

template <typename T>
void sais(const T* s, int32_t* sa, int32_t n, int32_t K) {
    if (n == 0) return;
    if (n == 1) {
        sa[0] = 0;
        return;
    }
    Types stype(size_t(n) + 1);
    stype[size_t(n)] = true;
    stype[size_t(n - 1)] = false;
    for (int32_t i = n - 2; i >= 0; --i)
        stype[size_t(i)] = s[i] < s[i + 1] || (s[i] == s[i + 1] && stype[size_t(i + 1)]);
    std::vector<int32_t> b(static_cast<size_t>(K)), count(static_cast<size_t>(K), 0);
    for (int32_t i = 0; i < n; ++i) ++count[size_t(s[i])];

    // Stage 1: sort LMS substrings by inducing from LMS positions in text order.
    for (int32_t i = 0; i < n; ++i) sa[i] = -1;
    bucket_bounds(count, b, true);
    for (int32_t i = n - 1; i >= 1; --i)
        if (is_lms(stype, i)) sa[--b[size_t(s[i])]] = i;
    induce(s, sa, n, stype, count, b);

    // Compact the sorted LMS positions to the front of sa.
    int32_t m = 0;
    for (int32_t i = 0; i < n; ++i)
        if (is_lms(stype, sa[i])) sa[m++] = sa[i];
    // Name LMS substrings: equal substrings (same symbols and types up to the next LMS) share a
    // name. Names go to sa[m + pos/2] (LMS positions are at least 2 apart, so slots are unique).
    for (int32_t i = m; i < n; ++i) sa[i] = -1;
    int32_t name = 0, prev = -1;
    for (int32_t i = 0; i < m; ++i) {
        int32_t pos = sa[i];
        bool diff = prev < 0;
        for (int32_t d = 0; !diff; ++d) {
            // Reaching the sentinel (position n) makes substrings differ: it is unique.
            if (pos + d == n || prev + d == n || s[pos + d] != s[prev + d] ||
                stype[size_t(pos + d)] != stype[size_t(prev + d)]) {
                diff = true;
            } else if (d > 0 && (is_lms(stype, pos + d) || is_lms(stype, prev + d))) {
                if (!(is_lms(stype, pos + d) && is_lms(stype, prev + d))) diff = true;
                break; // both substrings ended at an LMS position: equal
            }
        }
        if (diff) ++name;
        prev = pos;
        sa[m + pos / 2] = name - 1;
    }
    // The reduced string: names in text order.
    std::vector<int32_t> s1;
    s1.reserve(size_t(m));
    for (int32_t i = m; i < n; ++i)
        if (sa[i] >= 0) s1.push_back(sa[i]);
    std::vector<int32_t> lms_sorted(static_cast<size_t>(m));
    if (name < m) {
        // Names repeat: recurse to order the LMS suffixes.
        std::vector<int32_t> sa1(static_cast<size_t>(m));
        sais(s1.data(), sa1.data(), m, name);
        std::vector<int32_t> lms_pos;
        lms_pos.reserve(size_t(m));
        for (int32_t i = 1; i < n; ++i)
            if (is_lms(stype, i)) lms_pos.push_back(i);
        for (int32_t i = 0; i < m; ++i) lms_sorted[size_t(i)] = lms_pos[size_t(sa1[size_t(i)])];
    } else {
        std::copy(sa, sa + m, lms_sorted.begin());
    }
    s1.clear();
    s1.shrink_to_fit();

    // Stage 3: place the LMS suffixes in sorted order at their bucket tails, then induce.
    for (int32_t i = 0; i < n; ++i) sa[i] = -1;
    bucket_bounds(count, b, true);
    for (int32_t i = m - 1; i >= 0; --i) {
        int32_t p = lms_sorted[size_t(i)];
        sa[--b[size_t(s[p])]] = p;
    }
    induce(s, sa, n, stype, count, b);
}

} // namespace

std::vector<int32_t> suffix_array(std::string_view text) {
    LMK_CHECK(text.size() < size_t(INT32_MAX), "suffix array: {} bytes exceed the 2^31 - 1 limit", text.size());
    std::vector<int32_t> sa(text.size());
    sais(reinterpret_cast<const uint8_t*>(text.data()), sa.data(), int32_t(text.size()), 256);
    return sa;
}

std::vector<int32_t> suffix_array(std::span<const int32_t> symbols, int32_t alphabet) {
    LMK_CHECK(symbols.size() < size_t(INT32_MAX), "suffix array: {} symbols exceed the 2^31 - 1 limit", symbols.size());
    for (size_t i = 0; i < symbols.size(); i++)
        LMK_CHECK(symbols[i] >= 0 && symbols[i] < alphabet, "suffix array: symbol {} at {} is outside [0, {})",
                  symbols[i], i, alphabet);
    std::vector<int32_t> sa(symbols.size());
    sais(symbols.data(), sa.data(), int32_t(symbols.size()), alphabet);
    return sa;
}

PreviousFactors longest_previous_factor(std::string_view text, std::vector<int32_t> sa, char separator) {
    const int32_t n = int32_t(text.size());
    LMK_CHECK(sa.size() == text.size(), "longest_previous_factor: suffix array of {} entries for {} bytes", sa.size(), n);
    // By position: the start of the nearest suffix above (prev) and below (next) in sorted order
    // that starts earlier in the text, or -1. One monotone stack per direction.
    PreviousFactors out;
    std::vector<int32_t>& prev = out.length; // reused in place for the lengths below
    std::vector<int32_t>& next = out.source; // reused in place for the sources
    prev.assign(size_t(n), -1);
    next.assign(size_t(n), -1);
    {
        std::vector<int32_t> stack;
        for (int32_t i = 0; i < n; ++i) {
            while (!stack.empty() && stack.back() > sa[size_t(i)]) stack.pop_back();
            prev[size_t(sa[size_t(i)])] = stack.empty() ? -1 : stack.back();
            stack.push_back(sa[size_t(i)]);
        }
        stack.clear();
        for (int32_t i = n - 1; i >= 0; --i) {
            while (!stack.empty() && stack.back() > sa[size_t(i)]) stack.pop_back();
            next[size_t(sa[size_t(i)])] = stack.empty() ? -1 : stack.back();
            stack.push_back(sa[size_t(i)]);
        }
    }
    sa.clear();
    sa.shrink_to_fit();
    const char* t = text.data();
    auto extend = [&](int32_t p, int32_t q, int32_t l) {
        while (p + l < n && t[p + l] == t[q + l] && t[p + l] != separator) ++l;
        return l;
    };
    // Matches with each neighbour shrink by at most one per step (see the header).
    int32_t lp = 0, ln = 0;
    for (int32_t p = 0; p < n; ++p) {
        int32_t qp = prev[size_t(p)], qn = next[size_t(p)];
        lp = qp < 0 ? 0 : extend(p, qp, std::max(lp, 0));
        ln = qn < 0 ? 0 : extend(p, qn, std::max(ln, 0));
        int32_t best = std::max(lp, ln);
        out.length[size_t(p)] = best;
        out.source[size_t(p)] = best == 0 ? -1 : (lp >= ln ? qp : qn);
        --lp;
        --ln;
    }
    return out;
}

} // namespace lmk
