// text/filters_pii.h: masks e-mail and IP addresses as datatrove's PIIFormatter does.
//
// E-mails matching datatrove's (RFC 5322-like) pattern are replaced by "email@example.com"
// and "firstname.lastname@example.org" in turn; IPv4 addresses matching
// (?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?) that
// Python's ipaddress calls global (not private, loopback, link-local, documentation, shared
// 100.64/10, reserved; octets with leading zeros are invalid there and left alone) are
// replaced by six never-answering addresses in turn. Differences from datatrove, on purpose:
// the turn counter restarts with every document (datatrove's runs on across a worker's
// documents, so its output depends on how work is split), and a whitespace-free run over
// 64 KiB is not searched for e-mails (a backtracking regex over it could exhaust the stack).
//
//   lmk::PiiCounts c;
//   std::string t = lmk::mask_pii("mail me: bob@mail.com from 8.8.8.8", {}, &c);
//   // "mail me: email@example.com from 22.214.171.124"
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace lmk {

struct PiiParams {
    bool emails = true;
    bool ips = true;
    bool only_public_ips = true;
};

struct PiiCounts {
    uint64_t emails = 0, ips = 0;
};

std::string mask_pii(std::string_view text, const PiiParams& p, PiiCounts* counts = nullptr);
// Python ipaddress.ip_address(s).is_global for dotted IPv4 text (false if not parseable).
bool ipv4_is_global(std::string_view s);

} // namespace lmk
