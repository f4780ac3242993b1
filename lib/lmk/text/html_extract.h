// text/html_extract.h: WARC response payloads -> plain UTF-8 main text.
//
// parse_http_response() splits an HTTP/1.x response (status line, headers, body) and undoes
// chunked transfer-encoding. detect_charset() takes the charset from the Content-Type header,
// else from a byte-order mark, else from <meta charset> / <meta http-equiv content="...;
// charset=..."> in the first 4 KiB, else "utf-8". to_utf8() converts with glibc iconv (invalid
// sequences become U+FFFD, counted); an unknown charset name is read as UTF-8 and repaired.
// html_to_text() parses with libgumbo (the HTML5 algorithm, so broken markup parses as
// browsers parse it; entities are decoded by the parser) and keeps the main text:
//   - dropped with their content: script, style, noscript, template, head, nav, header,
//     footer, aside, form, button, select, textarea, iframe, svg, math, canvas, object, and
//     any element with the `hidden` attribute or aria-hidden="true";
//   - block elements (p, div, li, h1-h6, tr, table, section, article, blockquote, pre, br,
//     hr, dd, dt, ...) start and end lines; td/th are separated by a space;
//   - whitespace inside text collapses as the browser renders it (kept as is inside pre);
//   - the result goes through normalize_text() (text/unicode.h);
//   - open tags nested deeper than 512 levels are removed before parsing (libgumbo is
//     quadratic in depth; no real page nests that deep).
// is_html_content_type("text/html; charset=x") is true for text/html and application/xhtml+xml.
//
//   auto resp = lmk::parse_http_response(rec.body);
//   if (resp && lmk::is_html_content_type(resp->content_type)) {
//       std::string cs = lmk::detect_charset(resp->content_type, resp->body);
//       std::string text = lmk::html_to_text(lmk::to_utf8(resp->body, cs));
//   }
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace lmk {

struct HttpResponse {
    int status = 0;
    std::string content_type; // header value, "" if absent
    std::string body;         // de-chunked payload bytes
};

// nullopt when the payload does not start with an "HTTP/" status line and header block.
std::optional<HttpResponse> parse_http_response(std::string_view payload);
bool is_html_content_type(std::string_view content_type);
std::string detect_charset(std::string_view content_type, std::string_view body);
std::string to_utf8(std::string_view bytes, std::string_view charset, size_t* replaced = nullptr);
std::string html_to_text(std::string_view html_utf8);

} // namespace lmk
