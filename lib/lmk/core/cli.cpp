// core/cli.cpp: tool_main, the one place where exceptions become exit codes and
// messages, and where standard output's final flush is checked (coreutils close_stdout).
#include "lmk/core/cli.h"
#include "lmk/core/error.h"
#include "lmk/core/log.h"
#include "lmk/core/progress.h"
#include "lmk/core/threads.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>

namespace lmk {

const char* lmkit_version() { return "lmkit 0.1.0"; }

static const char* kStdinNote = "With no FILE, or when FILE is -, read standard input. Output "
                                "goes to -o FILE or standard output;\nlogs and progress go to "
                                "standard error. Exit status: 0 done, 1 runtime failure, 2 usage error.";

static int close_stdout() {
    // A delayed write error (full disk, closed pipe under SIG_IGN) is a failure.
    errno = 0;
    bool bad = std::fflush(stdout) != 0 || std::ferror(stdout);
    int err = errno;
    if (std::fclose(stdout) != 0 && !bad) {
        bad = true;
        err = errno;
    }
    if (bad && err != EBADF) {
        log_error("write error: standard output: {}", err ? errno_text(err) : "I/O error");
        return 1;
    }
    return 0;
}

int tool_main(int argc, char** argv, const ToolInfo& info, const ToolSetup& setup, const ToolRun& run) {
    set_tool_name(info.name);
    CLI::App app{info.summary, info.name};
    CommonFlags common;
    app.set_version_flag("--version", lmkit_version());
    app.footer(std::string(info.examples ? info.examples : "") + "\n" + kStdinNote);
    app.get_formatter()->column_width(34);
    app.option_defaults()->always_capture_default();
    auto* g = "Shared options";
    app.add_option("-j,--threads", common.threads, "worker threads (0 = all cores)")->group(g)->check(CLI::NonNegativeNumber);
    app.add_option("--seed", common.seed, "random seed (every random choice derives from it)")->group(g);
    app.add_flag("-q,--quiet", common.quiet, "errors only on stderr")->group(g);
    app.add_flag("-v,--verbose", common.verbose, "more detail on stderr")->group(g);
    app.add_option("--progress", common.progress, "progress on stderr: auto (terminal only), always, never")
        ->group(g)->check(CLI::IsMember({"auto", "always", "never"}));
    int status = 0;
    try {
        setup(app, common);
        try {
            app.parse(argc, argv);
        } catch (const CLI::ParseError& e) {
            if (e.get_exit_code() == 0) { // --help, --version
                app.exit(e, std::cout, std::cerr);
                std::cout.flush();
                return close_stdout();
            }
            log_error("{}", e.what());
            std::fprintf(stderr, "Try '%s --help' for more information.\n", info.name);
            return 2;
        }
        set_log_level(common.quiet ? LogLevel::error : common.verbose ? LogLevel::debug : LogLevel::info);
        set_progress_mode(parse_progress_mode(common.progress));
        set_threads(common.threads);
        status = run(common);
    } catch (const Error& e) { // UsageError too: a flag value checked by the library
        log_error("{}", e.what());
        if (!e.hint().empty()) log_error("hint: {}", e.hint());
        status = dynamic_cast<const UsageError*>(&e) ? 2 : 1;
    } catch (const CLI::Error& e) { // a flag check failing after parse (e.g. in setup)
        log_error("{}", e.what());
        return 2;
    } catch (const std::bad_alloc&) {
        log_error("out of memory");
        status = 1;
    } catch (const std::exception& e) {
        log_error("{}", e.what());
        status = 1;
    }
    int close_status = close_stdout();
    return status ? status : close_status;
}

} // namespace lmk
