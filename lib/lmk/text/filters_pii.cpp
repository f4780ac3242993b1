// text/filters_pii.cpp: see filters_pii.h. The regexes run with std::regex (ECMAScript, which
// backtracks leftmost-first like Python's re, so the same spans match) over whitespace-free
// runs only: neither pattern can match whitespace, so this finds exactly the spans a scan of
// the whole text would, much faster.
#include "lmk/text/filters_pii.h"

#include "lmk/text/unicode.h"

#include <array>
#include <regex>

namespace lmk {
namespace {

const std::regex& email_regex() {
    static const std::regex re(
        R"(\b[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:(?:[A-Za-z0-9](?:[)"
        R"(A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?|\[(?:(?:25[0-5]|2[0-4][0-9]|[)"
        R"(01]?[0-9][0-9]?)\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?|[A-Za-z0-9-]*[A-Za-z0-9]:)\]))",
        std::regex::ECMAScript | std::regex::optimize);
    return re;
}

const std::regex& ip_regex() {
    static const std::regex re(
        R"((?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?))",
        std::regex::ECMAScript | std::regex::optimize);
    return re;
}

constexpr std::array<std::string_view, 2> kEmailReplacements = {"email@example.com", "firstname.lastname@example.org"};
constexpr std::array<std::string_view, 6> kIpReplacements = {"22.214.171.124", "126.96.36.199", "188.8.131.52",
                                                             "184.108.40.206", "220.127.116.11", "18.104.22.168"};

// Applies `replace_one(match) -> optional replacement` to every match in whitespace-free runs
// for which could_match(run) holds (a cheap necessary condition for any match in it).
template <typename P, typename F>
std::string substitute(std::string_view text, const std::regex& re, P&& could_match, size_t max_run, F&& replace_one) {
    std::string out;
    out.reserve(text.size());
    size_t i = 0;
    // Whether text[k] starts a whitespace character (bytes classified as in py_split_each).
    auto space_at = [&](size_t k, size_t& next) {
        unsigned char c = detail::kSplitClass.v[static_cast<unsigned char>(text[k])];
        next = k + 1;
        if (c == 2) return py_isspace(next_codepoint(text, next = k));
        return c == 1;
    };
    while (i < text.size()) {
        // Copy whitespace, then take one whitespace-free run.
        size_t run_start = i, j;
        while (i < text.size() && space_at(i, j)) i = j;
        out.append(text.substr(run_start, i - run_start));
        size_t b = i;
        while (i < text.size() && !space_at(i, j)) i = j;
        std::string_view run = text.substr(b, i - b);
        if (run.empty()) continue;
        if (!could_match(run) || run.size() > max_run) {
            out.append(run);
            continue;
        }
        auto begin = std::cregex_iterator(run.data(), run.data() + run.size(), re);
        size_t last = 0;
        for (auto it = begin; it != std::cregex_iterator(); ++it) {
            const auto& m = *it;
            size_t pos = size_t(m.position(0)), len = size_t(m.length(0));
            out.append(run.substr(last, pos - last));
            std::string_view found = run.substr(pos, len);
            out.append(replace_one(found));
            last = pos + len;
        }
        out.append(run.substr(last));
    }
    return out;
}

bool parse_ipv4(std::string_view s, uint32_t* addr) {
    uint32_t v = 0;
    int parts = 0;
    size_t i = 0;
    while (parts < 4) {
        size_t b = i;
        uint32_t octet = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - b < 3) octet = octet * 10 + uint32_t(s[i++] - '0');
        size_t len = i - b;
        if (len == 0 || octet > 255 || (len > 1 && s[b] == '0')) return false; // leading zeros are invalid
        v = (v << 8) | octet;
        parts++;
        if (parts < 4) {
            if (i >= s.size() || s[i] != '.') return false;
            i++;
        }
    }
    if (i != s.size()) return false;
    *addr = v;
    return true;
}

} // namespace

bool ipv4_is_global(std::string_view s) {
    uint32_t a;
    if (!parse_ipv4(s, &a)) return false;
    auto in = [&](uint32_t net, int bits) { return bits == 0 || (a >> (32 - bits)) == (net >> (32 - bits)); };
    auto ip = [](uint32_t x, uint32_t y, uint32_t z, uint32_t w) { return (x << 24) | (y << 16) | (z << 8) | w; };
    // Python 3.11 ipaddress: is_global = not is_private and not in 100.64.0.0/10, where these
    // are the private networks (192.0.0.9 and 192.0.0.10 are excepted as global).
    if (a == ip(192, 0, 0, 9) || a == ip(192, 0, 0, 10)) return true;
    const std::pair<uint32_t, int> kNotGlobal[] = {
        {ip(0, 0, 0, 0), 8},       {ip(10, 0, 0, 0), 8},     {ip(127, 0, 0, 0), 8},    {ip(169, 254, 0, 0), 16},
        {ip(172, 16, 0, 0), 12},   {ip(192, 0, 0, 0), 29},   {ip(192, 0, 0, 170), 31}, {ip(192, 0, 2, 0), 24},
        {ip(192, 168, 0, 0), 16},  {ip(198, 18, 0, 0), 15},  {ip(198, 51, 100, 0), 24}, {ip(203, 0, 113, 0), 24},
        {ip(240, 0, 0, 0), 4},     {ip(255, 255, 255, 255), 32}, {ip(100, 64, 0, 0), 10}};
    for (auto [net, bits] : kNotGlobal)
        if (in(net, bits)) return false;
    return true;
}

std::string mask_pii(std::string_view text, const PiiParams& p, PiiCounts* counts) {
    std::string s(text);
    if (p.emails && s.find('@') != std::string::npos) {
        size_t turn = 0;
        auto has_at = [](std::string_view run) { return run.find('@') != std::string_view::npos; };
        s = substitute(s, email_regex(), has_at, size_t(64) << 10, [&](std::string_view) {
            if (counts) counts->emails++;
            return std::string(kEmailReplacements[turn++ % kEmailReplacements.size()]);
        });
    }
    if (p.ips && s.find('.') != std::string::npos) {
        size_t turn = 0;
        // Every match holds three dots and a digit.
        auto could_be_ip = [](std::string_view run) {
            size_t dots = 0;
            bool digit = false;
            for (char c : run) dots += c == '.', digit |= c >= '0' && c <= '9';
            return dots >= 3 && digit;
        };
        s = substitute(s, ip_regex(), could_be_ip, std::string::npos, [&](std::string_view m) {
            if (p.only_public_ips ? !ipv4_is_global(m) : false) return std::string(m);
            uint32_t dummy;
            if (!parse_ipv4(m, &dummy)) return std::string(m);
            if (counts) counts->ips++;
            return std::string(kIpReplacements[turn++ % kIpReplacements.size()]);
        });
    }
    return s;
}

} // namespace lmk
