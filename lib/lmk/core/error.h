// core/error.h: the one exception type of lmkit and the checks that throw it.
//
// The library never prints or exits: it throws lmk::Error, whose message already carries
// its location in the `file:line: what` form diagnostics use, and optionally a hint for
// when the fix is known. A tool's main (core/cli.h) prints `tool: <what>` and exits 1.
//
//   LMK_CHECK(n > 0, "{}:{}: expected a positive count, got {}", path, line, n);
//   throw lmk::Error(fmt::format("{}: bad magic", path), "regenerate it with encode");
//
// Hot loops never throw: validate at the boundaries (file headers, flags, records).
#pragma once
#include <fmt/core.h>
#include <stdexcept>
#include <string>

namespace lmk {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& what, std::string hint = {})
        : std::runtime_error(what), hint_(std::move(hint)) {}
    const std::string& hint() const { return hint_; }

private:
    std::string hint_;
};

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> f, Args&&... args) {
    throw Error(fmt::format(f, std::forward<Args>(args)...));
}

// errno as text, for I/O messages: "path: cannot open: No such file or directory".
std::string errno_text(int err);

} // namespace lmk

#define LMK_CHECK(cond, ...)                                                                       \
    do {                                                                                           \
        if (!(cond)) ::lmk::fail(__VA_ARGS__);                                                     \
    } while (0)
