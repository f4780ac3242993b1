// core/signals.cpp: async-signal-safe flag setting; see signals.h.
#include "lmk/core/signals.h"

#include <csignal>

namespace lmk {

namespace {
volatile std::sig_atomic_t g_stop = 0;

extern "C" void on_stop_signal(int sig) {
    g_stop = sig;
    std::signal(sig, SIG_DFL); // a second signal ends the process
}
} // namespace

const int kStopSignals[3] = {SIGINT, SIGTERM, SIGUSR1};

void install_stop_handlers() {
    for (int sig : kStopSignals) std::signal(sig, on_stop_signal);
}
bool stop_requested() { return g_stop != 0; }
int stop_signal() { return int(g_stop); }
void request_stop_for_test(int sig) { g_stop = sig; }
void clear_stop_request() { g_stop = 0; }

} // namespace lmk
