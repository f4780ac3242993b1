// text/html_extract.cpp: see html_extract.h.
#include "lmk/text/html_extract.h"

#include "lmk/core/utf8.h"
#include "lmk/text/unicode.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <gumbo.h>
#include <iconv.h>
#include <vector>

namespace lmk {
namespace {

std::string lower_ascii(std::string_view s) {
    std::string r(s);
    for (auto& c : r) c = char(std::tolower(static_cast<unsigned char>(c)));
    return r;
}

std::string_view trim_ascii(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

// The value of charset=... in a Content-Type-like string, lowercased; "" if none.
std::string charset_param(std::string_view v) {
    std::string l = lower_ascii(v);
    size_t p = l.find("charset");
    if (p == std::string::npos) return "";
    p += 7;
    while (p < l.size() && (l[p] == ' ' || l[p] == '=')) p++;
    while (p < l.size() && (l[p] == '"' || l[p] == '\'')) p++;
    size_t e = p;
    while (e < l.size() && (std::isalnum(static_cast<unsigned char>(l[e])) || l[e] == '-' || l[e] == '_' ||
                            l[e] == ':' || l[e] == '.'))
        e++;
    return l.substr(p, e - p);
}

bool dechunk(std::string_view in, std::string& out) {
    size_t p = 0;
    while (p < in.size()) {
        size_t eol = in.find('\n', p);
        if (eol == std::string_view::npos) return false;
        std::string_view line = trim_ascii(in.substr(p, eol - p));
        size_t semi = line.find(';');
        if (semi != std::string_view::npos) line = line.substr(0, semi);
        size_t n = 0;
        if (line.empty()) return false;
        for (char c : line) {
            int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                    : (std::tolower(c) >= 'a' && std::tolower(c) <= 'f') ? std::tolower(c) - 'a' + 10 : -1;
            if (d < 0 || n > (size_t(1) << 40)) return false;
            n = n * 16 + size_t(d);
        }
        p = eol + 1;
        if (n == 0) return true;
        if (p + n > in.size()) {
            out.append(in.substr(p)); // truncated chunk: keep what is there
            return true;
        }
        out.append(in.substr(p, n));
        p += n;
        if (p < in.size() && in[p] == '\r') p++;
        if (p < in.size() && in[p] == '\n') p++;
    }
    return true;
}

} // namespace

std::optional<HttpResponse> parse_http_response(std::string_view payload) {
    if (!payload.starts_with("HTTP/")) return std::nullopt;
    HttpResponse r;
    size_t eol = payload.find('\n');
    if (eol == std::string_view::npos) return std::nullopt;
    std::string_view status = payload.substr(0, eol);
    size_t sp = status.find(' ');
    if (sp != std::string_view::npos) r.status = std::atoi(std::string(status.substr(sp + 1, 3)).c_str());
    size_t p = eol + 1;
    bool chunked = false;
    while (true) {
        size_t e = payload.find('\n', p);
        if (e == std::string_view::npos) { // headers never ended: no body
            p = payload.size();
            break;
        }
        std::string_view line = trim_ascii(payload.substr(p, e - p));
        p = e + 1;
        if (line.empty()) break;
        size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string name = lower_ascii(trim_ascii(line.substr(0, colon)));
        std::string_view value = trim_ascii(line.substr(colon + 1));
        if (name == "content-type") r.content_type = std::string(value);
        else if (name == "transfer-encoding" && lower_ascii(value).find("chunked") != std::string::npos) chunked = true;
    }
    std::string_view body = payload.substr(p);
    if (!chunked || !dechunk(body, r.body)) r.body = std::string(body);
    return r;
}

bool is_html_content_type(std::string_view ct) {
    std::string l = lower_ascii(trim_ascii(ct));
    return l.starts_with("text/html") || l.starts_with("application/xhtml+xml");
}

std::string detect_charset(std::string_view content_type, std::string_view body) {
    std::string cs = charset_param(content_type);
    if (!cs.empty()) return cs;
    if (body.starts_with("\xEF\xBB\xBF")) return "utf-8";
    if (body.starts_with("\xFF\xFE")) return "utf-16le";
    if (body.starts_with("\xFE\xFF")) return "utf-16be";
    std::string head = lower_ascii(body.substr(0, 4096));
    size_t p = 0;
    while ((p = head.find("<meta", p)) != std::string::npos) {
        size_t e = head.find('>', p);
        std::string_view tag = std::string_view(head).substr(p, e == std::string::npos ? std::string::npos : e - p);
        std::string c = charset_param(tag);
        if (!c.empty()) return c;
        p += 5;
    }
    return "utf-8";
}

std::string to_utf8(std::string_view bytes, std::string_view charset, size_t* replaced) {
    std::string cs = lower_ascii(charset);
    if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
    if (cs.empty() || cs == "utf-8" || cs == "utf8" || cs == "us-ascii" || cs == "ascii")
        return repair_utf8(bytes, replaced);
    // Browsers read these labels as their supersets (WHATWG Encoding Standard).
    if (cs == "iso-8859-1" || cs == "latin1" || cs == "latin-1") cs = "windows-1252";
    if (cs == "gb2312" || cs == "gbk") cs = "gb18030";
    iconv_t cd = iconv_open("UTF-8", cs.c_str());
    if (cd == reinterpret_cast<iconv_t>(-1)) return repair_utf8(bytes, replaced);
    std::string out;
    out.resize(bytes.size() * 2 + 16);
    char* in = const_cast<char*>(bytes.data());
    size_t in_left = bytes.size();
    size_t out_used = 0;
    while (in_left > 0) {
        if (out.size() - out_used < 64 + in_left) out.resize(out.size() + in_left * 2 + 64);
        char* op = out.data() + out_used;
        size_t out_left = out.size() - out_used;
        size_t rc = iconv(cd, &in, &in_left, &op, &out_left);
        out_used = size_t(op - out.data());
        if (rc == size_t(-1)) {
            if (errno == E2BIG) continue;
            // EILSEQ or EINVAL (truncated at the end): one U+FFFD per bad byte run step.
            out.resize(std::max(out.size(), out_used + 3));
            std::memcpy(out.data() + out_used, "\xEF\xBF\xBD", 3);
            out_used += 3;
            if (replaced) ++*replaced;
            in++;
            in_left--;
        }
    }
    iconv_close(cd);
    out.resize(out_used);
    return repair_utf8(out, replaced);
}

namespace {

bool dropped_tag(GumboTag t) {
    switch (t) {
    case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_NOSCRIPT: case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_HEAD: case GUMBO_TAG_NAV: case GUMBO_TAG_HEADER: case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_ASIDE: case GUMBO_TAG_FORM: case GUMBO_TAG_BUTTON: case GUMBO_TAG_SELECT:
    case GUMBO_TAG_TEXTAREA: case GUMBO_TAG_IFRAME: case GUMBO_TAG_SVG: case GUMBO_TAG_MATH:
    case GUMBO_TAG_CANVAS: case GUMBO_TAG_OBJECT: case GUMBO_TAG_EMBED: case GUMBO_TAG_MENU:
        return true;
    default:
        return false;
    }
}

bool block_tag(GumboTag t) {
    switch (t) {
    case GUMBO_TAG_P: case GUMBO_TAG_DIV: case GUMBO_TAG_BR: case GUMBO_TAG_LI: case GUMBO_TAG_UL:
    case GUMBO_TAG_OL: case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3: case GUMBO_TAG_H4:
    case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_TR: case GUMBO_TAG_TABLE: case GUMBO_TAG_SECTION:
    case GUMBO_TAG_ARTICLE: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_PRE: case GUMBO_TAG_HR:
    case GUMBO_TAG_DD: case GUMBO_TAG_DT: case GUMBO_TAG_DL: case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_MAIN: case GUMBO_TAG_ADDRESS: case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_THEAD: case GUMBO_TAG_TBODY: case GUMBO_TAG_TFOOT: case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_SUMMARY: case GUMBO_TAG_CENTER: case GUMBO_TAG_BODY: case GUMBO_TAG_TITLE:
        return true;
    default:
        return false;
    }
}

bool hidden(const GumboElement& e) {
    if (gumbo_get_attribute(&e.attributes, "hidden")) return true;
    const GumboAttribute* a = gumbo_get_attribute(&e.attributes, "aria-hidden");
    return a && std::strcmp(a->value, "true") == 0;
}

// Appends text with HTML whitespace collapsed to single spaces.
void append_collapsed(std::string& out, const char* s) {
    for (const char* p = s; *p; p++) {
        char c = *p;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
            if (!out.empty() && out.back() != ' ' && out.back() != '\n') out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
}

void newline(std::string& out) {
    while (!out.empty() && out.back() == ' ') out.pop_back();
    if (!out.empty() && out.back() != '\n') out.push_back('\n');
}

bool void_element(std::string_view name) {
    static constexpr std::string_view kVoid[] = {"area", "base", "br", "col", "embed", "hr", "img", "input",
                                                 "link", "meta", "param", "source", "track", "wbr"};
    for (auto v : kVoid)
        if (name.size() == v.size() && std::equal(v.begin(), v.end(), name.begin(), [](char a, char b) {
                return a == std::tolower(static_cast<unsigned char>(b));
            }))
            return true;
    return false;
}

// libgumbo's tree construction is quadratic in nesting depth (4,000 nested <div> take seconds,
// 100,000 take hours), so a page is first scanned for tags, and open tags beyond
// kMaxNestingDepth are removed together with their matching close tags. Real pages nest a
// few dozen levels; only junk or hostile markup is touched. Returns html itself when nothing
// had to go (the common case: no copy).
constexpr int kMaxNestingDepth = 512;

std::string_view limit_nesting(std::string_view html, std::string& storage) {
    int depth = 0, skipped = 0;
    bool changed = false;
    size_t copied = 0, i = 0;
    while ((i = html.find('<', i)) != std::string_view::npos) {
        size_t end = html.find('>', i);
        if (end == std::string_view::npos) break;
        bool closing = i + 1 < html.size() && html[i + 1] == '/';
        size_t name_at = i + 1 + closing;
        size_t name_end = name_at;
        while (name_end < end && std::isalnum(static_cast<unsigned char>(html[name_end]))) name_end++;
        bool is_tag = name_end > name_at && std::isalpha(static_cast<unsigned char>(html[name_at]));
        if (is_tag) {
            std::string_view name = html.substr(name_at, name_end - name_at);
            bool self_closing = html[end - 1] == '/' || void_element(name);
            bool drop = false;
            if (closing) {
                if (skipped > 0) drop = true, skipped--;
                else if (depth > 0) depth--;
            } else if (!self_closing) {
                if (depth >= kMaxNestingDepth) drop = true, skipped++;
                else depth++;
            }
            if (drop) {
                if (!changed) storage.reserve(html.size());
                changed = true;
                storage.append(html.substr(copied, i - copied));
                copied = end + 1;
            }
        }
        i = end + 1;
    }
    if (!changed) return html;
    storage.append(html.substr(copied));
    return storage;
}

} // namespace

std::string html_to_text(std::string_view html_in) {
    std::string limited;
    std::string_view html = limit_nesting(html_in, limited);
    GumboOutput* doc = gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size());
    std::string out;
    // Iterative walk (pages can nest deeper than the call stack allows). A frame is a node
    // plus whether its children were already pushed (then visiting it again closes it).
    struct Frame {
        const GumboNode* node;
        bool closing;
        bool pre;
    };
    std::vector<Frame> stack{{doc->root, false, false}};
    while (!stack.empty()) {
        Frame f = stack.back();
        stack.pop_back();
        const GumboNode* n = f.node;
        if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE || n->type == GUMBO_NODE_CDATA) {
            if (f.pre) out += n->v.text.text;
            else append_collapsed(out, n->v.text.text);
            continue;
        }
        if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_TEMPLATE) continue;
        const GumboElement& e = n->v.element;
        GumboTag tag = e.tag;
        if (f.closing) {
            if (block_tag(tag)) newline(out);
            else if (tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH) out.push_back(' ');
            continue;
        }
        if (dropped_tag(tag) || hidden(e)) continue;
        if (block_tag(tag)) newline(out);
        bool pre = f.pre || tag == GUMBO_TAG_PRE;
        stack.push_back({n, true, pre});
        for (size_t i = e.children.length; i-- > 0;)
            stack.push_back({static_cast<const GumboNode*>(e.children.data[i]), false, pre});
    }
    gumbo_destroy_output(&kGumboDefaultOptions, doc);
    return normalize_text(out);
}

} // namespace lmk
