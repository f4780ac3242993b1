// core/cli.h: the command-line contract every lmkit tool shares (DESIGN.md §4).
//
// A tool is an Options struct, a setup function that adds flags to a CLI11 app, and a run
// function that calls the library. tool_main() owns everything else:
//   - shared flags: -j/--threads, --seed, -q, -v, --progress auto|always|never, --help, --version;
//   - exit status: 0 done, 1 runtime failure (lmk::Error, I/O, bad alloc), 2 usage error
//     (CLI11's own parse codes and lmk::UsageError; --help and --version print to stdout, exit 0);
//   - diagnostics `tool: what` (lmk::Error messages carry `file:line:`), plus `hint: ...`;
//   - stdout flushed and closed with its error checked (a full disk is exit 1, one message);
//   - SIGPIPE keeps its default (a closed pipe ends the tool quietly).
//
//   int main(int argc, char** argv) {
//       Options o;
//       return lmk::tool_main(argc, argv, {"inspect", "Say what files are.", kExamples},
//           [&](CLI::App& app, lmk::CommonFlags&) { app.add_option("FILE", o.files); },
//           [&](const lmk::CommonFlags& c) { return run(o, c); });
//   }
#pragma once
#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <string>

namespace lmk {

struct CommonFlags {
    int threads = 0;          // 0 = all cores
    uint64_t seed = 1337;
    int quiet = 0;            // count of -q
    int verbose = 0;          // count of -v
    std::string progress = "auto";
};

struct ToolInfo {
    const char* name;
    const char* summary;   // one paragraph: what the tool does
    const char* examples;  // "Examples:\n  cmd | cmd\n" (may be empty)
};

using ToolSetup = std::function<void(CLI::App&, CommonFlags&)>;
using ToolRun = std::function<int(const CommonFlags&)>;

// Parses argv, applies the shared flags, runs, maps errors to exit codes, checks stdout.
int tool_main(int argc, char** argv, const ToolInfo& info, const ToolSetup& setup, const ToolRun& run);

// The version string every tool prints for --version.
const char* lmkit_version();

} // namespace lmk
