// core/error.h: the one exception type of lmkit and the checks that throw it.
//
// The library never prints or exits: it throws lmk::Error, whose message already carries
// its location in the `file:line: what` form diagnostics use, and optionally a hint for
// when the fix is known. A tool's main (core/cli.h) prints `tool: <what>` and exits 1, or 2
// for lmk::UsageError: a flag value the run cannot start with, found by checks that live in
// the library (option structs' validate()).
//
//   LMK_CHECK(n > 0, "{}:{}: expected a positive count, got {}", path, line, n);
//   LMK_CHECK_USAGE(steps > 0, "--steps must be positive, got {}", steps);
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

class UsageError : public Error {
public:
    using Error::Error;
};

template <typename... Args>
[[noreturn]] void usage_fail(fmt::format_string<Args...> f, Args&&... args) {
    throw UsageError(fmt::format(f, std::forward<Args>(args)...));
}

// Runs fn() and returns its result, an lmk::Error it throws becoming a UsageError: for checks
// that serve files and flags alike, run on flag values.
template <class Fn>
decltype(auto) as_usage(Fn&& fn) {
    try {
        return fn();
    } catch (const UsageError&) {
        throw;
    } catch (const Error& e) {
        throw UsageError(e.what(), e.hint());
    }
}

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

#define LMK_CHECK_USAGE(cond, ...)                                                                 \
    do {                                                                                           \
        if (!(cond)) ::lmk::usage_fail(__VA_ARGS__);                                               \
    } while (0)
