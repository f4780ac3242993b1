// tok/suffix_sort.cpp: the sentinel-terminated suffix array (text's SA-IS) and a separator-aware LCP array.
#include "lmk/tok/suffix_sort.h"

#include "lmk/core/error.h"
#include "lmk/text/suffix_array.h"

#include <algorithm>

namespace lmk::tok {

std::vector<int32_t> symbol_suffix_array(std::span<const int32_t> text, int32_t alphabet) {
    const size_t n = text.size();
    if (n == 0) return {};
    LMK_CHECK(text[n - 1] == 0, "suffix array: the text must end with the sentinel 0");
    for (size_t i = 0; i + 1 < n; i++)
        LMK_CHECK(text[i] > 0 && text[i] < alphabet, "suffix array: symbol {} at {} is outside [1, {})", text[i], i,
                  alphabet);
    return lmk::suffix_array(text, alphabet); // text's SA-IS; the unique 0 sorts as the sentinel
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
