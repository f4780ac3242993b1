#include "lmk/text/html_extract.h"

#include <doctest/doctest.h>

using namespace lmk;

TEST_CASE("html_to_text: main text, boilerplate dropped, blocks to lines, entities decoded") {
    std::string html =
        "<html><head><title>T</title><script>var x = 1;</script><style>p{}</style></head><body>"
        "<nav>Home | About</nav><header>Site</header><h1>Title</h1>"
        "<p>Hello &amp; <b>world</b>&nbsp;!</p><div>Two<br>lines</div>"
        "<aside>ad</aside><form><label>login</label><input></form><p hidden>hidden</p><span aria-hidden=\"true\">x</span>"
        "<table><tr><td>a</td><td>b</td></tr></table><pre>  keep   spaces</pre>"
        "<footer>(c) 2024</footer><noscript>enable js</noscript></body></html>";
    CHECK(html_to_text(html) == "Title\nHello & world !\nTwo\nlines\na b\nkeep spaces");
    CHECK(html_to_text("") == "");
    CHECK(html_to_text("<p>unclosed <b>tags<p>next") == "unclosed tags\nnext");
}

TEST_CASE("html_to_text: deep nesting does not overflow the stack") {
    std::string html;
    for (int i = 0; i < 200000; i++) html += "<div>";
    html += "deep";
    CHECK(html_to_text(html) == "deep");
}

TEST_CASE("parse_http_response: headers, chunked bodies") {
    auto r = parse_http_response("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=ISO-8859-1\r\n"
                                 "Transfer-Encoding: chunked\r\n\r\n5\r\nHello\r\n6;x=y\r\n world\r\n0\r\n\r\n");
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->content_type == "text/html; charset=ISO-8859-1");
    CHECK(r->body == "Hello world");
    auto plain = parse_http_response("HTTP/1.0 404 Not Found\nContent-Type: text/plain\n\nbody");
    REQUIRE(plain);
    CHECK(plain->status == 404);
    CHECK(plain->body == "body");
    CHECK_FALSE(parse_http_response("GET / HTTP/1.1\r\n\r\n"));
    CHECK(is_html_content_type("text/html; charset=utf-8"));
    CHECK(is_html_content_type("Application/XHTML+XML"));
    CHECK_FALSE(is_html_content_type("application/pdf"));
}

TEST_CASE("charset detection and conversion") {
    CHECK(detect_charset("text/html; charset=\"Windows-1251\"", "") == "windows-1251");
    CHECK(detect_charset("text/html", "<html><head><meta charset='Shift_JIS'>") == "shift_jis");
    CHECK(detect_charset("text/html", "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=koi8-r\">") ==
          "koi8-r");
    CHECK(detect_charset("", "<p>nothing</p>") == "utf-8");
    CHECK(to_utf8("\xe9t\xe9", "iso-8859-1") == "\xc3\xa9t\xc3\xa9");
    CHECK(to_utf8("\x93q\x94", "latin1") == "\xe2\x80\x9cq\xe2\x80\x9d"); // read as windows-1252
    CHECK(to_utf8("\xcf\xf0\xe8", "windows-1251") == "\xd0\x9f\xd1\x80\xd0\xb8");
    size_t bad = 0;
    CHECK(to_utf8("a\xff" "b", "utf-8", &bad) == "a\xef\xbf\xbd" "b");
    CHECK(bad == 1);
    CHECK(to_utf8("abc", "no-such-charset") == "abc");
}
