// core/error.cpp: helpers for lmk::Error messages.
#include "lmk/core/error.h"

#include <cstring>

namespace lmk {

std::string errno_text(int err) { return std::strerror(err); }

} // namespace lmk
