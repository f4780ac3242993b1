// tests/test_text_helpers.h: text builders shared by the text-filter tests.
#pragma once
#include <string>
#include <vector>

namespace lmk_test {

// A distinct lowercase word for each i (base-26 letters of i + 676: "baa", "bab", ...),
// the same construction the Python reference used to find the threshold cases.
inline std::string uw(int i) {
    std::string s;
    i += 26 * 26;
    while (i) {
        s.insert(s.begin(), char('a' + i % 26));
        i /= 26;
    }
    return s;
}

inline std::string join(const std::vector<std::string>& parts, const std::string& sep) {
    std::string out;
    for (size_t i = 0; i < parts.size(); i++) out += (i ? sep : "") + parts[i];
    return out;
}

inline std::string repeat(const std::string& s, int n, const std::string& sep = " ") {
    std::vector<std::string> v(size_t(n), s);
    return join(v, sep);
}

} // namespace lmk_test
