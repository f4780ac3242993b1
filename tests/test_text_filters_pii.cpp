#include "lmk/text/filters_pii.h"

#include <doctest/doctest.h>

using namespace lmk;

TEST_CASE("pii: e-mails replaced in turn") {
    PiiCounts c;
    CHECK(mask_pii("mail bob@mail.com, ann.lee@x.org or carl+1@y.co.uk.", {}, &c) ==
          "mail email@example.com, firstname.lastname@example.org or email@example.com.");
    CHECK(c.emails == 3);
    CHECK(mask_pii("not an email: a@b, @home, x@[1.2.3.4]", {}) == "not an email: a@b, @home, email@example.com");
    PiiParams off;
    off.emails = false;
    CHECK(mask_pii("bob@mail.com", off) == "bob@mail.com");
}

TEST_CASE("pii: only global IPv4 addresses") {
    PiiCounts c;
    CHECK(mask_pii("dns 8.8.8.8 and 1.1.1.1 but 192.168.1.1, 10.0.0.1, 127.0.0.1", {}, &c) ==
          "dns 22.214.171.124 and 126.96.36.199 but 192.168.1.1, 10.0.0.1, 127.0.0.1");
    CHECK(c.ips == 2);
    CHECK(mask_pii("01.2.3.4", {}) == "01.2.3.4"); // leading zeros: not an address for Python
    CHECK(mask_pii("1234.1.1.1", {}) == "122.214.171.124"); // the pattern has no \b, as datatrove's
    PiiParams all;
    all.only_public_ips = false;
    CHECK(mask_pii("192.168.1.1", all) == "22.214.171.124");
}

TEST_CASE("pii: Python ipaddress is_global") {
    CHECK(ipv4_is_global("8.8.8.8"));
    CHECK_FALSE(ipv4_is_global("100.64.0.1"));
    CHECK(ipv4_is_global("100.63.255.255"));
    CHECK_FALSE(ipv4_is_global("172.16.0.1"));
    CHECK(ipv4_is_global("172.32.0.1"));
    CHECK(ipv4_is_global("192.0.0.9"));
    CHECK_FALSE(ipv4_is_global("192.0.0.7")); // 192.0.0.0/29
    CHECK(ipv4_is_global("192.0.0.8"));        // as Python 3.11 (3.12.4+ made all of 192.0.0.0/24 non-global)
    CHECK_FALSE(ipv4_is_global("192.0.0.170"));
    CHECK(ipv4_is_global("224.0.0.1"));
    CHECK_FALSE(ipv4_is_global("203.0.113.5"));
    CHECK_FALSE(ipv4_is_global("255.255.255.255"));
    CHECK_FALSE(ipv4_is_global("256.1.1.1"));
}
