#include "lmk/text/filters_url.h"

#include <doctest/doctest.h>

using namespace lmk;

namespace {
std::string check(const UrlFilter& f, const std::string& url) {
    auto v = f.check(url);
    return v ? v->reason : "keep";
}
} // namespace

TEST_CASE("url: host extraction") {
    CHECK(UrlFilter::host_of("HTTP://User:pw@Example.COM.:8080/path?q#f") == "example.com");
    CHECK(UrlFilter::host_of("https://[::1]:80/") == "[::1]");
    CHECK(UrlFilter::host_of("example.org/x") == "example.org");
}

TEST_CASE("url: registered domain with and without a public suffix list") {
    UrlFilter f;
    CHECK(f.registered_domain("a.b.example.co.uk") == "co.uk"); // no list: last two labels
    f.add_public_suffix_rule("uk");
    f.add_public_suffix_rule("co.uk");
    f.add_public_suffix_rule("*.ck");
    f.add_public_suffix_rule("!www.ck");
    CHECK(f.registered_domain("a.b.example.co.uk") == "example.co.uk");
    CHECK(f.registered_domain("co.uk") == "");
    CHECK(f.registered_domain("a.b.c.ck") == "b.c.ck"); // *.ck: c.ck is a suffix
    CHECK(f.registered_domain("www.ck") == "www.ck");   // exception rule
}

TEST_CASE("url: domain and subdomain blocklists (tldextract semantics)") {
    UrlFilter f;
    f.add_public_suffix_rule("uk");
    f.add_public_suffix_rule("co.uk");
    f.add_public_suffix_rule("com");
    f.add_blocked_domain("spam.com");
    f.add_blocked_domain("news.bbc.co.uk");
    f.add_blocked_url("http://ok.org/bad-page");
    CHECK(check(f, "https://spam.com/") == "domain");
    CHECK(check(f, "https://www.spam.com/x") == "domain");
    CHECK(check(f, "https://news.bbc.co.uk/a") == "subdomain");
    CHECK(check(f, "https://x.news.bbc.co.uk/a") == "keep"); // neither registered domain nor full host
    CHECK(check(f, "https://bbc.co.uk/") == "keep");
    CHECK(check(f, "http://ok.org/bad-page") == "url");
    CHECK(check(f, "http://ok.org/good-page") == "keep");
}

TEST_CASE("url: banned words, soft words (threshold 2), subwords") {
    UrlFilter f;
    f.add_banned_word("casino");
    f.add_soft_banned_word("hot");
    f.add_soft_banned_word("girls");
    f.add_banned_subword("xxx");
    CHECK(check(f, "http://a.com/free-casino/") == "hard_blacklisted");
    CHECK(check(f, "http://a.com/CASINO") == "keep"); // URL words keep their case, as in datatrove
    CHECK(check(f, "http://a.com/casinos") == "keep");
    CHECK(check(f, "http://a.com/hot-news") == "keep");
    CHECK(check(f, "http://hot.com/girls") == "soft_blacklisted");
    CHECK(check(f, "http://hot.com/hot") == "keep"); // distinct words
    CHECK(check(f, "http://a.com/X-X-X.html") == "blacklisted_subword");
    CHECK(check(f, "http://a.com/boxxy") == "keep");
    CHECK(check(f, "http://a.com/boxxxy") == "blacklisted_subword");
}
