// fuzz/fuzz_input.h: hands a fuzz input to lmkit's readers, which read files by name.
//
// The bytes go into an anonymous in-memory file (memfd), reachable as /proc/self/fd/N, so
// the readers run exactly their production code path (open, fstat, read or mmap) with no
// disk I/O and no test-only hooks in the library. Logging is silenced (warnings about bad
// records are the expected outcome, not findings).
#pragma once
#include "lmk/core/log.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

class FuzzFile {
public:
    FuzzFile(const uint8_t* data, size_t size) {
        lmk::set_log_level(lmk::LogLevel::error);
        static std::string sink; // errors are expected: keep stderr quiet
        sink.clear();
        lmk::set_log_sink(&sink);
        fd_ = memfd_create("lmk-fuzz", MFD_CLOEXEC);
        if (fd_ < 0) std::abort();
        for (size_t off = 0; off < size;) {
            ssize_t n = ::write(fd_, data + off, size - off);
            if (n <= 0) std::abort();
            off += size_t(n);
        }
        path_ = "/proc/self/fd/" + std::to_string(fd_);
    }
    ~FuzzFile() { ::close(fd_); }
    FuzzFile(const FuzzFile&) = delete;
    FuzzFile& operator=(const FuzzFile&) = delete;
    const std::string& path() const { return path_; }

private:
    int fd_ = -1;
    std::string path_;
};
